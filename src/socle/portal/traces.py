"""Recording audit traces. Callers pass facts; this module never receives secrets.

Events recorded by the CAS: ``login``, ``login_failed``, ``logout``, ``ticket_issued``,
``ticket_validated``, ``ticket_refused``, ``access_denied``, ``saml_attributes_withheld`` (once
per service and process: a plain-http ``TARGET`` got no SAML attribute). Administrative changes
made in the portal pages: see :data:`ADMIN_EVENTS`. Other apps record their own events and give
their labels with :func:`register_event_labels` (``socle.pronote.journal``); an unknown name is
shown as is.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socle.core import metrics
from socle.core.middleware import client_address_of
from socle.portal import trace_buffer
from socle.portal.models import Trace

logger = logging.getLogger("socle.traces")

ADMIN_EVENTS = {
    "service_created": _("Service créé"),
    "service_updated": _("Service modifié"),
    "service_deleted": _("Service supprimé"),
    "access_mode_changed": _("Accès par défaut modifié"),
    "activation_changed": _("Activation modifiée"),
    "access_rule_added": _("Droit d'accès ajouté"),
    "access_rule_removed": _("Droit d'accès supprimé"),
    "traces_purged": _("Traces purgées"),
    "person_data_exported": _("Données d'une personne exportées"),
    "leavers_deleted": _("Comptes supprimés (durée de conservation)"),
    "password_reset": _("Mot de passe réinitialisé"),
    "account_blocked": _("Compte bloqué"),
    "account_unblocked": _("Compte débloqué"),
}

EVENT_LABELS = {
    "login": _("Connexion"),
    "login_failed": _("Échec de connexion"),
    "logout": _("Déconnexion"),
    "ticket_issued": _("Ticket émis"),
    "ticket_validated": _("Ticket validé"),
    "ticket_refused": _("Ticket refusé"),
    "access_denied": _("Accès refusé"),
    "saml_attributes_withheld": _("Attributs SAML non transmis (adresse en http)"),
    **ADMIN_EVENTS,
}


def register_event_labels(labels: Mapping[str, Any]) -> None:
    """Labels of another app's events, for the « Traces » page, its filter and its CSV (called
    from that app's ``AppConfig.ready``)."""
    EVENT_LABELS.update(labels)


OUTCOME_LABELS = {
    "ok": _("réussi"),
    "failed": _("échec"),
    "refused": _("refusé"),
    "denied": _("refusé"),
    "error": _("erreur"),
}


def event_label(event: str) -> str:
    return str(EVENT_LABELS.get(event, event))


def storable(text: str) -> str:
    """``text`` as both databases store it: a NUL character (which PostgreSQL refuses in text,
    losing the trace: a ticket or a login typed with ``%00``) and a lone surrogate (no UTF-8
    for it: a file name or argument read with ``surrogateescape``) become U+FFFD, one character
    for one, so that a truncated field stays within its length."""
    if text.isascii():
        return text.replace("\x00", "\ufffd") if "\x00" in text else text
    text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def record(
    event: str,
    *,
    outcome: str = "ok",
    person: Any = None,
    detail: str = "",
    service_code: str = "",
    uai: str = "",
    profile: str = "",
    client_ip: str | None = None,
    actor_login: str = "",
    at: dt.datetime | None = None,
) -> None:
    """Stores one trace (within a second, see :mod:`socle.portal.trace_buffer`, unless
    ``SOCLE_TRACES_DEFERRED`` is off). ``detail`` must not contain a password or a full ticket.
    ``person`` is a ``Person`` or anything with ``pk`` and ``login`` (the CAS passes the facts
    it keeps in memory). ``at``: now, unless one act is recorded in several establishments
    (``socle.portal.account_traces``: the same time, so that the person's data show it once)."""
    fields = _fields(
        event, outcome, person, detail, service_code, uai, profile, client_ip, actor_login
    )
    if at is not None:
        fields["at"] = at
    if settings.SOCLE_TRACES_DEFERRED:
        trace_buffer.add(fields)  # the model instance is built by the writer thread
    else:
        Trace(**fields).save(force_insert=True)
    _told(fields)


def record_with_transaction(
    event: str,
    *,
    person: Any = None,
    detail: str = "",
    uai: str = "",
    client_ip: str | None = None,
    actor_login: str = "",
) -> None:
    """:func:`record`, as part of the current transaction: none if it rolls back, and, when
    ``SOCLE_TRACES_DEFERRED`` is off, inserted in it now, so that an insert the database refuses
    rolls back what the trace tells of (an export's username modes) instead of leaving it
    committed without its trace. Deferred, the trace is handed to the writer thread once the
    transaction commits, as every deferred trace is (written within a second, see
    :mod:`socle.portal.trace_buffer`)."""
    facts: dict[str, Any] = {
        "person": person,
        "detail": detail,
        "uai": uai,
        "client_ip": client_ip,
        "actor_login": actor_login,
    }
    if settings.SOCLE_TRACES_DEFERRED:
        transaction.on_commit(partial(record, event, **facts))
        return
    fields = _fields(event, "ok", person, detail, "", uai, "", client_ip, actor_login)
    Trace(**fields).save(force_insert=True)
    transaction.on_commit(partial(_told, fields))  # counted and logged once committed


def _fields(
    event: str,
    outcome: str,
    person: Any,
    detail: str,
    service_code: str,
    uai: str,
    profile: str,
    client_ip: str | None,
    actor_login: str,
) -> dict[str, Any]:
    event, outcome, service_code = (
        storable(event[:40]),
        storable(outcome[:16]),
        storable(service_code[:50]),
    )
    return {
        "at": timezone.now(),
        "event": event,
        "outcome": outcome,
        "person_id": getattr(person, "pk", None) or None,
        "actor_login": storable((actor_login or getattr(person, "login", "") or "")[:64]),
        "service_code": service_code,
        "uai": storable(uai[:8]),
        "profile": storable(profile[:16]),
        "client_ip": client_ip or None,
        "detail": storable(detail[:500]),
    }


def _told(fields: dict[str, Any]) -> None:
    """The trace counted (metrics) and logged."""
    metrics.event(fields["event"], fields["outcome"], fields["service_code"])
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "%s %s service=%s uai=%s %s",
            fields["event"],
            fields["outcome"],
            fields["service_code"],
            fields["uai"],
            fields["detail"][:200],
        )


def record_admin_change(
    request: Any, event: str, *, detail: str, service_code: str = "", uai: str = ""
) -> None:
    """An administrative change made from a page: who (the logged-in administrator), from where."""
    record(
        event,
        person=request.user,
        detail=detail,
        service_code=service_code,
        uai=uai,
        client_ip=client_address_of(request.META) or None,
    )
