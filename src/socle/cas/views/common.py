from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from redis.exceptions import RedisError

from socle.cas import protocol
from socle.cas.tickets import get_store
from socle.cas.tickets.base import Session
from socle.core import metrics
from socle.core.logfilters import said
from socle.core.middleware import client_address_of
from socle.core.outage import outage_reason

TGC_COOKIE = "socle_tgc"
TGC_PATH = "/cas/"

# The ticket store (and Django's sessions, the cache) cannot be reached: Redis down, full or
# failing over, or the database store's database. Pages answer 503, never the generic 500.
STORE_ERRORS: tuple[type[Exception], ...] = (RedisError, DatabaseError)
UNAVAILABLE_RETRY_AFTER = 30  # seconds
# No template, no request's language: both languages of the interface, French first.
UNAVAILABLE_FRENCH = "Service momentanément indisponible. Réessayez dans quelques instants."
UNAVAILABLE_ENGLISH = "Service temporarily unavailable. Please try again in a few moments."
UNAVAILABLE_TEXT = f"{UNAVAILABLE_FRENCH}\n{UNAVAILABLE_ENGLISH}"

logger = logging.getLogger("socle.cas")


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


def store_failure(exc: BaseException) -> str:
    """What a log says of a store failure: a Redis error's own words (they name the server,
    never a key), only the class of a database error (whose detail may quote a ticket)."""
    return str(exc)[:200] if isinstance(exc, RedisError) else type(exc).__name__


def unavailable(
    request: HttpRequest, *, logged_out: bool = False, reason: str | None = None
) -> HttpResponse:
    """503 « Service momentanément indisponible » with ``Retry-After`` and, when known, the
    reason in a few words, as the other pages' outage page gives it (``socle.core.outage``); a
    plain text answer when even the page cannot be rendered, e.g. the database is down."""
    metrics.store_unavailable()
    said(request)  # its callers log the store's failure
    context = {
        "retry_after": UNAVAILABLE_RETRY_AFTER,
        "logged_out": logged_out,
        "reason": reason or "",
    }
    try:
        response = page(request, "cas/unavailable.html", context, status=503)
    except Exception:  # noqa: BLE001 - the page needs the database or the cache: say it plainly
        logger.warning("the unavailable page could not be rendered", exc_info=True)
        response = HttpResponse(
            UNAVAILABLE_TEXT, status=503, content_type="text/plain; charset=utf-8"
        )
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    return response


def unavailable_on_store_error(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """A browser-facing CAS view answers :func:`unavailable` when the store cannot be reached
    (validations answer ``INTERNAL_ERROR`` instead, ``socle.cas.answers``)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except STORE_ERRORS as exc:
            logger.error("%s: store unavailable: %s", request.path, store_failure(exc))
            return unavailable(request, reason=outage_reason(exc))

    return wrapped
