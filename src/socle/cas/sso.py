"""The login-side rules: issuing a service ticket for a session, and ending sessions.

No ``HttpRequest`` here; views pass plain values.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.utils.encoding import iri_to_uri

from socle.cas.outbound import send_single_logout
from socle.cas.services import without_ticket
from socle.cas.tickets import get_store
from socle.cas.tickets.base import IssuedTicket, Session, redact
from socle.directory.models import Person
from socle.portal.access import can_access
from socle.portal.access_cache import PersonFacts
from socle.portal.models import Service
from socle.portal.traces import record

logger = logging.getLogger("socle.cas")
PURGE_EVERY = 300.0
_last_purge = 0.0
_purge_lock = threading.Lock()


class AccessDenied(Exception):
    """The person may not open this service (portal access rules)."""


def service_uai(service: Service) -> str:
    """The UAI a trace records for a service ("" for an ENT-wide service)."""
    establishment = service.establishment if service.establishment_id else None
    return establishment.uai if establishment is not None else ""


def append_ticket(service_url: str, ticket: str) -> str:
    """§2.2.4: ``service`` with ``ticket=…`` added to its query string, as a URI fit for a
    ``Location`` header: characters outside ASCII percent-encoded (``iri_to_uri``, RFC 3987
    §3.1, what Django's redirects do too). A header holds ASCII only: gunicorn refuses to send
    anything else, and the ticket just stored would be lost with an HTTP 500. A ``ticket`` the
    service URL already carries is replaced (:func:`without_ticket`), never repeated."""
    parts = urlsplit(without_ticket(service_url))
    query = f"{parts.query}&" if parts.query else ""
    return iri_to_uri(urlunsplit(parts._replace(query=query + urlencode({"ticket": ticket}))))


def trace_access_denied(
    person: Person | PersonFacts, service: Service, client_ip: str | None = None, detail: str = ""
) -> None:
    """The trace « Accès refusé » of a person the access rules keep from ``service``."""
    record(
        "access_denied",
        outcome="refused",
        person=person,
        service_code=service.code,
        uai=service_uai(service),
        client_ip=client_ip,
        detail=detail,
    )


def issue_service_ticket(
    person: Person | PersonFacts,
    session: Session,
    service: Service,
    service_url: str,
    *,
    from_new_login: bool,
    client_ip: str | None = None,
) -> str:
    if not can_access(person, service, None):
        trace_access_denied(person, service, client_ip)
        raise AccessDenied(service.label)
    ticket = get_store().issue_ticket(
        prefix="ST",
        person_id=person.pk,
        service_url=service_url,
        service_id=service.pk,
        session_id=session.id,
        from_new_login=from_new_login,
        # A ticket from the password just typed (a login, renew=true) was authenticated now;
        # an SSO hop's, when the session's password was typed.
        authenticated_at=dt.datetime.now(dt.UTC) if from_new_login else session.authenticated_at,
        # Stored only if the session still lives, in the same atomic step (it may be a hint, or
        # have ended on another node since it was read): raises SessionEnded otherwise.
        live_session=True,
    )
    record(
        "ticket_issued",
        person=person,
        service_code=service.code,
        uai=service_uai(service),
        client_ip=client_ip,
        detail=redact(ticket),
    )
    maybe_purge()
    return ticket


def notify_services(tickets: list[IssuedTicket]) -> None:
    """Single logout to the services of ``tickets`` that have not opted out."""
    service_ids = {t.service_id for t in tickets if t.service_id}
    allowed = set(
        Service.objects.filter(pk__in=service_ids, single_logout=True).values_list("pk", flat=True)
    )
    send_single_logout([t for t in tickets if t.service_id in allowed])


def end_session(session_id: str) -> None:
    notify_services(get_store().end_session(session_id))


def end_person_sessions(person_id: int, except_session: str | None = None) -> None:
    notify_services(get_store().end_person_sessions(person_id, except_session=except_session))


def maybe_purge() -> None:
    """Purges expired tickets and sessions at most every ``PURGE_EVERY`` seconds per process."""
    global _last_purge
    now = time.monotonic()
    if now - _last_purge < PURGE_EVERY or not _purge_lock.acquire(blocking=False):
        return
    try:
        _last_purge = now
        get_store().purge_expired()
    except Exception:  # purge is best effort; the command does it for sure
        logger.exception("ticket purge failed")
    finally:
        _purge_lock.release()
