"""Validation endpoints: ``/validate`` (§2.4), ``/serviceValidate`` (§2.5), ``/proxyValidate``
(§2.6), ``/proxy`` (§2.7), their ``/p3/`` forms (§2.5–2.6 with attributes) and SAML 1.1
``/samlValidate`` (§4.2)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from socle.cas import errors, protocol, saml
from socle.cas.attributes import collect
from socle.cas.outbound import deliver_pgt
from socle.cas.sso import service_uai
from socle.cas.tickets import get_store
from socle.cas.tickets.base import redact
from socle.cas.usernames import cas_username
from socle.cas.validation import Validated, issue_proxy_ticket, validate_ticket
from socle.cas.views.common import JSON, XML, client_ip, flag, param
from socle.core.nocache import no_store
from socle.portal.traces import record

logger = logging.getLogger("socle.cas")


def _trace(
    request: HttpRequest, result: Validated | None, error: errors.CasError | None, ticket: str
) -> None:
    if result is not None:
        record(
            "ticket_validated",
            person=result.person,
            service_code=result.service.code,
            uai=service_uai(result.service),
            client_ip=client_ip(request),
            detail=redact(ticket),
        )
    elif error is not None:
        record(
            "ticket_refused",
            outcome="refused",
            client_ip=client_ip(request),
            detail=f"{error.code} {redact(ticket)}",
        )


def _validate(request: HttpRequest, *, proxy: bool) -> Validated:
    ticket = param(request, "ticket") or ""
    try:
        result = validate_ticket(
            get_store(),
            ticket=ticket,
            service=param(request, "service"),
            renew=flag(request, "renew"),
            pgt_url=param(request, "pgtUrl"),
            accept_proxy_tickets=proxy,
            deliver_pgt=deliver_pgt,
        )
    except errors.CasError as exc:
        _trace(request, None, exc, ticket)
        raise
    _trace(request, result, None, ticket)
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


def _cas2(request: HttpRequest, *, proxy: bool, with_attributes: bool) -> HttpResponse:
    as_json = protocol.wants_json(param(request, "format"))
    try:
        success = _success(_validate(request, proxy=proxy), with_attributes=with_attributes)
    except errors.CasError as exc:
        if as_json:
            return HttpResponse(protocol.render_failure_json(exc), content_type=JSON)
        return HttpResponse(protocol.render_failure_xml(exc), content_type=XML)
    except Exception:
        logger.exception("validation failed")
        internal = errors.InternalError("Erreur interne du serveur CAS.")
        if as_json:
            return HttpResponse(protocol.render_failure_json(internal), content_type=JSON)
        return HttpResponse(protocol.render_failure_xml(internal), content_type=XML)
    if as_json:
        return HttpResponse(
            protocol.render_success_json(success, with_attributes=with_attributes),
            content_type=JSON,
        )
    return HttpResponse(
        protocol.render_success_xml(success, with_attributes=with_attributes), content_type=XML
    )


@no_store
@csrf_exempt  # server-to-server calls, no browser session involved
@require_http_methods(["GET", "POST"])
def validate(request: HttpRequest) -> HttpResponse:
    try:
        username: str | None = _cas1_username(request)
    except errors.CasError:
        username = None
    except Exception:  # §2.4.2 has no error code: "no" it is, never a 500
        logger.exception("CAS 1 validation failed")
        username = None
    return HttpResponse(protocol.render_cas1(username), content_type="text/plain; charset=utf-8")


def _cas1_username(request: HttpRequest) -> str:
    result = _validate(request, proxy=False)
    return cas_username(result.person, result.service)


@no_store
@csrf_exempt  # server-to-server calls, no browser session involved
@require_http_methods(["GET", "POST"])
def service_validate(request: HttpRequest) -> HttpResponse:
    return _cas2(request, proxy=False, with_attributes=False)


@no_store
@csrf_exempt  # server-to-server calls, no browser session involved
@require_http_methods(["GET", "POST"])
def proxy_validate(request: HttpRequest) -> HttpResponse:
    return _cas2(request, proxy=True, with_attributes=False)


@no_store
@csrf_exempt  # server-to-server calls, no browser session involved
@require_http_methods(["GET", "POST"])
def p3_service_validate(request: HttpRequest) -> HttpResponse:
    return _cas2(request, proxy=False, with_attributes=True)


@no_store
@csrf_exempt  # server-to-server calls, no browser session involved
@require_http_methods(["GET", "POST"])
def p3_proxy_validate(request: HttpRequest) -> HttpResponse:
    return _cas2(request, proxy=True, with_attributes=True)


@no_store
@csrf_exempt  # server-to-server calls, no browser session involved
@require_http_methods(["GET", "POST"])
def proxy(request: HttpRequest) -> HttpResponse:
    as_json = protocol.wants_json(param(request, "format"))
    try:
        ticket = issue_proxy_ticket(
            get_store(), pgt=param(request, "pgt"), target_service=param(request, "targetService")
        )
    except Exception as exc:
        if not isinstance(exc, errors.CasError):
            logger.exception("proxy ticket request failed")
            exc = errors.InternalError("Erreur interne du serveur CAS.")
        if as_json:
            return HttpResponse(protocol.render_proxy_failure_json(exc), content_type=JSON)
        return HttpResponse(protocol.render_proxy_failure_xml(exc), content_type=XML)
    if as_json:
        return HttpResponse(protocol.render_proxy_success_json(ticket), content_type=JSON)
    return HttpResponse(protocol.render_proxy_success_xml(ticket), content_type=XML)


SAML_CONTENT_TYPE = "text/xml; charset=utf-8"


def _read_body(request: HttpRequest) -> bytes:
    """At most one byte past the SAML size limit: a huge body is never held in memory."""
    if hasattr(request, "_body"):
        return request.body
    return request.read(saml.MAX_REQUEST_BYTES + 1)


@no_store
@csrf_exempt
@require_http_methods(["POST"])
def saml_validate(request: HttpRequest) -> HttpResponse:
    """§4.2: ``samlp:Success``, ``samlp:Requester`` (unreadable request or missing TARGET),
    ``samlp:RequestDenied`` (bad ticket) or ``samlp:Responder`` (our own failure)."""
    target = (request.GET.get("TARGET") or request.GET.get("service") or "")[:2048]
    now = timezone.now()
    request_id = ""
    artifact = ""

    def failure(status: str, message: str) -> HttpResponse:
        body = saml.render_saml_failure(
            status=status,
            message=message,
            recipient=target,
            request_id=request_id,
            issue_instant=now,
        )
        return HttpResponse(body, content_type=SAML_CONTENT_TYPE)

    try:
        parsed = saml.parse_saml_request(_read_body(request))
        request_id, artifact = parsed.request_id, parsed.artifact
        result = validate_ticket(get_store(), ticket=artifact, service=target)
        body = saml.render_saml_success(
            username=cas_username(result.person, result.service),
            attributes=collect(result.person, result.service),
            recipient=target,
            request_id=request_id,
            issue_instant=now,
            authentication_instant=result.ticket.authentication_date,
            issuer=urlsplit(settings.SOCLE_BASE_URL).hostname or "socle",
        )
    except saml.SamlRequestError as exc:
        return failure("Requester", str(exc))
    except errors.CasError as exc:
        _trace(request, None, exc, artifact)
        status = "Requester" if isinstance(exc, errors.InvalidRequest) else "RequestDenied"
        return failure(status, f"{exc.code}: {exc.description}")
    except Exception:
        logger.exception("SAML validation failed")
        return failure("Responder", "INTERNAL_ERROR: Erreur interne du serveur CAS.")
    _trace(request, result, None, artifact)
    return HttpResponse(body, content_type=SAML_CONTENT_TYPE)
