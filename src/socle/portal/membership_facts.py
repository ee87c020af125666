"""A person's memberships as the access decision reads them (``socle.portal.policy``), with the
classes each membership covers besides its own.

A class group of an « Accès population » rule covers the class's pupils, the members who teach it
(the AAF's ``ENTAuxEnsClasses``, stored as ``MembershipGroup`` rows of kind « classe ») and the
parents of its pupils (``ParentLink`` to an active pupil of the class, in the same
establishment). A pupil's membership covers nothing more, so a pupil's SSO hop costs no extra
query; a parent's costs one (the children's classes), a staff member's one (the classes taught,
and the functions, « disciplines de poste » and subjects held in each establishment, which a
rule may name: AAF ``ENTPersonFonctions`` and ``ENTAuxEnsMatiereEnseignEtab``, stored on one
membership per establishment and read for all of the person's staff memberships there).

Levels (« niveaux ») are not read with the rest: only a service whose rules name levels needs
them, and then :func:`levels_of` reads them (one indexed query for a pupil, one for a parent)
and :func:`with_levels` adds them to the facts; every other hop costs nothing more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from socle.directory.models import GroupKind, Membership, MembershipGroup
from socle.directory.profiles import Profile
from socle.portal.policy import HOLD_NOTHING, MembershipFact, level_key

PARENT = Profile.PARENT.value
PUPIL = Profile.PUPIL.value
Row = tuple[int, str, bool, str]  # establishment_id, profile, is_admin, class_name


Children = dict[int, frozenset[str]]  # establishment_id → the classes of one's children there
STAFF_KINDS = (GroupKind.CLASS, GroupKind.FUNCTION, GroupKind.DISCIPLINE, GroupKind.SUBJECT)


@dataclass(frozen=True)
class Held:
    """A staff member's rows: classes taught per (establishment, profile) (casefolded);
    functions, disciplines and subjects taught per establishment (folded by ``level_key``:
    without case, accents nor repeated spaces, as the rules' lists)."""

    classes: dict[tuple[int, str], frozenset[str]] = field(default_factory=dict)
    functions: dict[int, frozenset[str]] = field(default_factory=dict)
    disciplines: dict[int, frozenset[str]] = field(default_factory=dict)
    subjects: dict[int, frozenset[str]] = field(default_factory=dict)


NOTHING_HELD = Held()


def _held(rows: Iterable[tuple[int, str, str, str]]) -> Held:
    """From ``(establishment_id, profile, kind, name)`` rows."""
    classes: dict[tuple[int, str], set[str]] = defaultdict(set)
    by_kind: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for est_id, profile, kind, name in rows:
        if kind == GroupKind.CLASS:
            classes[(est_id, profile)].add(name.casefold())
        else:
            by_kind[kind][est_id].add(level_key(name))  # as the rules' lists

    def frozen(found: dict[int, set[str]]) -> dict[int, frozenset[str]]:
        return {est_id: frozenset(names) for est_id, names in found.items()}

    return Held(
        {key: frozenset(names) for key, names in classes.items()},
        frozen(by_kind[GroupKind.FUNCTION]),
        frozen(by_kind[GroupKind.DISCIPLINE]),
        frozen(by_kind[GroupKind.SUBJECT]),
    )


def _staff_rows(person_id: int) -> Held:
    return _held(
        MembershipGroup.objects.filter(
            membership__person_id=person_id, kind__in=STAFF_KINDS
        ).values_list("membership__establishment_id", "membership__profile", "kind", "name")
    )


def children_classes(parent_ids: Iterable[int]) -> dict[int, Children]:
    """For each of these people, the casefolded classes of their children (active pupils they
    are a responsable of), per establishment: one query whatever their number."""
    ids = set(parent_ids)
    if not ids:
        return {}
    found: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for parent_id, est_id, name in (
        Membership.objects.filter(
            profile=Profile.PUPIL,
            person__is_active=True,
            person__parent_links__parent_id__in=ids,
        )
        .exclude(class_name="")
        .values_list("person__parent_links__parent_id", "establishment_id", "class_name")
    ):
        found[parent_id][est_id].add(name.casefold())
    return {
        parent_id: {est_id: frozenset(names) for est_id, names in classes.items()}
        for parent_id, classes in found.items()
    }


def _facts(rows: list[Row], held: Held, children: Children) -> tuple[MembershipFact, ...]:
    """The one place the facts are built: a pupil's or a parent's membership teaches and holds
    nothing, whatever rows it has, and only a parent's covers children, so the CAS and « Accès
    utilisateur » always agree."""
    facts = []
    for est_id, profile, is_admin, class_name in rows:
        staff = profile not in HOLD_NOTHING
        facts.append(
            MembershipFact(
                est_id,
                profile,
                is_admin,
                class_name,
                held.classes.get((est_id, profile), frozenset()) if staff else frozenset(),
                children.get(est_id, frozenset()) if profile == PARENT else frozenset(),
                held.functions.get(est_id, frozenset()) if staff else frozenset(),
                held.disciplines.get(est_id, frozenset()) if staff else frozenset(),
                held.subjects.get(est_id, frozenset()) if staff else frozenset(),
            )
        )
    return tuple(facts)


def _is_parent(rows: list[Row]) -> bool:
    return any(profile == PARENT for _, profile, _, _ in rows)


def facts_from_rows(person_id: int, rows: Iterable[Row]) -> tuple[MembershipFact, ...]:
    """Memberships read as ``(establishment_id, profile, is_admin, class_name)`` rows; one query
    more for the classes taught, functions and disciplines, only when a membership may teach,
    and one for the children's classes, only when one is a parent's."""
    rows = list(rows)
    may_teach = any(profile not in HOLD_NOTHING for _, profile, _, _ in rows)
    children = children_classes([person_id]).get(person_id, {}) if _is_parent(rows) else {}
    return _facts(rows, _staff_rows(person_id) if may_teach else NOTHING_HELD, children)


def facts_from_memberships(
    person_id: int, memberships: Iterable[Any], children: dict[int, Children] | None = None
) -> tuple[MembershipFact, ...]:
    """The same from ``Membership`` instances; their ``teaching_groups`` are read from a
    prefetch when the caller made one (``memberships__teaching_groups``), else queried, and the
    children's classes from ``children`` (:func:`children_classes` of many people at once) when
    given, else queried."""
    memberships = list(memberships)
    rows = [(m.establishment_id, m.profile, m.is_admin, m.class_name) for m in memberships]
    if not all(
        "teaching_groups" in getattr(m, "_prefetched_objects_cache", {}) for m in memberships
    ):
        return facts_from_rows(person_id, rows)
    held = _held(
        (m.establishment_id, m.profile, g.kind, g.name)
        for m in memberships
        for g in m.teaching_groups.all()
        if g.kind in STAFF_KINDS
    )
    if children is None:
        children = children_classes([person_id]) if _is_parent(rows) else {}
    return _facts(rows, held, children.get(person_id, {}))


Levels = dict[tuple[int, str], frozenset[str]]  # (establishment_id, profile) → folded levels


def levels_of(people: Mapping[int, Iterable[MembershipFact]]) -> dict[int, Levels]:
    """For these people (id → their facts), the levels (folded by ``level_key``) of their pupil
    memberships, and those of their children (active pupils they are a responsable of) for their
    parent memberships, per establishment. Two queries at most whatever their number, each on
    its own index: the pupils' levels only when one of them holds a pupil membership, the
    children's only when one holds a parent membership (an OR of both would read every level)."""
    pupils = {p for p, facts in people.items() for m in facts if m.profile == PUPIL}
    parents = {p for p, facts in people.items() for m in facts if m.profile == PARENT}
    found: dict[int, dict[tuple[int, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    level_rows = MembershipGroup.objects.filter(kind=GroupKind.LEVEL, membership__profile=PUPIL)
    if pupils:
        for pupil_id, est_id, name in level_rows.filter(
            membership__person_id__in=pupils
        ).values_list("membership__person_id", "membership__establishment_id", "name"):
            found[pupil_id][(est_id, PUPIL)].add(level_key(name))
    if parents:
        for parent_id, est_id, name in level_rows.filter(
            membership__person__is_active=True,
            membership__person__parent_links__parent_id__in=parents,
        ).values_list(
            "membership__person__parent_links__parent_id", "membership__establishment_id", "name"
        ):
            found[parent_id][(est_id, PARENT)].add(level_key(name))
    return {
        person_id: {key: frozenset(names) for key, names in levels.items()}
        for person_id, levels in found.items()
    }


def with_levels(
    memberships: Iterable[MembershipFact], levels: Levels
) -> tuple[MembershipFact, ...]:
    """The facts with the levels of :func:`levels_of` (a pupil's or a parent's memberships)."""
    return tuple(
        replace(m, levels=levels.get((m.establishment_id, m.profile), frozenset()))
        if m.profile in HOLD_NOTHING
        else m
        for m in memberships
    )


def may_have_levels(memberships: Iterable[MembershipFact]) -> bool:
    """Whether any membership is a pupil's or a parent's (the others have no level)."""
    return any(m.profile in HOLD_NOTHING for m in memberships)
