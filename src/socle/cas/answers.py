"""What a validation endpoint answers, without HTTP: ``/validate`` (§2.4), ``/serviceValidate``
(§2.5), ``/proxyValidate`` (§2.6), their ``/p3/`` forms (§2.5–2.6 with attributes) and SAML 1.1
``/samlValidate`` (§4.2).

Two adapters serve these answers: the Django views (``socle.cas.views.validate``) and the WSGI
fast path for plain validations (``socle.cas.fastpath``). Both hand this module the request's
parameters as a lookup function and the client's address, and send back the :class:`Answer`
as it is, so that the two can never answer differently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from socle.cas import errors, protocol, saml
from socle.cas.attributes import Attributes, collect
from socle.cas.detail_forms import SAML_WITHHELD
from socle.cas.outbound import deliver_pgt
from socle.cas.sso import service_uai
from socle.cas.tickets import get_store
from socle.cas.tickets.base import redact
from socle.cas.usernames import cas_username, note_usernames_sent
from socle.cas.validation import Validated, refuse_request, spend, validate_ticket
from socle.cas.views.common import STORE_ERRORS, store_failure
from socle.core import metrics
from socle.core.saml_release import http_attributes_allowed
from socle.portal.models import Service
from socle.portal.traces import record

logger = logging.getLogger("socle.cas")

XML = "application/xml; charset=utf-8"
JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
SAML_XML = "text/xml; charset=utf-8"

Params = Callable[[str], str | None]
UNSUPPORTED_FORMAT = "Paramètre « format » non pris en charge : XML ou JSON."


@dataclass(frozen=True)
class Answer:
    """A validation's answer: always HTTP 200 (CAS and SAML carry failures in the body)."""

    body: str | bytes  # SAML answers are rendered as bytes
    content_type: str

    def encoded(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


def trace(result: Validated | None, error: errors.CasError | None, ticket: str, ip: str) -> None:
    if result is not None:
        record(
            "ticket_validated",
            person=result.person,
            service_code=result.service.code,
            uai=service_uai(result.service),
            client_ip=ip,
            detail=redact(ticket),
        )
    elif error is not None:
        record(
            "ticket_refused",
            outcome="refused",
            client_ip=ip,
            detail=f"{error.code} {redact(ticket)}",
        )


def _validate(params: Params, ip: str, *, proxy: bool, check_format: bool = False) -> Validated:
    ticket = params("ticket") or ""
    try:
        if check_format and not protocol.supported_format(params("format")):
            refuse_request(get_store(), ticket, errors.InvalidRequest(UNSUPPORTED_FORMAT))
        result = validate_ticket(
            get_store(),
            ticket=ticket,
            service=params("service"),
            renew=protocol.is_set(params("renew")),
            pgt_url=params("pgtUrl"),
            accept_proxy_tickets=proxy,
            deliver_pgt=deliver_pgt,
        )
    except errors.CasError as exc:
        trace(None, exc, ticket, ip)
        raise
    note_usernames_sent(result.service)  # the name goes out now: the service's mode is fixed
    trace(result, None, ticket, ip)
    return result


def _success(result: Validated, *, with_attributes: bool) -> protocol.Success:
    return protocol.Success(
        username=cas_username(result.person, result.service),
        attributes=collect(result.person, result.service) if with_attributes else {},
        pgt_iou=result.pgt_iou,
        proxies=result.ticket.proxies,
        authentication_date=result.ticket.authentication_date,
        from_new_login=result.ticket.from_new_login,
    )


def cas1(params: Params, ip: str) -> Answer:
    """§2.4: ``yes`` and the user name, or ``no`` (never an error page)."""
    try:
        result = _validate(params, ip, proxy=False)
        username: str | None = cas_username(result.person, result.service)
    except errors.CasError:
        username = None
    except Exception as exc:  # §2.4.2 has no error code: "no" it is, never a 500
        log_internal_error("CAS 1 validation failed", exc)
        username = None
    return Answer(protocol.render_cas1(username), TEXT)


def cas2(params: Params, ip: str, *, proxy: bool, with_attributes: bool) -> Answer:
    """§2.5–§2.6 (and their ``/p3/`` forms): XML, or JSON when ``format=JSON``; another
    ``format`` is refused with ``INVALID_REQUEST`` in XML (§2.5.1), its ticket spent."""
    as_json = protocol.wants_json(params("format"))
    try:
        result = _validate(params, ip, proxy=proxy, check_format=True)
        success = _success(result, with_attributes=with_attributes)
    except errors.CasError as exc:
        return _failure(exc, as_json)
    except Exception as exc:
        log_internal_error("validation failed", exc)
        return _failure(errors.InternalError("Erreur interne du serveur CAS."), as_json)
    if as_json:
        return Answer(protocol.render_success_json(success, with_attributes=with_attributes), JSON)
    return Answer(protocol.render_success_xml(success, with_attributes=with_attributes), XML)


def log_internal_error(what: str, exc: Exception) -> None:
    """Our own failure, logged; counted as the store's when the database or Redis failed.

    A store failure is logged in one line, as the login and logout pages log theirs: during an
    outage every validation fails the same way, and a traceback each would bury the log."""
    if isinstance(exc, STORE_ERRORS):
        logger.error("%s: store unavailable: %s", what, store_failure(exc))
        metrics.store_unavailable()
        return
    logger.exception(what)


def _failure(error: errors.CasError, as_json: bool) -> Answer:
    if as_json:
        return Answer(protocol.render_failure_json(error), JSON)
    return Answer(protocol.render_failure_xml(error), XML)


_withheld_noted: set[str] = set()  # services whose withheld attributes were noted here


def _saml_attributes(result: Validated, target: str) -> Attributes:
    """The attributes of a SAML answer: none to a plain-http ``TARGET`` (§4.2.1, see
    ``saml.releases_attributes``), noted once per service and process."""
    if saml.releases_attributes(target, over_http=http_attributes_allowed()):
        return collect(result.person, result.service)
    if result.service.code not in _withheld_noted:
        _withheld_noted.add(result.service.code)
        _note_withheld(result.service, target)
    return {}


def _note_withheld(service: Service, target: str) -> None:
    """The operator's log line and the school's « Traces » line: the service, the host and why;
    no person (the first validation's user has nothing to do with it), no path or query."""
    host = urlsplit(target).hostname or ""
    logger.warning(
        "SAML attributes withheld from service %s: its TARGET is plain http on %s, not this "
        "machine (CAS 3.0 section 4.2.1). Publish it in https, or set "
        "SOCLE_CAS_SAML_HTTP_ATTRIBUTES (docs/cas.md).",
        service.code,
        host,
    )
    record(
        "saml_attributes_withheld",
        outcome="refused",
        service_code=service.code,
        uai=service_uai(service),
        detail=SAML_WITHHELD % {"host": host},
    )


def saml_validation(body: bytes, target: str, ip: str) -> Answer:
    """§4.2: ``samlp:Success``, ``samlp:Requester`` (unreadable request or missing TARGET; a bad
    ticket with the second-level ``samlp:RequestDenied`` in it), ``samlp:VersionMismatch`` (a
    request whose ``MajorVersion`` is not 1) or ``samlp:Responder`` (our own failure).

    ``body`` is at most one byte longer than ``saml.MAX_REQUEST_BYTES`` (the caller stops
    reading there); ``target`` is the ``TARGET`` parameter (or ``service``)."""
    target = target[:2048]
    now = timezone.now()
    request_id = ""
    artifact = ""

    def failure(status: str, message: str, detail: str = "") -> Answer:
        answer = saml.render_saml_failure(
            status=status,
            detail=detail,
            message=message,
            recipient=target,
            request_id=request_id,
            issue_instant=now,
        )
        return Answer(answer, SAML_XML)

    try:
        parsed = saml.parse_saml_request(body)
        request_id, artifact = parsed.request_id, parsed.artifact
        if parsed.version_mismatch:  # SAML 2 or 0.x: refused, its ticket spent all the same
            spend(get_store(), artifact)
            message = "Version de SAML non prise en charge : 1.0 ou 1.1."
            return failure("VersionMismatch", message, parsed.version_mismatch)
        result = validate_ticket(get_store(), ticket=artifact, service=target)
        answer = saml.render_saml_success(
            username=cas_username(result.person, result.service),
            attributes=_saml_attributes(result, target),
            recipient=target,
            request_id=request_id,
            issue_instant=now,
            authentication_instant=result.ticket.authentication_date,
            issuer=urlsplit(settings.SOCLE_BASE_URL).hostname or "socle",
        )
    except saml.SamlRequestError as exc:
        return failure("Requester", str(exc))
    except errors.CasError as exc:
        trace(None, exc, artifact, ip)
        detail = "" if isinstance(exc, errors.InvalidRequest) else "RequestDenied"
        return failure("Requester", f"{exc.code}: {exc.description}", detail)
    except Exception as exc:
        log_internal_error("SAML validation failed", exc)
        return failure("Responder", "INTERNAL_ERROR: Erreur interne du serveur CAS.")
    note_usernames_sent(result.service)
    trace(result, None, artifact, ip)
    return Answer(answer, SAML_XML)
