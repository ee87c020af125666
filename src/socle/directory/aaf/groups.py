"""Classes and groups from the AAF (``ENTAuxEnsClasses``, ``ENTAuxEnsGroupes``,
``ENTEleveGroupes``): reading their ``struct$name[$…]`` values, and writing them as
``MembershipGroup`` rows of the person's membership in each establishment.

As for the rest of the import, each batch costs a few set-based queries (the people's
memberships, then their rows) and only the differences are written: reading the same file again
writes nothing. A record carrying one of these attributes replaces the person's rows of its kind
(classes or groups), and only those.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from socle.core.fastsql import insert_rows
from socle.directory.aaf.fastsql import delete_rows, rows_in
from socle.directory.aaf.mapping import (
    FUNCTION_KINDS,
    GROUP_FIELDS,
    GROUP_NAME_MAX,
    RULES_BY_TYPE,
    STAFF,
    SUBJECT_KIND,
    TYPE_PROFILES,
)
from socle.directory.models import Membership, MembershipGroup
from socle.directory.profiles import Profile

if TYPE_CHECKING:
    from socle.directory.aaf.records import PersonData, StructureIndex

# Establishment key of ``PersonData.groups`` for names that go to each of the person's
# memberships of the file's profiles, wherever they are (a pupil's level: one per AAF record).
EVERY_MEMBERSHIP = 0

# Which of a person's memberships in an establishment holds their classes and groups: the
# teacher's when there is one, else the first of the others by profile code.
_PREFERRED = {str(Profile.TEACHER): 0, str(Profile.PUPIL): 0}


def parse_groups(
    values: dict[str, list[str]], kind: str, structures: StructureIndex, errors: list[str]
) -> dict[str, dict[int, set[str]]] | None:
    """Reads the ``struct$name[$…]`` values of the class and group attributes the record
    carries: ``struct`` is an ``ENTStructureJointure`` (or a UAI), only the first two fields
    count (some academies append subjects). A malformed value is set aside with its reason in
    ``errors``; the others are kept. None when the record carries none of these attributes."""
    found: dict[str, dict[int, set[str]]] = {}
    for name, group_kind in GROUP_FIELDS.items():
        if name not in values:
            continue
        by_establishment = found.setdefault(group_kind, {})
        for item in values[name]:
            parts = item.split("$")
            structure = parts[0].strip()
            group = parts[1].strip() if len(parts) > 1 else ""
            if not structure or not group:
                reason = _("« établissement$nom » attendu.")
            elif len(group) > GROUP_NAME_MAX:
                reason = _("nom trop long (%(length)s caractères, %(limit)s au plus).") % {
                    "length": len(group),
                    "limit": GROUP_NAME_MAX,
                }
            elif (pk := structures.resolve(structure)) is None:
                reason = _("établissement inconnu (%(structure)s).") % {"structure": structure}
            else:
                by_establishment.setdefault(pk, set()).add(group)
                continue
            errors.append(value_error(kind, name, item, reason))
    if kind == STAFF and "functions" in values:
        _report_unknown(values["functions"], kind, "functions", structures, errors)
        found.update(function_groups(values["functions"], structures))
    if kind == STAFF and "subjects" in values:
        _report_unknown(values["subjects"], kind, "subjects", structures, errors)
        found[SUBJECT_KIND] = _labels_by_establishment(values["subjects"], structures, 1)
    return found or None


def _report_unknown(
    items: list[str], kind: str, name: str, structures: StructureIndex, errors: list[str]
) -> None:
    """A value naming an establishment that no file describes is reported (and left out)."""
    for item in items:
        structure = item.split("$")[0].strip()
        if structure and structures.resolve(structure) is None:
            reason = _("établissement inconnu (%(structure)s).") % {"structure": structure}
            errors.append(value_error(kind, name, item, reason))


def function_groups(items: list[str], structures: StructureIndex) -> dict[str, dict[int, set[str]]]:
    """Functions and « disciplines de poste » of ``struct$code$libellé[$discipline$libellé]``
    values: the label, else the code, cut to :data:`GROUP_NAME_MAX`. Values of an unknown
    establishment are left out (:func:`parse_groups` reports them)."""
    return {
        kind: _labels_by_establishment(items, structures, label, code)
        for kind, (code, label) in zip(FUNCTION_KINDS, ((1, 2), (3, 4)), strict=True)
    }


def _labels_by_establishment(
    items: list[str], structures: StructureIndex, label: int, code: int | None = None
) -> dict[int, set[str]]:
    """Field ``label`` (else field ``code``) of ``struct$…`` values, per establishment, cut to
    :data:`GROUP_NAME_MAX`; values of an unknown establishment are left out."""
    found: dict[int, set[str]] = {}
    for item in items:
        parts = [part.strip() for part in item.split("$")]
        pk = structures.resolve(parts[0]) if parts[0] else None
        if pk is None:
            continue
        name = parts[label] if len(parts) > label else ""
        if not name and code is not None and len(parts) > code:
            name = parts[code]
        name = name[:GROUP_NAME_MAX].rstrip()
        if name:
            found.setdefault(pk, set()).add(name)
    return found


def value_error(kind: str, name: str, value: str, reason: str) -> str:
    """« valeur ATTRIBUT « VALEUR » ignorée : RAISON » for the field ``name`` of file type
    ``kind``."""
    attribute = next(r.attribute for r in RULES_BY_TYPE[kind].values() if r.field == name)
    return _("valeur %(attribute)s « %(value)s » ignorée : %(reason)s") % {
        "attribute": attribute,
        "value": value[:80],
        "reason": reason,
    }


def sync_groups(
    handled: list[tuple[int, PersonData]],
    kind: str,
    report: Callable[[str, str], None],
    memberships: list[tuple[int, int, int, str]] | None = None,
) -> set[int]:
    """Makes the rows of the kinds each record carries match it, on the person's membership
    (of the file's profiles) in each establishment; returns the pks of the people whose rows
    changed. A value for an establishment where the person has no such membership is reported
    through ``report(record_id, reason)`` and set aside. ``memberships`` (pk, person,
    establishment, profile), when given, are the people's memberships of the file's profiles
    as they now are (read by the caller): they are then not read again."""
    wanted = [(pk, data) for pk, data in handled if data.groups is not None]
    profiles = sorted(TYPE_PROFILES.get(kind) or ())
    if not wanted or not profiles:
        return set()
    if memberships is None:
        memberships = rows_in(
            Membership,
            ("pk", "person_id", "establishment_id", "profile"),
            "person_id",
            [pk for pk, _data in wanted],
            where=f"profile IN ({', '.join(['%s'] * len(profiles))})",
            params=profiles,
        )
    holder: dict[tuple[int, int], tuple[int, str]] = {}  # (person, establishment) → membership
    owner: dict[int, int] = {}  # membership → person
    held_by: dict[int, list[int]] = defaultdict(list)  # person → memberships (EVERY_MEMBERSHIP)
    people = {pk for pk, _data in wanted}
    for pk, person_id, establishment_id, profile in memberships:
        if person_id not in people:
            continue
        owner[pk] = person_id
        held_by[person_id].append(pk)
        rank = (_PREFERRED.get(profile, 1), profile)
        held = holder.get((person_id, establishment_id))
        if held is None or rank < (_PREFERRED.get(held[1], 1), held[1]):
            holder[(person_id, establishment_id)] = (pk, profile)
    existing: dict[int, dict[tuple[int, str, str], int]] = defaultdict(dict)
    for pk, membership_id, group_kind, name in rows_in(
        MembershipGroup, ("pk", "membership_id", "kind", "name"), "membership_id", list(owner)
    ):
        existing[owner[membership_id]][(membership_id, group_kind, name)] = pk
    to_create: list[dict[str, Any]] = []
    to_delete: list[int] = []
    changed: set[int] = set()
    for person_id, data in wanted:
        assert data.groups is not None
        desired: set[tuple[int, str, str]] = set()
        for group_kind, by_establishment in data.groups.items():
            for establishment_id, names in by_establishment.items():
                if establishment_id == EVERY_MEMBERSHIP:
                    desired.update((m, group_kind, n) for m in held_by[person_id] for n in names)
                    continue
                found = holder.get((person_id, establishment_id))
                if found is None:
                    for name in sorted(names):
                        report(data.external_id, _no_membership(kind, group_kind, name))
                    continue
                membership_id = found[0]
                for name in names:
                    desired.add((membership_id, group_kind, name))
        current = existing.get(person_id)
        if not current:
            if desired:
                to_create.extend({"membership_id": m, "kind": k, "name": n} for m, k, n in desired)
                changed.add(person_id)
            continue
        if current.keys() == desired:  # the usual case of a file read again
            continue
        for row in desired:
            if row not in current:
                membership_id, group_kind, name = row
                to_create.append({"membership_id": membership_id, "kind": group_kind, "name": name})
                changed.add(person_id)
        for row, pk in current.items():
            if row[1] in data.groups and row not in desired:
                to_delete.append(pk)
                changed.add(person_id)
    insert_rows(MembershipGroup, to_create)
    delete_rows(MembershipGroup, to_delete)
    return changed


def _no_membership(kind: str, group_kind: str, name: str) -> str:
    fallback = "subjects" if group_kind == SUBJECT_KIND else "functions"
    field = next((f for f, k in GROUP_FIELDS.items() if k == group_kind), fallback)
    return value_error(kind, field, name, _("la personne n'est pas rattachée à cet établissement."))


def carry_over(leaving: list[int], profiles: list[str]) -> None:
    """Before staff memberships are deleted (``leaving``), their rows (classes, groups,
    functions…) move to the membership that holds such rows in the same establishment after the
    change, when the person keeps one there: what the full file gives when a profile changes
    (e.g. ``PersEducNatPresenceDevantEleves`` turned to ``N``: « Enseignant » becomes
    « Personnel »), where a modify that does not list the classes would lose them. A few queries,
    only when a membership that holds rows is deleted."""
    if not leaving:
        return
    holding = set(
        MembershipGroup.objects.filter(membership_id__in=leaving)
        .values_list("membership_id", flat=True)
        .distinct()
    )
    if not holding:
        return
    old = {
        pk: (person_id, establishment_id)
        for pk, person_id, establishment_id in Membership.objects.filter(
            pk__in=holding
        ).values_list("pk", "person_id", "establishment_id")
    }
    holder: dict[tuple[int, int], tuple[tuple[int, str], int]] = {}
    for pk, person_id, establishment_id, profile in (
        Membership.objects.filter(person_id__in={p for p, _e in old.values()}, profile__in=profiles)
        .exclude(pk__in=leaving)
        .values_list("pk", "person_id", "establishment_id", "profile")
    ):
        rank = (_PREFERRED.get(profile, 1), profile)
        held = holder.get((person_id, establishment_id))
        if held is None or rank < held[0]:
            holder[(person_id, establishment_id)] = (rank, pk)
    for old_pk, key in old.items():
        if key not in holder:
            continue  # no membership left there: the rows go with this one
        target = holder[key][1]
        taken = set(
            MembershipGroup.objects.filter(membership_id=target).values_list("kind", "name")
        )
        moving = [
            pk
            for pk, kind, name in MembershipGroup.objects.filter(membership_id=old_pk).values_list(
                "pk", "kind", "name"
            )
            if (kind, name) not in taken
        ]
        MembershipGroup.objects.filter(pk__in=moving).update(membership_id=target)
