"""« Accès utilisateur »: access given to one person by name.

Stored with the ordinary machinery: a hand-made group « Accès individuel — <code> » per
establishment, and one « Accès population » rule (Liste de groupes × Tous les profils) pointing
to it. So ``can_access`` needs nothing special, and the recap table shows the rule. As for any
rule, an establishment that switched the service off (« Activer : Non ») still wins.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from socle.directory.models import Establishment, Person
from socle.portal.models import AccessRule, AccessTarget, Group, Service

PREFIX = "Accès individuel"


def _groups(service: Service) -> QuerySet[Group]:
    """The service's individual groups (found through their rule: renaming the service keeps
    them)."""
    return Group.objects.filter(
        name__startswith=PREFIX,
        access_rules__service=service,
        access_rules__target=AccessTarget.GROUPS,
    ).distinct()


def individual_group(service: Service, establishment: Establishment) -> Group:
    """The establishment's group of people given this service by name, with its rule."""
    with transaction.atomic():
        group = _groups(service).filter(establishment=establishment).first()
        if group is None:
            group, _created = Group.objects.get_or_create(
                establishment=establishment, name=f"{PREFIX} — {service.code} #{service.pk}"[:100]
            )
            rule = AccessRule.objects.create(service=service, target=AccessTarget.GROUPS)
            rule.groups.add(group)
    return group


def grant(service: Service, person: Person, establishment: Establishment) -> None:
    individual_group(service, establishment).members.add(person)


def revoke(service: Service, person: Person, establishment_ids: set[int] | None) -> list[str]:
    """Removes the person from the service's individual groups (within the administrator's
    establishments, ``None`` = all); returns the UAIs of the establishments they left."""
    groups = _groups(service).filter(members=person).select_related("establishment")
    if establishment_ids is not None:
        groups = groups.filter(establishment_id__in=establishment_ids)
    removed = []
    for group in groups:
        group.members.remove(person)
        removed.append(group.establishment.uai)
    return sorted(removed)


def granted_people(service: Service, establishment_ids: set[int] | None) -> list[Person]:
    """People given the service by name, within the administrator's establishments."""
    groups = _groups(service)
    if establishment_ids is not None:
        groups = groups.filter(establishment_id__in=establishment_ids)
    return list(
        Person.objects.filter(portal_groups__in=groups)
        .distinct()
        .order_by("last_name", "first_name")
    )
