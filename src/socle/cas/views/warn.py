"""CAS 3.0 §2.2.1 ``warn``: "if this parameter is set, single sign-on MUST NOT be transparent.
The client MUST be prompted before being authenticated to another service."

A login whose form carried ``warn`` (a service asked ``/cas/login?…&warn=true``; the form keeps
it in a hidden field, as ``renew``) leaves the browser-session cookie ``socle_warn``; a login
without it, and a logout, remove it. While it is there, an SSO hop to a service (``gateway``
included: §2.1.1 lets CAS interpose an advisory page) shows « Accès à un service » instead of
redirecting, and the ticket is issued only when its « Continuer » form is posted (CSRF-protected,
so that no link can answer the prompt in the person's stead). The WSGI fast hop leaves such
requests to the view (``socle.cas.fasthop``). The login just typed is not prompted: the person
authenticated for that very service.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from socle.cas.views.common import TGC_PATH, flag, page
from socle.portal.models import Service

COOKIE = "socle_warn"
CONFIRM_FIELD = "warn_confirmed"


def wanted(request: HttpRequest) -> bool:
    """Whether this browser's SSO must prompt before opening another service."""
    return request.COOKIES.get(COOKIE) == "1"


def remember(request: HttpRequest, response: HttpResponse) -> None:
    """After a login: keeps the login's ``warn`` choice for its SSO session (a browser-session
    cookie, as the ticket-granting cookie), or forgets an earlier one."""
    if flag(request, "warn"):
        response.set_cookie(
            COOKIE,
            "1",
            path=TGC_PATH,
            secure=settings.SOCLE_HTTPS,
            httponly=True,
            samesite="Lax",
        )
    else:
        forget(request, response)


def forget(request: HttpRequest, response: HttpResponse) -> None:
    if COOKIE in request.COOKIES:
        response.delete_cookie(COOKIE, path=TGC_PATH, samesite="Lax")


def is_confirmation(request: HttpRequest) -> bool:
    """A POST of the prompt's « Continuer » form (not of the credentials form)."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "1"


def prompt(request: HttpRequest, service: Service, service_url: str) -> HttpResponse:
    """« Accès à un service »: the service's name and a « Continuer » form posting back to
    ``/cas/login`` with the service (and ``method``, so that a POST response stays one)."""
    method = (request.GET.get("method") or "").strip().upper()
    context = {
        "service": service,
        "service_url": service_url,
        "method": "POST" if method == "POST" else "",
        "confirm_field": CONFIRM_FIELD,
    }
    return page(request, "cas/warn.html", context)
