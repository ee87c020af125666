"""Ticket validation rules (CAS 3.0 §2.4–§2.7), independent of HTTP.

``validate_ticket`` turns request parameters into a ``Validated`` result or raises the
``CasError`` subclass whose code the response must carry. The ticket is consumed first, in one
atomic operation of the store, as soon as the request names one: whatever fails afterwards (a
missing or foreign ``service`` included), it can never be validated again (§3.1.1: "a service
ticket MUST only be valid for one ticket validation attempt"; §2.5: "CAS MUST invalidate the
ticket" whether the validation succeeds or not).

Proxy tickets obey the portal's access rules twice: ``issue_proxy_ticket`` gives none for a
target service the person may not open (§2.7.3 ``UNAUTHORIZED_SERVICE``), and a proxy ticket's
validation asks again (the rules may have changed since, or the ticket come from an older
release), with the same code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import urlsplit

from socle.cas import errors
from socle.cas.services import find_service, normalise_url, same_service_url
from socle.cas.sso import trace_access_denied
from socle.cas.tickets.base import IssuedTicket, SessionEnded, TicketStore, redact
from socle.portal.access import can_access
from socle.portal.access_cache import PersonFacts, person_facts
from socle.portal.models import Service

logger = logging.getLogger("socle.cas")
MAX_PARAM_LENGTH = 2048
TICKET_PREFIXES = ("ST-", "PT-")  # the tickets a validation consumes
_REFUSED = "Les règles d'accès du portail n'ouvrent pas ce service à cette personne."

# (pgt_url, pgt_id, pgt_iou) -> bool: delivers a PGT to the proxy callback (§2.5.4).
Callback = Callable[[str, str, str], bool]


@dataclass(frozen=True)
class Validated:
    ticket: IssuedTicket
    service: Service
    person: PersonFacts
    pgt_iou: str | None = None


def _require(value: str | None, name: str) -> str:
    if not value or not value.strip():
        raise errors.InvalidRequest(f"Paramètre « {name} » manquant.")
    if len(value) > MAX_PARAM_LENGTH:
        raise errors.InvalidRequest(f"Paramètre « {name} » trop long.")
    return value.strip()


def validate_ticket(
    store: TicketStore,
    *,
    ticket: str | None,
    service: str | None,
    renew: bool = False,
    pgt_url: str | None = None,
    accept_proxy_tickets: bool = False,
    deliver_pgt: Callback | None = None,
) -> Validated:
    ticket = _require(ticket, "ticket")
    try:
        service_url = _require(service, "service")
    except errors.InvalidRequest as exc:
        refuse_request(store, ticket, exc)
    prefixes = ("ST-", "PT-") if accept_proxy_tickets else ("ST-",)
    if not ticket.startswith(prefixes):
        if ticket.startswith("PT-"):
            # §2.5: /serviceValidate MUST NOT return success for a proxy ticket.
            store.consume_ticket(ticket)
            raise errors.InvalidTicketSpec("Un proxy ticket se valide par /proxyValidate.")
        raise errors.InvalidTicket(f"Ticket {redact(ticket)} inconnu.")
    issued = store.consume_ticket(ticket)
    if issued is None:
        raise errors.InvalidTicket(f"Ticket {redact(ticket)} inconnu, expiré ou déjà utilisé.")
    if not same_service_url(issued.service_url, service_url):
        raise errors.InvalidService(
            f"Le ticket {redact(ticket)} n'a pas été délivré pour ce service."
        )
    if renew and not issued.from_new_login:
        # §2.5.3 INVALID_TICKET: "the ticket did not come from an initial login and renew was
        # set on validation" (not INVALID_TICKET_SPEC, which Apereo sends here).
        raise errors.InvalidTicket(
            "renew=true : le ticket ne provient pas d'une authentification par mot de passe."
        )
    registered = find_service(service_url)
    if registered is None or registered.pk != issued.service_id:
        raise errors.InvalidService("Ce service n'est plus autorisé par le CAS.")
    person = person_facts(issued.person_id)  # from this process's copy (portal.access_cache)
    if person is None or not person.is_active:
        raise errors.InvalidTicket("Le compte associé au ticket n'est plus actif.")
    if ticket.startswith("PT-") and not can_access(person, registered):
        # A service ticket was issued after this very check, seconds ago (socle.cas.sso);
        # the refusal is traced as ticket_refused with its code (socle.cas.answers).
        raise errors.UnauthorizedService(_REFUSED)
    pgt_iou = None
    if pgt_url:
        pgt_iou = _grant_pgt(store, issued, registered, pgt_url, deliver_pgt)
    return Validated(ticket=issued, service=registered, person=person, pgt_iou=pgt_iou)


def refuse_request(store: TicketStore, ticket: str | None, error: errors.CasError) -> NoReturn:
    """Raises ``error`` for a request refused before its ticket is looked at (no ``service``,
    an unsupported ``format``), once the ticket is spent: one validation attempt per ticket,
    whatever its outcome (§3.1.1), so that it is not left for a second try."""
    spend(store, ticket)
    raise error


def spend(store: TicketStore, ticket: str | None) -> None:
    """Consumes the service or proxy ticket a refused request names (see :func:`refuse_request`)."""
    ticket = (ticket or "").strip()
    if ticket.startswith(TICKET_PREFIXES) and len(ticket) <= MAX_PARAM_LENGTH:
        store.consume_ticket(ticket)


def _plain_http_allowed(url: str) -> bool:
    """§2.5.4 wants https. Plain http only to this machine (127.0.0.1, ::1, localhost), and only
    in development (``DEBUG``) or tests (``SOCLE_CAS_ALLOW_HTTP_PROXY_CALLBACK``)."""
    from django.conf import settings

    if not (settings.DEBUG or getattr(settings, "SOCLE_CAS_ALLOW_HTTP_PROXY_CALLBACK", False)):
        return False
    return urlsplit(url).hostname in {"127.0.0.1", "::1", "localhost"}


def _grant_pgt(
    store: TicketStore,
    issued: IssuedTicket,
    service: Service,
    pgt_url: str,
    deliver: Callback | None,
) -> str | None:
    """§2.5.4: the callback must be https and belong to a service allowed to proxy."""
    if len(pgt_url) > MAX_PARAM_LENGTH:
        raise errors.InvalidProxyCallback("pgtUrl trop long.")
    if not service.proxy_callback_allowed:
        raise errors.UnauthorizedServiceProxy("Ce service n'est pas autorisé à utiliser le proxy.")
    try:
        normalised = normalise_url(pgt_url)
    except ValueError:
        raise errors.InvalidProxyCallback("pgtUrl n'est pas une URL valide.") from None
    if not normalised.startswith("https://") and not _plain_http_allowed(normalised):
        raise errors.InvalidProxyCallback("pgtUrl doit être en https.")
    callback_service = find_service(pgt_url)
    if callback_service is None or not callback_service.proxy_callback_allowed:
        raise errors.InvalidProxyCallback("pgtUrl n'appartient à aucun service autorisé.")
    try:
        pgt = store.create_pgt(
            person_id=issued.person_id,
            session_id=issued.session_id,
            service_id=service.pk,
            callback_url=pgt_url,
            proxies=[pgt_url, *issued.proxies],
            authenticated_at=issued.authenticated_at,
        )
    except SessionEnded:  # logged out between the ticket's validation and now
        logger.info("no proxy-granting ticket for service %s: session ended", service.code)
        return None  # §2.5.4: success, but without <cas:proxyGrantingTicket>
    if deliver is None or not deliver(pgt_url, pgt.id, pgt.iou):
        logger.info("proxy callback failed for service %s", service.code)
        return None  # §2.5.4: success, but without <cas:proxyGrantingTicket>
    return pgt.iou


def issue_proxy_ticket(
    store: TicketStore,
    *,
    pgt: str | None,
    target_service: str | None,
    client_ip: str | None = None,
) -> str:
    """§2.7: a PT for ``targetService`` from a valid PGT, if the person may open that service.

    The person is asked the same question as at ``/cas/login`` (``portal.access.can_access``):
    a proxying service must not obtain, on someone's behalf, a ticket for a service the portal's
    rules refuse them. A refusal is §2.7.3's ``UNAUTHORIZED_SERVICE`` ("service is unauthorized
    to perform the proxy request"), traced as ``access_denied``."""
    pgt_id = _require(pgt, "pgt")
    target = _require(target_service, "targetService")
    if not pgt_id.startswith("PGT-"):
        raise errors.InvalidTicketSpec("Le paramètre pgt n'est pas un proxy-granting ticket.")
    granting = store.get_pgt(pgt_id)
    if granting is None:
        raise errors.InvalidTicket(f"PGT {redact(pgt_id)} inconnu ou expiré.")
    service = find_service(target)
    if service is None:
        raise errors.UnauthorizedService("Le service cible n'est pas autorisé par le CAS.")
    person = person_facts(granting.person_id)
    if person is None or not can_access(person, service):
        if person is not None:
            trace_access_denied(person, service, client_ip, detail="proxy")
        raise errors.UnauthorizedService(_REFUSED)
    try:
        return store.issue_ticket(
            prefix="PT",
            person_id=granting.person_id,
            service_url=target,
            service_id=service.pk,
            session_id=granting.session_id,
            from_new_login=False,
            proxies=granting.proxies,
            # authenticationDate stays when the password was typed, not when the PT was issued
            authenticated_at=granting.authenticated_at,
        )
    except SessionEnded:  # a logout since the PGT was read: it died with its session
        raise errors.InvalidTicket(f"PGT {redact(pgt_id)} inconnu ou expiré.") from None
