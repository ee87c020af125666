from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from socle.cas import protocol
from socle.cas.tickets import get_store
from socle.cas.tickets.base import Session
from socle.core.middleware import client_address_of

TGC_COOKIE = "socle_tgc"
TGC_PATH = "/cas/"


def client_ip(request: HttpRequest) -> str:
    """The client's address, for throttling and traces (:func:`client_ip_of` its ``META``)."""
    return client_ip_of(request.META)


def client_ip_of(meta: Mapping[str, Any]) -> str:
    """The client's address in a request's ``META`` (or WSGI environ), as the trusted-proxy
    middleware left it (``socle.core.middleware.client_address_of``: ``X-Forwarded-For`` only
    from ``SOCLE_TRUSTED_PROXIES``); ``0.0.0.0`` when the server gave none."""
    return client_address_of(meta) or "0.0.0.0"  # noqa: S104 (a label, not a bind)


def param(request: HttpRequest, name: str) -> str | None:
    """A CAS parameter from the query string, or from a form body (validation by POST)."""
    value = request.GET.get(name)
    if value is not None or request.method != "POST":
        return value  # a GET has no form body to parse
    return request.POST.get(name)


def flag(request: HttpRequest, name: str) -> bool:
    """A CAS boolean parameter (``protocol.is_set``), from the query string or a form body."""
    value = request.GET.get(name) or (request.POST.get(name) if request.method == "POST" else None)
    return protocol.is_set(value)


def negotiate_language(request: HttpRequest) -> bool:
    """Activates the visitor's language where no ``LocaleMiddleware`` did (the lean handler of
    ``socle.cas.lean``); True when it did, and the page then needs :func:`language_headers`."""
    if hasattr(request, "LANGUAGE_CODE"):
        return False
    translation.activate(translation.get_language_from_request(request))
    request.LANGUAGE_CODE = translation.get_language()
    return True


def language_headers(response: HttpResponse, language: str) -> HttpResponse:
    patch_vary_headers(response, ("Accept-Language",))
    response.headers.setdefault("Content-Language", language)
    return response


def page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HttpResponse:
    """A CAS page in the visitor's language, negotiated here only when a page is shown."""
    negotiated = negotiate_language(request)
    response = render(request, template, context, status=status)
    return language_headers(response, request.LANGUAGE_CODE) if negotiated else response


def current_session(request: HttpRequest, *, hint: bool = False) -> Session | None:
    """The SSO session of the TGC cookie, read from the store (which refreshes its idle deadline).

    ``hint=True``: a session this process saw alive may be returned without asking the store;
    only for a caller that then issues a ticket with ``live_session=True`` (the SSO hop), which
    checks the session again atomically and raises ``SessionEnded`` if it has ended."""
    session_id = request.COOKIES.get(TGC_COOKIE, "")
    if not session_id:
        return None
    store = get_store()
    return (store.session_hint(session_id) if hint else None) or store.get_session(session_id)


def set_tgc(response: HttpResponse, session: Session) -> None:
    """§3.6: the TGC is HttpOnly, Secure over https, with the narrowest path (/cas/).

    A browser-session cookie (no ``Max-Age``): closing the browser of a shared school computer
    ends the SSO there, as the logout page tells users. The server enforces idle and maximum
    lifetimes whatever the cookie says."""
    response.set_cookie(
        TGC_COOKIE,
        session.id,
        path=TGC_PATH,
        secure=settings.SOCLE_HTTPS,
        httponly=True,
        samesite="Lax",
    )


def clear_tgc(response: HttpResponse) -> None:
    response.delete_cookie(TGC_COOKIE, path=TGC_PATH, samesite="Lax")
