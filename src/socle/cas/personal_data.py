"""What the CAS gives services about one person (``socle person_data``) and the purge of
expired tickets and sessions (``socle retention_purge``): registered in ``CasConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from socle.cas.attributes import collect, preview
from socle.cas.tickets import get_store
from socle.cas.usernames import cas_username
from socle.core.personal_data import register_export, register_purge
from socle.directory.models import Person
from socle.portal.access import accessible_services
from socle.portal.models import Service, SSOType


def released(person: Person) -> list[dict[str, Any]]:
    """For each CAS service of the registry: the CAS user name it receives (or received) for
    the person, whether the person may open it now, and then the attributes it receives —
    computed as a validation would, but recording nothing (:func:`preview`)."""
    services = list(
        Service.objects.filter(sso_type__in=(SSOType.CAS, SSOType.PRONOTE))
        .select_related("establishment")
        .order_by("code")
    )
    # Decided together, in a constant number of queries (a region registers a PRONOTE per
    # school: « Mes données » reads this on every visit); the same decision as ``can_access``.
    allowed = accessible_services(person, services)
    rows = []
    with preview():
        for service in services:
            may_open = service.enabled and service.pk in allowed
            rows.append(
                {
                    "service_code": service.code,
                    "service": service.label,
                    "enabled": service.enabled,
                    "username_mode": service.username_mode,
                    "user_name": cas_username(person, service),
                    "may_open": may_open,
                    "attributes": collect(person, service) if may_open else {},
                }
            )
    return rows


def purge_tickets(dry_run: bool) -> int | None:
    """Expired tickets and SSO sessions (the database store; Redis expires its own). A dry run
    does not count them (``None``): the store purges them by itself every 5 minutes anyway."""
    if dry_run:
        return None
    return get_store().purge_expired()


def register() -> None:
    register_export("cas_services", released)
    register_purge("cas_tickets", _("tickets et sessions CAS expirés"), purge_tickets)
