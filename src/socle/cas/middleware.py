"""Keeps the portal's Django session tied to the CAS single sign-on session.

A login through ``/cas/login`` opens both and stores the SSO session id in the Django session.
When the SSO session ends elsewhere (logout on another node, password change, expiry), the next
portal page ends the Django session too. CAS endpoints themselves are not slowed down.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from socle.cas.tickets import get_store

SESSION_KEY = "cas_session"


class SsoSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/cas/") and request.user.is_authenticated:
            session_id = request.session.get(SESSION_KEY)
            if session_id and get_store().get_session(session_id) is None:
                logout(request)
        return self.get_response(request)
