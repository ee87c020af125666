"""Helpers shared by the administration views."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from socle.core.middleware import client_address_of
from socle.directory.models import Establishment
from socle.portal.permissions import administered_establishments

SESSION_KEY = "portal_current_uai"


def current_establishment(request: HttpRequest) -> Establishment | None:
    """The « site courant »: ``?etab=<UAI>`` among the administered establishments, remembered
    in the session; an establishment administrator defaults to their first establishment.
    An establishment asked for explicitly but not administered is refused (403); one that
    does not exist is not found (404)."""
    administered = administered_establishments(request.user)
    uai = (request.GET.get("etab") or request.POST.get("etab") or "").strip().upper()
    if uai:
        establishment = administered.filter(uai=uai).first()
        if establishment is None:
            if not Establishment.objects.filter(uai=uai).exists():
                raise Http404("établissement inconnu")
            raise PermissionDenied("établissement non administré")
    else:
        uai = request.session.get(SESSION_KEY, "")
        establishment = administered.filter(uai=uai).first() if uai else None
    if establishment is None and not request.user.is_superuser:
        establishment = administered.order_by("name").first()
    if establishment is not None:
        request.session[SESSION_KEY] = establishment.uai
    elif "etab" in request.GET:
        request.session.pop(SESSION_KEY, None)
    return establishment


def picker_context(request: HttpRequest, current: Establishment | None) -> dict[str, Any]:
    """Context for ``portal/_establishment_picker.html``."""
    return {
        "current_establishment": current,
        "picker_establishments": administered_establishments(request.user).order_by("name"),
    }


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for a trace (``socle.core.middleware.client_address_of``)."""
    return client_address_of(request.META) or None
