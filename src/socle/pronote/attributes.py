"""What the CAS releases to a PRONOTE service (registered in ``PronoteConfig.ready``).

A service with ``sso_type == "pronote"`` is tied to one establishment (UAI) and has a recognition
mode, as in PRONOTE's console « Reconnaissance de l'utilisateur dans PRONOTE à la première
connexion » :

- ``pronote`` (« Avec l'identifiant PRONOTE de l'utilisateur », default): the attribute named
  ``service.pronote_id_attribute`` (``idPronote``) = the person's PRONOTE id for that UAI;
- ``identity`` (« Avec l'identité de l'utilisateur »): ``nom``, ``prenom``, ``dateNaissance``
  (JJ/MM/AAAA), ``codePostal``, ``categories`` (``National_1``… joined by ``;``);
- ``both``: all of them (schools migrating from one mode to the other).

A person without an identifier still gets the ticket (PRONOTE then explains itself); the event
is counted in :class:`~socle.pronote.models.MissingIdentifierEvent` for the diagnostics.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from socle.cas.attributes import previewing as cas_previewing
from socle.core import metrics
from socle.pronote.categories import national_categories

logger = logging.getLogger("socle.pronote")

PRONOTE = "pronote"
IDENTITY_NAMES = ("nom", "prenom", "dateNaissance", "codePostal", "categories")
DEFAULT_ID_ATTRIBUTE = "idPronote"

_preview: contextvars.ContextVar[bool] = contextvars.ContextVar("pronote_preview", default=False)


@contextlib.contextmanager
def preview() -> Iterator[None]:
    """Inside this block the provider records nothing (diagnostics showing a response)."""
    token = _preview.set(True)
    try:
        yield
    finally:
        _preview.reset(token)


def _recognition(service: Any) -> str:
    return getattr(service, "pronote_recognition", "") or PRONOTE


def _id_attribute(service: Any) -> str:
    return (getattr(service, "pronote_id_attribute", "") or DEFAULT_ID_ATTRIBUTE).strip()


def is_pronote_service(service: Any) -> bool:
    return getattr(service, "sso_type", "") == PRONOTE


def mandatory_names(service: Any) -> set[str]:
    """Names always released to a PRONOTE service, whatever its release list says."""
    if not is_pronote_service(service):
        return set()
    recognition = _recognition(service)
    names: set[str] = set()
    if recognition in (PRONOTE, "both"):
        names.add(_id_attribute(service))
    if recognition in ("identity", "both"):
        names.update(IDENTITY_NAMES)
    return names


def pronote_id_for(person: Any, establishment_id: int | None) -> str:
    from socle.pronote.models import PronoteIdentity

    if establishment_id is None:
        return ""
    return (
        PronoteIdentity.objects.filter(person_id=person.pk, establishment_id=establishment_id)
        .values_list("pronote_id", flat=True)
        .first()
        or ""
    )


def identity_attributes(person: Any, establishment_id: int | None) -> dict[str, list[str]]:
    """``categories`` comes from the person's profiles in the service's establishment only:
    none (no ``categories`` sent) for someone who has no membership there, e.g. a global
    administrator, rather than the profiles of another school. Without an establishment (a
    PRONOTE service always has one: ``service_add --sso pronote`` requires ``--uai``), all."""
    memberships = person.memberships.all()
    profiles = {
        m.profile
        for m in memberships
        if establishment_id is None or m.establishment_id == establishment_id
    }
    values = {
        "nom": person.last_name,
        "prenom": person.first_name,
        "dateNaissance": person.birth_date.strftime("%d/%m/%Y") if person.birth_date else "",
        "codePostal": person.postal_code,
        "categories": national_categories(profiles),
    }
    return {name: [value] for name, value in values.items() if value}


def pronote_attributes(person: Any, service: Any) -> dict[str, list[str]]:
    """The attribute provider."""
    if not is_pronote_service(service):
        return {}
    establishment_id = getattr(service, "establishment_id", None)
    recognition = _recognition(service)
    attributes: dict[str, list[str]] = {}
    if recognition in (PRONOTE, "both"):
        pronote_id = pronote_id_for(person, establishment_id)
        if pronote_id:
            attributes[_id_attribute(service)] = [pronote_id]
        elif establishment_id is not None and not (_preview.get() or cas_previewing()):
            record_missing(person, establishment_id, getattr(service, "code", ""))
    if recognition in ("identity", "both"):
        attributes.update(identity_attributes(person, establishment_id))
    return attributes


def record_missing(person: Any, establishment_id: int, service_code: str) -> None:
    """Counts one "ticket without PRONOTE identifier" (never fails the CAS validation)."""
    from socle.pronote.models import MissingIdentifierEvent

    metrics.pronote_missing_identifier()
    logger.warning(
        "pronote_missing_id person=%s establishment=%s service=%s",
        getattr(person, "uid", person.pk),
        establishment_id,
        service_code,
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            updated = MissingIdentifierEvent.objects.filter(
                person_id=person.pk, establishment_id=establishment_id
            ).update(count=F("count") + 1, last_at=now, service_code=service_code[:50])
            if not updated:
                MissingIdentifierEvent.objects.create(
                    person_id=person.pk,
                    establishment_id=establishment_id,
                    service_code=service_code[:50],
                    first_at=now,
                    last_at=now,
                )
    except DatabaseError:  # e.g. a concurrent first insert; the log line is enough
        logger.exception("pronote_missing_id not recorded")
