"""The services bar on every portal page of a logged-in person.

Computed only when a template shows it (lazily), never for ``/cas/`` pages (the CAS login,
logout and error pages stay free of portal queries), and once per request: « Mon espace »
hands over the bar it has already built.
"""

from __future__ import annotations

from typing import Any

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


def portal(request: HttpRequest) -> dict[str, Any]:
    # No ``user`` when a middleware before the authentication's refused the request (a Host not
    # in SOCLE_ALLOWED_HOSTS): Django's 400 page is rendered with the request all the same.
    user = getattr(request, "user", None)
    if request.path.startswith("/cas/") or user is None or not user.is_authenticated:
        return {}
    return {"services_bar": SimpleLazyObject(lambda: _bar(request))}
