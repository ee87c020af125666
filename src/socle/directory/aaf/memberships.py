"""The memberships of the people of one batch of an AAF file: made to match the records, in
the establishments the AAF feeds (``socle.directory.aaf.people`` calls :func:`sync_memberships`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from socle.core.batches import batched
from socle.core.fastsql import insert_rows
from socle.directory.aaf.fastsql import rows_in
from socle.directory.aaf.groups import carry_over
from socle.directory.aaf.mapping import STAFF, TYPE_PROFILES
from socle.directory.models import Membership

if TYPE_CHECKING:
    from socle.directory.aaf.records import PersonData

CHUNK = 1000
MembershipRow = tuple[int, int, int, str]  # pk, person_id, establishment_id, profile


def sync_memberships(
    handled: list[tuple[int, PersonData, str]], kind: str, aaf_establishments: set[int]
) -> tuple[set[int], list[MembershipRow] | None]:
    """Makes each person's memberships of the file's profiles match the record; returns the pks
    of the people whose memberships changed and, when a record carries classes or groups, their
    memberships as they now are (for ``sync_groups``; None when not read). Memberships in
    establishments the AAF does not feed (no ``ENTStructureJointure``) are never removed."""
    profiles = TYPE_PROFILES.get(kind)
    wanted = [(pk, d) for pk, d, _ in handled if d.memberships is not None]
    if not profiles or not wanted:
        return set(), None
    existing: dict[int, dict[tuple[int, str], tuple[int, str]]] = defaultdict(dict)
    known = [pk for pk, _, status in handled if status != "created"]
    rows = rows_in(
        Membership,
        ("pk", "person_id", "establishment_id", "profile", "class_name"),
        "person_id",
        known,
        where=f"profile IN ({', '.join(['%s'] * len(profiles))})",
        params=sorted(profiles),
    )
    for pk, person_id, establishment_id, profile, class_name in rows:
        existing[person_id][(establishment_id, profile)] = (pk, class_name)
    to_create: list[dict[str, Any]] = []
    to_update: list[Membership] = []
    to_delete: list[int] = []
    changed: set[int] = set()
    for person_pk, data in wanted:
        assert data.memberships is not None
        current = existing.get(person_pk, {})
        for (establishment_id, profile), class_name in data.memberships.items():
            found = current.get((establishment_id, profile))
            if found is None:
                to_create.append(
                    {
                        "person_id": person_pk,
                        "establishment_id": establishment_id,
                        "profile": profile,
                        "class_name": class_name,
                    }
                )
                changed.add(person_pk)
            elif found[1] != class_name:
                to_update.append(Membership(pk=found[0], class_name=class_name))
                changed.add(person_pk)
        for key, (pk, _class_name) in current.items():
            if key not in data.memberships and key[0] in aaf_establishments:
                to_delete.append(pk)
                changed.add(person_pk)
    insert_rows(Membership, to_create)
    Membership.objects.bulk_update(to_update, ["class_name"], batch_size=CHUNK)
    if kind == STAFF:  # a profile changed in a school: its rows stay the person's there
        carry_over(to_delete, sorted(profiles))
    for chunk in batched(to_delete, CHUNK):
        Membership.objects.filter(pk__in=chunk).delete()
    if not any(d.groups is not None for _pk, d, _status in handled):
        return changed, None
    gone = set(to_delete)
    now = {row[0]: row[:4] for row in rows if row[0] not in gone}
    if to_create:  # their pks: one more read, of the people who got a membership
        people = sorted({row["person_id"] for row in to_create})
        columns = ("pk", "person_id", "establishment_id", "profile")
        where = f"profile IN ({', '.join(['%s'] * len(profiles))})"
        for row in rows_in(
            Membership, columns, "person_id", people, where=where, params=sorted(profiles)
        ):
            now[row[0]] = row
    return changed, list(now.values())
