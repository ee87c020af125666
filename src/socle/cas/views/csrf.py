"""Django's CSRF failure page (``CSRF_FAILURE_VIEW``), with a way back to the login form.

A login POST fails CSRF when the form was open too long or the cookies were cleared. A pupil
who came from PRONOTE (``/cas/login?service=…``) must not lose the service: the page offers the
login form again, for the same service. The link goes only to our own ``/cas/login``; the CAS
parameters are passed through as they came, and the login view judges them (an unknown service
gets « Service non autorisé », a ``next`` that is not a local path is dropped): no open
redirect.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse

from socle.cas.views.common import page

KEPT_PARAMETERS = ("service", "renew", "method", "next", "warn")
MAX_PARAMETER_LENGTH = 2048  # the login view's MAX_SERVICE_LENGTH


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return page(request, "403_csrf.html", {"login_url": login_again_url(request)}, status=403)


def login_again_url(request: HttpRequest) -> str:
    """The login form with the failed login's CAS parameters, or "" for any other form."""
    login = reverse("cas:login")
    if request.path != login:
        return ""
    try:
        posted = request.POST if request.method == "POST" else None
    except (OSError, SuspiciousOperation, MultiPartParserError):  # an unreadable body
        posted = None
    kept = {}
    for name in KEPT_PARAMETERS:
        value = (posted.get(name) if posted is not None else None) or request.GET.get(name) or ""
        value = value.strip()
        if value and len(value) <= MAX_PARAMETER_LENGTH:
            kept[name] = value
    return f"{login}?{urlencode(kept)}" if kept else login
