"""Keeps the portal's Django session tied to the CAS single sign-on session.

A login through ``/cas/login`` opens both and stores the SSO session id in the Django session.
When the SSO session ends elsewhere (logout on another node, password change, expiry), the next
portal page ends the Django session too. CAS endpoints themselves are not slowed down.

A live SSO session's hard end (``SOCLE_CAS_SESSION_MAX``) is left on the request as
``sso_session_expires_at`` for the portal's warning before it (``socle.portal.context_processors``
reads the attribute by name: the portal does not import cas).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from socle.cas.tickets import get_store

SESSION_KEY = "cas_session"
EXPIRES_AT_ATTRIBUTE = "sso_session_expires_at"


class SsoSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/cas/") and request.user.is_authenticated:
            session_id = request.session.get(SESSION_KEY)
            session = get_store().get_session(session_id) if session_id else None
            if session_id and session is None:
                logout(request)
            elif session is not None:
                setattr(request, EXPIRES_AT_ATTRIBUTE, session.expires_at)
        return self.get_response(request)
