"""The WSGI fast path of the SSO hop (``socle.core.wsgi_fast``).

The hop is ``GET /cas/login?service=…`` with a ticket-granting cookie and no ``renew`` (§2.1):
when the service is registered, the session lives, the person is active and may open the
service, the answer is a redirect to the service with a new ticket. This path gives that
redirect without Django's handler; every other outcome (an unknown service, no session or one
ended since, access refused, ``gateway``, ``method=POST``, a ``HEAD``) is found before any side
effect and left to the login view, which renders its page; so is a hop from a browser where an
account was just activated (``socle.directory.handover``: the view logs that person in), or
after a login with ``warn`` (``socle.cas.views.warn``: the view asks first). The
ticket is issued by the same function as the view's (``socle.cas.sso.issue_service_ticket``),
with the same traces; the answer carries the headers the hop's middleware chain adds
(tests/cas/test_fasthop.py).
"""

from __future__ import annotations

import logging
from functools import partial
from html import escape

from django.conf import settings
from django.http.cookie import parse_cookie

from socle.cas import protocol
from socle.cas.fastpath import cas_fast_path
from socle.cas.services import find_service
from socle.cas.sso import AccessDenied, append_ticket, issue_service_ticket
from socle.cas.tickets import get_store
from socle.cas.tickets.base import SessionEnded
from socle.cas.views import warn
from socle.cas.views.common import (
    STORE_ERRORS,
    TGC_COOKIE,
    UNAVAILABLE_ENGLISH,
    UNAVAILABLE_FRENCH,
    UNAVAILABLE_RETRY_AFTER,
    store_failure,
)
from socle.cas.views.login import MAX_SERVICE_LENGTH
from socle.core import csp, metrics, wsgi_fast
from socle.core.wsgi_fast import Fallback, Reply, query
from socle.directory import handover
from socle.portal.access import can_access
from socle.portal.access_cache import person_facts

# The middleware of the hop's chain that add headers to a redirect (socle.cas.lean).
CHAIN_HEADERS = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)
HTML = "text/html; charset=utf-8"
# The store cannot be reached: no Django page either (it needs the same store), a short one.
UNAVAILABLE_PAGE = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
    "<title>Service momentanément indisponible</title></head>"
    f"<body><p>{escape(UNAVAILABLE_FRENCH)}</p>"
    f'<p lang="en">{escape(UNAVAILABLE_ENGLISH)}</p></body></html>'
).encode()

logger = logging.getLogger("socle.cas")


def unavailable_headers(policy: str) -> wsgi_fast.Headers:
    """The headers of :data:`UNAVAILABLE_PAGE`: with the ``Content-Security-Policy`` of the
    HTML pages (``socle.core.csp``; none when ``policy`` is "", the setting ``off``), since
    Django's middleware, which adds it to every other page, is not on this path. Built once,
    when the route's application is (:func:`FastHop`)."""
    headers = [("Content-Type", HTML), ("Retry-After", str(UNAVAILABLE_RETRY_AFTER))]
    return [*headers, (csp.HEADER, policy)] if policy else headers


def prepare(
    environ: wsgi_fast.Environ, ip: str, *, unavailable: wsgi_fast.Headers
) -> wsgi_fast.Work:
    """The hop to try for this request, or :class:`Fallback`. ``unavailable``: the headers of
    the 503 page (:func:`unavailable_headers`, given once by :func:`FastHop`)."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != "/cas/login":
        raise Fallback
    params = query(environ)
    service_url = (params.get("service") or "").strip()
    if not service_url or len(service_url) > MAX_SERVICE_LENGTH:
        raise Fallback
    if protocol.is_set(params.get("renew")):
        raise Fallback
    if (params.get("method") or "").strip().upper() == "POST":
        raise Fallback  # the ticket travels in a page
    cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
    session_id = cookies.get(TGC_COOKIE, "")
    if not session_id:
        raise Fallback
    if handover.COOKIE in cookies:
        raise Fallback  # an account just activated here: the view logs that person in
    if warn.COOKIE in cookies:
        raise Fallback  # §2.2.1 warn: the view asks before opening the service

    def hop() -> Reply:
        try:
            return _hop()
        except STORE_ERRORS as exc:
            logger.error("/cas/login (fast hop): store unavailable: %s", store_failure(exc))
            metrics.store_unavailable()
            return Reply("503 Service Unavailable", unavailable, UNAVAILABLE_PAGE)

    def _hop() -> Reply:
        service = find_service(service_url)
        if service is None:
            raise Fallback
        store = get_store()
        session = store.session_hint(session_id) or store.get_session(session_id)
        if session is None:
            raise Fallback
        person = person_facts(session.person_id)
        if person is None or not person.is_active or not can_access(person, service, None):
            raise Fallback  # the view traces the refusal and shows its page
        try:
            ticket = issue_service_ticket(
                person, session, service, service_url, from_new_login=False, client_ip=ip
            )
        except (SessionEnded, AccessDenied):  # ended elsewhere, or rules changed since
            raise Fallback from None
        location = append_ticket(service_url, ticket)
        return Reply("302 Found", [("Content-Type", HTML), ("Location", location)])

    return hop


def FastHop(fallback: wsgi_fast.WSGIApp) -> wsgi_fast.FastPath:  # noqa: N802 - reads as the class it builds
    """The WSGI application of the hop route."""
    enabled = getattr(settings, "SOCLE_CAS_FAST_HOP", True)
    hop = partial(prepare, unavailable=unavailable_headers(csp.configured_policy()))
    return cas_fast_path(fallback, hop, enabled=enabled, chain=CHAIN_HEADERS)
