"""Who may open which service. Pure function over the directory and the catalogue.

``can_access(person, service, establishment)`` is what the CAS asks before issuing a ticket and
what "Mon espace" asks before listing a service.
"""

from __future__ import annotations

from socle.directory.models import Establishment, Person
from socle.portal.models import Service


def can_access(person: Person, service: Service, establishment: Establishment | None = None) -> bool:
    """Baseline rule (extended by per-establishment activation and access rules): an enabled
    service is open to every active member of its establishment, or of any establishment when it
    has none."""
    if not (person.is_active and service.enabled):
        return False
    memberships = person.memberships.all()
    if service.establishment_id is not None:
        memberships = memberships.filter(establishment_id=service.establishment_id)
    if establishment is not None:
        memberships = memberships.filter(establishment=establishment)
    return memberships.exists() or person.is_superuser
