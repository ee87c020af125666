"""A person's memberships as the access decision reads them (``socle.portal.policy``), with the
classes each membership teaches.

A class group of an « Accès population » rule covers the class's pupils and the members who
teach it: the AAF's ``ENTAuxEnsClasses``, stored as ``MembershipGroup`` rows of kind
« classe ». Pupils and parents teach nothing, so their memberships cost no query for it: the
SSO hop of a pupil reads exactly what it read before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from socle.directory.models import GroupKind, MembershipGroup
from socle.directory.profiles import Profile
from socle.portal.policy import MembershipFact

TEACH_NOTHING = frozenset({Profile.PUPIL.value, Profile.PARENT.value})
Row = tuple[int, str, bool, str]  # establishment_id, profile, is_admin, class_name


Taught = dict[tuple[int, str], frozenset[str]]  # (establishment_id, profile) → class names


def _taught_classes(person_id: int) -> Taught:
    found: dict[tuple[int, str], set[str]] = defaultdict(set)
    for est_id, profile, name in MembershipGroup.objects.filter(
        membership__person_id=person_id, kind=GroupKind.CLASS
    ).values_list("membership__establishment_id", "membership__profile", "name"):
        found[(est_id, profile)].add(name.casefold())
    return {key: frozenset(names) for key, names in found.items()}


def _facts(rows: list[Row], taught: Taught) -> tuple[MembershipFact, ...]:
    """The one place the facts are built: a pupil's or a parent's membership teaches nothing,
    whatever rows it holds, so the CAS and « Accès utilisateur » always agree."""
    return tuple(
        MembershipFact(
            est_id,
            profile,
            is_admin,
            class_name,
            frozenset() if profile in TEACH_NOTHING else taught.get((est_id, profile), frozenset()),
        )
        for est_id, profile, is_admin, class_name in rows
    )


def facts_from_rows(person_id: int, rows: Iterable[Row]) -> tuple[MembershipFact, ...]:
    """Memberships read as ``(establishment_id, profile, is_admin, class_name)`` rows; one query
    more for the classes taught, only when a membership may teach."""
    rows = list(rows)
    may_teach = any(profile not in TEACH_NOTHING for _, profile, _, _ in rows)
    return _facts(rows, _taught_classes(person_id) if may_teach else {})


def facts_from_memberships(
    person_id: int, memberships: Iterable[Any]
) -> tuple[MembershipFact, ...]:
    """The same from ``Membership`` instances; their ``teaching_groups`` are read from a
    prefetch when the caller made one (``memberships__teaching_groups``), else queried."""
    memberships = list(memberships)
    rows = [(m.establishment_id, m.profile, m.is_admin, m.class_name) for m in memberships]
    if not all(
        "teaching_groups" in getattr(m, "_prefetched_objects_cache", {}) for m in memberships
    ):
        return facts_from_rows(person_id, rows)
    taught = {
        (m.establishment_id, m.profile): frozenset(
            g.name.casefold() for g in m.teaching_groups.all() if g.kind == GroupKind.CLASS
        )
        for m in memberships
    }
    return _facts(rows, taught)
