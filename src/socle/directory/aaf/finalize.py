"""What runs once every file is read: parent links, relatives' memberships, deactivations.

- Links: each pupil record lists its relatives (``ENTElevePersRelEleve``); they are resolved once
  the relatives' file is read, then the pupil's links to AAF relatives are made to match.
- A relative belongs (``National_TUT``) to the establishments of their active children.
- A full file of a type, for the establishments its export covers, deactivates the AAF accounts
  of that type it no longer lists (a relative still named by an active pupil's record stays).
  Someone who still belongs elsewhere (another establishment, or another profile) only loses the
  memberships concerned; accounts are never deleted.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from socle.core.batches import batched
from socle.core.fastsql import insert_rows
from socle.directory.aaf.fastsql import delete_rows, rows_in
from socle.directory.aaf.mapping import (
    FEMALE_TITLES,
    MALE_TITLES,
    PARENT_CODES,
    RELATION_CODES,
    RELATIVE,
    TYPE_PROFILES,
)
from socle.directory.aaf.records import RelationData
from socle.directory.aaf.report import Report
from socle.directory.absences import too_many_absent
from socle.directory.blocking import present
from socle.directory.models import Establishment, Membership, ParentLink, Person, Source
from socle.directory.profiles import Profile, Relation

CHUNK = 2000


def relation_for(code: str, title: str) -> str:
    if code in RELATION_CODES:
        return RELATION_CODES[code]
    if code in PARENT_CODES:
        lowered = (title or "").strip().lower()
        if lowered in MALE_TITLES:
            return Relation.FATHER
        if lowered in FEMALE_TITLES:
            return Relation.MOTHER
    return Relation.OTHER


def sync_links(links: dict[int, list[RelationData]], report: Report) -> set[int]:
    """Makes the listed pupils' links to AAF relatives match their records; returns the pks of
    every relative whose links may have changed."""
    if not links:
        return set()
    wanted_ids = sorted({r.parent_id for rels in links.values() for r in rels})
    parents: dict[str, tuple[int, str]] = {
        external_id: (pk, title)
        for external_id, pk, title in rows_in(
            Person, ("external_id", "pk", "personal_title"), "external_id", wanted_ids
        )
    }
    link_rows = rows_in(
        ParentLink,
        ("parent_id", "child_id", "pk", "relation", "legal", "financial", "contact"),
        "child_id",
        list(links),
    )
    sources = dict(rows_in(Person, ("pk", "source"), "pk", sorted({row[0] for row in link_rows})))
    existing: dict[tuple[int, int], tuple[int, str, bool, bool, bool, str]] = {
        (parent_id, child_id): (pk, relation, legal, financial, contact, sources[parent_id])
        for parent_id, child_id, pk, relation, legal, financial, contact in link_rows
    }
    desired: dict[tuple[int, int], tuple[str, bool, bool, bool]] = {}
    for child, relations in links.items():
        for rel in relations:
            found = parents.get(rel.parent_id)
            if found is None:
                report.links_unresolved += 1
                continue
            desired[(found[0], child)] = (
                relation_for(rel.code, found[1]),
                rel.legal,
                rel.financial,
                rel.contact,
            )
    to_create, to_update, to_delete = [], [], []
    for key, (relation, legal, financial, contact) in desired.items():
        current = existing.get(key)
        if current is None:
            to_create.append(
                {
                    "parent_id": key[0],
                    "child_id": key[1],
                    "relation": relation,
                    "legal": legal,
                    "financial": financial,
                    "contact": contact,
                }
            )
        elif current[1:5] != (relation, legal, financial, contact):
            to_update.append(
                ParentLink(
                    pk=current[0],
                    relation=relation,
                    legal=legal,
                    financial=financial,
                    contact=contact,
                )
            )
    for key, current in existing.items():
        if key not in desired and current[5] == Source.AAF:
            to_delete.append(current[0])
    insert_rows(ParentLink, to_create)
    ParentLink.objects.bulk_update(
        to_update, ["relation", "legal", "financial", "contact"], batch_size=CHUNK
    )
    delete_rows(ParentLink, to_delete)  # no signals: the CAS's copies expire (access_cache)
    report.links_created += len(to_create)
    report.links_updated += len(to_update)
    report.links_removed += len(to_delete)
    return {key[0] for key in desired} | {key[0] for key in existing}


def sync_relative_memberships(parents: set[int], aaf_establishments: set[int]) -> None:
    """A relative is ``National_TUT`` in every establishment of an active child of theirs."""
    for chunk in batched(sorted(parents), CHUNK):
        children: dict[int, set[int]] = defaultdict(set)
        for parent_id, child_id in rows_in(
            ParentLink, ("parent_id", "child_id"), "parent_id", chunk
        ):
            children[parent_id].add(child_id)
        child_ids = sorted({c for kids in children.values() for c in kids})
        active = {
            pk
            for (pk,) in rows_in(
                Person, ("pk",), "pk", child_ids, where="is_active = %s", params=[True]
            )
        }
        schools: dict[int, set[int]] = defaultdict(set)
        for child_id, establishment_id in rows_in(
            Membership,
            ("person_id", "establishment_id"),
            "person_id",
            sorted(active),
            where="profile = %s",
            params=[Profile.PUPIL],
        ):
            schools[child_id].add(establishment_id)
        existing: dict[int, dict[int, int]] = defaultdict(dict)
        for pk, person_id, establishment_id in rows_in(
            Membership,
            ("pk", "person_id", "establishment_id"),
            "person_id",
            chunk,
            where="profile = %s",
            params=[Profile.PARENT],
        ):
            existing[person_id][establishment_id] = pk
        to_create, to_delete = [], []
        for parent_id in chunk:
            wanted = {e for child in children.get(parent_id, ()) for e in schools.get(child, ())}
            current = existing.get(parent_id, {})
            for establishment_id in wanted - set(current):
                to_create.append(
                    {
                        "person_id": parent_id,
                        "establishment_id": establishment_id,
                        "profile": Profile.PARENT,
                        "class_name": "",
                    }
                )
            for establishment_id, pk in current.items():
                if establishment_id not in wanted and establishment_id in aaf_establishments:
                    to_delete.append(pk)
        insert_rows(Membership, to_create)
        if to_delete:
            Membership.objects.filter(pk__in=to_delete).delete()


class LargeAbsence(Exception):
    """A full file's absences would deactivate more than half (and more than
    :data:`~socle.directory.absences.LARGE_MIN`) of the accounts of its kind in the
    establishments it covers together, or in one of them (``uai``): a region's export that
    lacks one school's pupils is well under half of the region's, and deactivated every pupil
    of that school."""

    def __init__(self, absent: int, total: int, uai: str = "") -> None:
        super().__init__(absent, total, uai)
        self.absent = absent
        self.total = total
        self.uai = uai


def deactivate_unlisted(
    kind: str, listed: set[str], covered: set[int], report: Report, *, force: bool = False
) -> list[int]:
    """Applies a full file's absences; returns the pks of the accounts deactivated. Raises
    :class:`LargeAbsence`, nothing written, when they are a large share, unless ``force``."""
    profiles = TYPE_PROFILES[kind]
    if not covered:
        return []
    candidates = (
        Person.objects.filter(
            # an account a block keeps inactive counts as active (socle.directory.blocking)
            present(),
            source=Source.AAF,
            memberships__establishment_id__in=covered,
            memberships__profile__in=profiles,
        )
        .order_by()
        .distinct()
        .values_list("pk", "external_id", "memberships__establishment_id")
    )
    everyone: set[int] = set()
    missing: set[int] = set()
    per_school: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # [absent, total]
    for pk, external_id, establishment_id in candidates.iterator():
        everyone.add(pk)
        per_school[establishment_id][1] += 1
        if external_id not in listed:
            missing.add(pk)
            per_school[establishment_id][0] += 1
    absent = sorted(missing)
    if not force:
        if too_many_absent(len(absent), len(everyone)):
            raise LargeAbsence(len(absent), len(everyone))
        for establishment_id, (leaving, total) in sorted(per_school.items()):
            if too_many_absent(leaving, total):
                uai = Establishment.objects.get(pk=establishment_id).uai
                raise LargeAbsence(leaving, total, uai)
    deactivated: list[int] = []
    for chunk in batched(absent, CHUNK):
        if kind == RELATIVE:  # still named by an active pupil's record: still a relative
            named = set(
                ParentLink.objects.filter(parent_id__in=chunk, child__is_active=True).values_list(
                    "parent_id", flat=True
                )
            )
            chunk = [pk for pk in chunk if pk not in named]
        concerned: dict[int, list[int]] = defaultdict(list)
        elsewhere: set[int] = set()
        for pk, person_id, establishment_id, profile in Membership.objects.filter(
            person_id__in=chunk
        ).values_list("pk", "person_id", "establishment_id", "profile"):
            if establishment_id in covered and profile in profiles:
                concerned[person_id].append(pk)
            else:
                elsewhere.add(person_id)
        ended = [pk for person_id in elsewhere for pk in concerned.get(person_id, [])]
        if ended:
            Membership.objects.filter(pk__in=ended).delete()
            report.memberships_ended += len(ended)
        gone = [pk for pk in chunk if pk not in elsewhere]
        Person.objects.filter(pk__in=gone).update(
            is_active=False,
            deactivated_at=timezone.now(),
            updated_at=timezone.now(),
            active_when_unblocked=False,  # a blocked account stays deactivated when unblocked
        )
        deactivated.extend(gone)
        for uai, count in _per_establishment(gone, covered, profiles).items():
            report.by_establishment[uai].bump("deactivated", count)
    report.by_type[kind].bump("deactivated", len(deactivated))
    return deactivated


def tally_deleted(kind: str, pks: list[int], aaf_establishments: set[int], report: Report) -> None:
    """Counts a delta's deactivations (delete records) in the establishments of the accounts."""
    for uai, count in _per_establishment(pks, aaf_establishments, TYPE_PROFILES[kind]).items():
        report.by_establishment[uai].bump("deactivated", count)


def _per_establishment(
    pks: list[int], covered: set[int], profiles: frozenset[str]
) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    rows = Membership.objects.filter(
        person_id__in=pks, establishment_id__in=covered, profile__in=profiles
    ).values_list("establishment__uai", flat=True)
    for uai in rows:
        counts[uai] += 1
    return counts
