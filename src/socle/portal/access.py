"""Who may open which service.

``can_access(person, service, establishment)`` is what the CAS asks before issuing a ticket and
what "Mon espace" asks before listing a service. This module only loads facts from the database
(a handful of small queries, none per rule or per membership); the decision itself is the pure
:func:`socle.portal.policy.decide`, whose docstring states the rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db.models import prefetch_related_objects

from socle.directory.models import Establishment, Person
from socle.portal.access_cache import PersonFacts, person_facts, person_levels, service_policy
from socle.portal.membership_facts import (
    PARENT,
    Levels,
    children_classes,
    facts_from_memberships,
    facts_from_rows,
    levels_of,
    may_have_levels,
    with_levels,
)
from socle.portal.models import (
    AccessMode,
    AccessRule,
    Group,
    Service,
    ServiceActivation,
    is_name_list,
    levels_beside_classes,
)
from socle.portal.policy import (
    ActivationFact,
    Decision,
    GroupFact,
    MembershipFact,
    RuleFact,
    ServicePolicy,
    decide,
    level_key,
)


def membership_facts(person: Any) -> list[MembershipFact]:
    """The person's memberships, with the classes they teach (uses the caller's
    ``prefetch_related("memberships", "memberships__teaching_groups")`` when there is one)."""
    if not getattr(person, "pk", None):
        return []
    if isinstance(person, PersonFacts):
        return list(person.memberships)
    cache = getattr(person, "_prefetched_objects_cache", {})
    if "memberships" in cache:
        return list(facts_from_memberships(person.pk, cache["memberships"]))
    rows = person.memberships.values_list("establishment_id", "profile", "is_admin", "class_name")
    return list(facts_from_rows(person.pk, rows))


def load_policies(services: Iterable[Service]) -> dict[int, ServicePolicy]:
    """The access facts of these services, in at most four queries whatever their number."""
    services = [s for s in services if s.pk]
    ids = [s.pk for s in services]
    activations: dict[int, dict[int, ActivationFact]] = defaultdict(dict)
    for service_id, est_id, enabled, populations in ServiceActivation.objects.filter(
        service_id__in=ids
    ).values_list("service_id", "establishment_id", "enabled", "populations"):
        activations[service_id][est_id] = ActivationFact(enabled, tuple(populations or ()))
    rules_by_service = _load_rules(ids)
    return {
        s.pk: ServicePolicy(
            service_id=s.pk,
            enabled=s.enabled,
            anonymous=s.anonymous,
            open_by_default=s.access_mode == AccessMode.OPEN,
            owner_establishment_id=s.establishment_id,
            activations=activations.get(s.pk, {}),
            rules=tuple(rules_by_service.get(s.pk, ())),
        )
        for s in services
    }


NOTHING_MATCHES = frozenset({""})  # held names are never empty


def _folded(names: object) -> frozenset[str]:
    """A rule's narrowing list, folded by ``level_key`` as the memberships' are (empty: no
    narrowing); a malformed value (not a list of names — ``AccessRule.is_name_list``, e.g.
    typed by hand in the Django admin or stored by a script) matches nobody rather than lifting
    the narrowing, as ``socle.W051`` reports it."""
    if names == []:
        return frozenset()
    if not is_name_list(names):
        return NOTHING_MATCHES
    assert isinstance(names, list)
    return frozenset(map(level_key, names))


LevelsLoader = Callable[[int, Sequence[MembershipFact]], Levels]


def _with_levels(
    person_id: int,
    memberships: Sequence[MembershipFact],
    policies: Iterable[ServicePolicy],
    load: LevelsLoader,
) -> Sequence[MembershipFact]:
    """The memberships with their levels, read through ``load`` only when a rule of these
    services names levels and the person is a pupil or a parent."""
    if not any(p.has_levels for p in policies) or not may_have_levels(memberships):
        return memberships
    return with_levels(memberships, load(person_id, memberships))


def _read_levels(person_id: int, memberships: Sequence[MembershipFact]) -> Levels:
    """The loader of « Accès utilisateur » and « Mon espace »: from the database."""
    return levels_of({person_id: memberships}).get(person_id, {})


def _load_rules(service_ids: list[int]) -> dict[int, list[RuleFact]]:
    rules = list(
        AccessRule.objects.filter(service_id__in=service_ids).values_list(
            "id",
            "service_id",
            "target",
            "profile",
            "functions",
            "disciplines",
            "subjects",
            "levels",
        )
    )
    if not rules:
        return {}
    rule_ids = [r[0] for r in rules]
    est_ids: dict[int, set[int]] = defaultdict(set)
    groups: dict[int, list[GroupFact]] = defaultdict(list)
    if any(r[2] in ("site", "establishments") for r in rules):
        est_links = AccessRule.establishments.through.objects.filter(accessrule_id__in=rule_ids)
        for rule_id, est_id in est_links.values_list("accessrule_id", "establishment_id"):
            est_ids[rule_id].add(est_id)
    if any(r[2] == "groups" for r in rules):
        group_links = AccessRule.groups.through.objects.filter(accessrule_id__in=rule_ids)
        for rule_id, group_id, est_id, class_name in group_links.values_list(
            "accessrule_id", "group_id", "group__establishment_id", "group__class_name"
        ):
            groups[rule_id].append(GroupFact(group_id, est_id, class_name))
    result: dict[int, list[RuleFact]] = defaultdict(list)
    for rule_id, service_id, target, profile, functions, disciplines, subjects, levels in rules:
        folded_levels = _folded(levels)
        if levels_beside_classes(folded_levels, target, (g.class_name for g in groups[rule_id])):
            # a parent would be admitted for one child's class and another child's level; the
            # forms refuse it (``levels_problem``): admits nobody
            folded_levels = NOTHING_MATCHES
        result[service_id].append(
            RuleFact(
                rule_id,
                target,
                profile,
                frozenset(est_ids[rule_id]),
                tuple(groups[rule_id]),
                _folded(functions),
                _folded(disciplines),
                _folded(subjects),
                folded_levels,
            )
        )
    return result


def _person_group_ids(
    person: Person | PersonFacts, policies: Iterable[ServicePolicy]
) -> frozenset[int]:
    wanted = {g.id for p in policies for r in p.rules for g in r.groups if not g.class_name}
    if not wanted:
        return frozenset()
    return frozenset(
        Group.members.through.objects.filter(person_id=person.pk, group_id__in=wanted).values_list(
            "group_id", flat=True
        )
    )


def explain_access(
    person: Person, service: Service, establishment: Establishment | None = None
) -> Decision:
    """The decision with one verdict per membership (for the « Accès utilisateur » tab)."""
    policy = load_policies([service])[service.pk] if service.pk else ServicePolicy(0, False)
    memberships = _with_levels(person.pk, membership_facts(person), [policy], _read_levels)
    return decide(
        policy,
        list(memberships),
        is_active=bool(getattr(person, "is_active", False)),
        is_superuser=bool(getattr(person, "is_superuser", False)),
        person_group_ids=_person_group_ids(person, [policy]),
        establishment_id=establishment.pk if establishment is not None else None,
    )


def explain_for_people(people: list[Person], service: Service) -> dict[int, Decision]:
    """:func:`explain_access` for many people and one service (« Accès utilisateur »): the
    service's facts are loaded once, the memberships in one query."""
    prefetch_related_objects(people, "memberships", "memberships__teaching_groups")
    policy = load_policies([service])[service.pk]
    parents = [p.pk for p in people if any(m.profile == PARENT for m in p.memberships.all())]
    children = children_classes(parents)
    facts = {p.pk: facts_from_memberships(p.pk, p.memberships.all(), children) for p in people}
    levels = levels_of(facts) if policy.has_levels else {}
    return {
        person.pk: decide(
            policy,
            list(
                _with_levels(
                    person.pk, facts[person.pk], [policy], lambda pk, _: levels.get(pk, {})
                )
            ),
            is_active=person.is_active,
            is_superuser=person.is_superuser,
            person_group_ids=_person_group_ids(person, [policy]),
        )
        for person in people
    }


def _policy_of(service: Service) -> ServicePolicy:
    return load_policies([service])[service.pk]


def can_access(
    person: Person | PersonFacts, service: Service, establishment: Establishment | None = None
) -> bool:
    """May ``person`` open ``service`` (as a member of ``establishment`` when given)?

    What the CAS asks before every ticket: answered from the per-process copies of
    :mod:`socle.portal.access_cache` (no query on a hop, except for a service whose rules name
    hand-made groups)."""
    if not getattr(person, "is_active", False) or not service.enabled or not service.pk:
        return False
    policy = service_policy(service, _policy_of)
    if isinstance(person, PersonFacts):
        facts: PersonFacts | None = person
    else:
        facts = person_facts(person.pk)
    if facts is None:
        return False
    group_ids = _person_group_ids(person, [policy]) if policy.has_member_groups else frozenset()
    memberships = _with_levels(facts.pk, facts.memberships, [policy], person_levels)
    return decide(
        policy,
        list(memberships),
        is_active=True,
        is_superuser=bool(getattr(person, "is_superuser", False)),
        person_group_ids=group_ids,
        establishment_id=establishment.pk if establishment is not None else None,
    ).allowed


def accessible_services(
    person: Person, services: Iterable[Service] | None = None
) -> dict[int, Decision]:
    """Decisions for many services at once (Mon espace): a constant number of queries.

    Returns only the services the person may open, keyed by service id."""
    if services is None:
        services = Service.objects.filter(enabled=True)
    services = list(services)
    policies = load_policies(services)
    memberships = list(
        _with_levels(person.pk, membership_facts(person), policies.values(), _read_levels)
    )
    group_ids = _person_group_ids(person, policies.values())
    decisions: dict[int, Decision] = {}
    for service in services:
        decision = decide(
            policies[service.pk],
            memberships,
            is_active=bool(getattr(person, "is_active", False)),
            is_superuser=bool(getattr(person, "is_superuser", False)),
            person_group_ids=group_ids,
        )
        if decision.allowed:
            decisions[service.pk] = decision
    return decisions
