"""The services bar on every portal page of a logged-in person, and the length of their
session's idle period (the warning before it ends).

Computed only when a template shows it (lazily), never for ``/cas/`` pages (the CAS login,
logout and error pages stay free of portal queries), and once per request: « Mon espace »
hands over the bar it has already built.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from socle.portal.home import Tile, person_sections, services_bar

REQUEST_ATTRIBUTE = "_socle_services_bar"


def _bar(request: HttpRequest) -> list[Tile]:
    found = getattr(request, REQUEST_ATTRIBUTE, None)
    if found is None:
        found = services_bar(person_sections(request.user))
        setattr(request, REQUEST_ATTRIBUTE, found)
    return list(found)


def _login_url(request: HttpRequest) -> str:
    """The login that brings the person back to this page once their session has ended."""
    return f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}"


def _hard_end_in(request: HttpRequest) -> int | None:
    """Seconds until the SSO session's hard end (SOCLE_CAS_SESSION_MAX), which no activity
    pushes back; ``None`` without an SSO session (the attribute set by socle.cas.middleware)."""
    expires_at: dt.datetime | None = getattr(request, "sso_session_expires_at", None)
    if expires_at is None:
        return None
    return max(0, int((expires_at - dt.datetime.now(dt.UTC)).total_seconds()))


def portal(request: HttpRequest) -> dict[str, Any]:
    # No ``user`` when a middleware before the authentication's refused the request (a Host not
    # in SOCLE_ALLOWED_HOSTS): Django's 400 page is rendered with the request all the same.
    user = getattr(request, "user", None)
    if request.path.startswith("/cas/") or user is None or not user.is_authenticated:
        return {}
    return {
        "services_bar": SimpleLazyObject(lambda: _bar(request)),
        # The warning before the SSO session ends for lack of activity (_session_timeout.html).
        "session_idle": settings.SOCLE_CAS_SESSION_IDLE,
        # …and before its hard end, which cannot be pushed back.
        "session_hard_end_in": _hard_end_in(request),
        "session_login_url": SimpleLazyObject(lambda: _login_url(request)),
    }
