"""Per-process copies of the access facts read on every SSO hop.

Before each service ticket the CAS asks :func:`socle.portal.access.can_access`, which needs the
service's policy (activations, « Accès population » rules) and the person's memberships: three to
six queries per hop when read from the database (docs/benchmarks/analysis.md). Both are kept in
memory per process (``socle.core.versioned``):

- service policies under the version ``portal:policy-version``, changed by any save or delete of a
  service, activation, rule or group (signals below); no expiry needed;
- people (uid, login, active flag, memberships) under ``directory:people-version``, changed by
  any save or delete of a person or membership, except logins recording ``last_login``.
  Directory imports write in bulk without signals, so entries also expire after
  :data:`PEOPLE_TTL` seconds: an import's changes reach the CAS within that delay at most (a
  deactivated account's sessions end at once anyway, through ``person_deactivated``).
- the levels of a pupil's or a parent's memberships, the same way, read only for a service whose
  rules name levels (:func:`person_levels`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from socle.core.versioned import LocalCache, SharedVersion
from socle.directory.models import Membership, MembershipGroup, ParentLink, Person
from socle.portal.membership_facts import Levels, facts_from_rows, levels_of
from socle.portal.models import AccessRule, Group, Service, ServiceActivation
from socle.portal.policy import MembershipFact, ServicePolicy

PEOPLE_TTL = 60.0
POLICY_VERSION = SharedVersion("portal:policy-version")
PEOPLE_VERSION = SharedVersion("directory:people-version")
_policies: LocalCache[ServicePolicy] = LocalCache(POLICY_VERSION, max_entries=4096)
_people: LocalCache[PersonFacts | None] = LocalCache(
    PEOPLE_VERSION, max_entries=50_000, ttl=PEOPLE_TTL
)
_levels: LocalCache[Levels] = LocalCache(PEOPLE_VERSION, max_entries=50_000, ttl=PEOPLE_TTL)
# Saves that change nothing an access decision reads (a login, a password change).
_IRRELEVANT_PERSON_FIELDS = frozenset({"last_login", "password", "updated_at"})


@dataclass(frozen=True)
class PersonFacts:
    """What the CAS needs of a person on a hop or a validation: duck-compatible with ``Person`` for
    :func:`socle.portal.access.can_access` and :func:`socle.portal.traces.record`."""

    pk: int
    uid: str
    login: str
    is_active: bool
    is_superuser: bool
    memberships: tuple[MembershipFact, ...]


def _load_person(person_id: int) -> PersonFacts | None:
    row = (
        Person.objects.filter(pk=person_id)
        .values_list("uid", "login", "is_active", "is_superuser")
        .first()
    )
    if row is None:
        return None
    memberships = Membership.objects.filter(person_id=person_id).values_list(
        "establishment_id", "profile", "is_admin", "class_name"
    )
    return PersonFacts(person_id, *row, facts_from_rows(person_id, memberships))


def person_facts(person_id: int) -> PersonFacts | None:
    """The person's access facts (``None`` if there is no such person)."""
    return _people.get(person_id, lambda: _load_person(person_id))


def person_levels(person_id: int, memberships: Sequence[MembershipFact]) -> Levels:
    """The levels of the person's pupil and parent memberships (``memberships``, their facts:
    :func:`levels_of`)."""
    return _levels.get(person_id, lambda: levels_of({person_id: memberships}).get(person_id, {}))


def service_policy(service: Service, load: Any) -> ServicePolicy:
    """The service's policy, from memory or through ``load(service)``."""
    return _policies.get(
        (
            service.pk,
            service.enabled,
            service.anonymous,
            service.access_mode,
            service.establishment_id,
        ),
        lambda: load(service),
    )


def _policy_changed(sender: Any, **kwargs: Any) -> None:
    POLICY_VERSION.changed()


def _person_saved(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields and set(update_fields) <= _IRRELEVANT_PERSON_FIELDS:
        return
    PEOPLE_VERSION.changed()


def _people_changed(sender: Any, **kwargs: Any) -> None:
    PEOPLE_VERSION.changed()


def connect() -> None:
    """Called once by ``PortalConfig.ready``."""
    for model in (Service, ServiceActivation, AccessRule, Group):
        post_save.connect(_policy_changed, sender=model, dispatch_uid=f"policy-save-{model}")
        post_delete.connect(_policy_changed, sender=model, dispatch_uid=f"policy-del-{model}")
    for through in (AccessRule.establishments.through, AccessRule.groups.through):
        m2m_changed.connect(_policy_changed, sender=through, dispatch_uid=f"policy-m2m-{through}")
    post_save.connect(_person_saved, sender=Person, dispatch_uid="people-person-save")
    post_delete.connect(_people_changed, sender=Person, dispatch_uid="people-person-del")
    post_save.connect(_people_changed, sender=Membership, dispatch_uid="people-member-save")
    post_delete.connect(_people_changed, sender=Membership, dispatch_uid="people-member-del")
    post_save.connect(_people_changed, sender=MembershipGroup, dispatch_uid="people-group-save")
    post_delete.connect(_people_changed, sender=MembershipGroup, dispatch_uid="people-group-del")
    post_save.connect(_people_changed, sender=ParentLink, dispatch_uid="people-parent-save")
    post_delete.connect(_people_changed, sender=ParentLink, dispatch_uid="people-parent-del")
