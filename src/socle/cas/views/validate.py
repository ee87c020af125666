"""Validation endpoints: ``/validate`` (§2.4), ``/serviceValidate`` (§2.5), ``/proxyValidate``
(§2.6), ``/proxy`` (§2.7), their ``/p3/`` forms (§2.5–2.6 with attributes) and SAML 1.1
``/samlValidate`` (§4.2).

What they answer is decided in ``socle.cas.answers`` (shared with the WSGI fast path of
``socle.cas.fastpath``); these views only read the request and send the answer back.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from socle.cas import answers, errors, protocol, saml
from socle.cas.answers import JSON, XML
from socle.cas.tickets import get_store
from socle.cas.validation import issue_proxy_ticket
from socle.cas.views.common import client_ip, param
from socle.core.nocache import View, no_store


def server_to_server(*methods: str) -> Callable[[View], View]:
    """A validation view: server-to-server calls with no browser session involved (no CSRF
    token), answered ``no-store``, by ``methods`` only."""

    def decorate(view: View) -> View:
        return no_store(csrf_exempt(require_http_methods(list(methods))(view)))

    return decorate


def _send(answer: answers.Answer) -> HttpResponse:
    return HttpResponse(answer.body, content_type=answer.content_type)


def _params(request: HttpRequest) -> answers.Params:
    return lambda name: param(request, name)


@server_to_server("GET", "POST")
def validate(request: HttpRequest) -> HttpResponse:
    return _send(answers.cas1(_params(request), client_ip(request)))


def _cas2(request: HttpRequest, *, proxy: bool, with_attributes: bool) -> HttpResponse:
    return _send(
        answers.cas2(
            _params(request), client_ip(request), proxy=proxy, with_attributes=with_attributes
        )
    )


@server_to_server("GET", "POST")
def service_validate(request: HttpRequest) -> HttpResponse:
    return _cas2(request, proxy=False, with_attributes=False)


@server_to_server("GET", "POST")
def proxy_validate(request: HttpRequest) -> HttpResponse:
    return _cas2(request, proxy=True, with_attributes=False)


@server_to_server("GET", "POST")
def p3_service_validate(request: HttpRequest) -> HttpResponse:
    return _cas2(request, proxy=False, with_attributes=True)


@server_to_server("GET", "POST")
def p3_proxy_validate(request: HttpRequest) -> HttpResponse:
    return _cas2(request, proxy=True, with_attributes=True)


@server_to_server("GET", "POST")
def proxy(request: HttpRequest) -> HttpResponse:
    as_json = protocol.wants_json(param(request, "format"))
    try:
        ticket = issue_proxy_ticket(
            get_store(),
            pgt=param(request, "pgt"),
            target_service=param(request, "targetService"),
            client_ip=client_ip(request),
        )
    except Exception as exc:
        if not isinstance(exc, errors.CasError):
            # As the validations: a database error's detail may quote a ticket or session id.
            answers.log_internal_error("proxy ticket request failed", exc)
            exc = errors.InternalError("Erreur interne du serveur CAS.")
        if as_json:
            return HttpResponse(protocol.render_proxy_failure_json(exc), content_type=JSON)
        return HttpResponse(protocol.render_proxy_failure_xml(exc), content_type=XML)
    if as_json:
        return HttpResponse(protocol.render_proxy_success_json(ticket), content_type=JSON)
    return HttpResponse(protocol.render_proxy_success_xml(ticket), content_type=XML)


def _read_body(request: HttpRequest) -> bytes:
    """At most one byte past the SAML size limit: a huge body is never held in memory."""
    if hasattr(request, "_body"):
        return request.body
    return request.read(saml.MAX_REQUEST_BYTES + 1)


@server_to_server("POST")
def saml_validate(request: HttpRequest) -> HttpResponse:
    """§4.2 (``socle.cas.answers.saml_validation``)."""
    target = request.GET.get("TARGET") or request.GET.get("service") or ""
    return _send(answers.saml_validation(_read_body(request), target, client_ip(request)))
