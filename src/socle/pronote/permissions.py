"""Who may use the PRONOTE administration pages: superusers, and the administrators of the
establishment concerned. The one place to switch if the rule changes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from socle.directory.models import Establishment
from socle.portal.permissions import (
    administered_establishments as portal_administered_establishments,
)
from socle.portal.permissions import forbidden


def administered_establishments(person: Any) -> QuerySet[Establishment]:
    """The portal's rule (superuser → all; else memberships with ``is_admin=True``)."""
    return portal_administered_establishments(person)


def can_administer(person: Any, establishment: Establishment) -> bool:
    return administered_establishments(person).filter(pk=establishment.pk).exists()


def pronote_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; then at least one administered establishment (the portal's 403 page
    otherwise)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not administered_establishments(request.user).exists():
            return forbidden(request)  # the same page and words as the portal's
        return view(request, *args, **kwargs)

    return wrapper
