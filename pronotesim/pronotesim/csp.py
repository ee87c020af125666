"""The ``Content-Security-Policy`` of pronotesim's HTML pages (the idea of Socle's
``socle.core.csp``, written again here: pronotesim imports nothing from ``socle``).

Every page's style sheet and script are files of the package (``/<root>/ressources/``,
:mod:`pronotesim.espaces.resources`): no inline ``<script>``, event handler or ``style``
attribute, so that ``script-src 'self'; style-src 'self'`` holds. Data reach the scripts through
``json_script`` blocks (``type="application/json"``, never executed) or ``data-`` attributes.

« Se déconnecter » of an espace opened through the CAS posts to ``/<root>/deconnexion``, which
redirects to ``<cas>/logout``: browsers check ``form-action`` along a form's redirects too, so the
CAS's origin (from « Intégration dans un ENT ») is added there. The header goes on HTML answers
that are not redirects; XML, JSON, PEM and the resources themselves carry none.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'{forms}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def origin(url: str) -> str:
    """``scheme://host[:port]`` of an http(s) URL, or ``""`` (nothing to allow)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc or "@" in parts.netloc:
        return ""
    if any(character in parts.netloc for character in " ;,'\""):
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def policy(cas_url: str = "") -> str:
    """The header for a page; ``cas_url``: the ENT's CAS, where « Se déconnecter » ends."""
    cas = origin(cas_url) if cas_url else ""
    return POLICY.format(forms=f" {cas}" if cas else "")


def _cas_url(request: HttpRequest) -> str:
    from pronotesim.console.models import ServerSettings

    server = ServerSettings.load(request)  # as the view read (or saved) them: no new query
    return server.cas_url if server.cas_enabled else ""


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and not 300 <= response.status_code < 400:
            response.setdefault(HEADER, policy(_cas_url(request)))
        return response
