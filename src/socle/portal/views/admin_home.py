"""« Gestion »: the administration home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from socle.portal.menu import admin_menu
from socle.portal.permissions import admin_required, administered_establishments


@admin_required
def admin_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/admin_index.html",
        {
            "items": admin_menu(request.user),
            "establishments": administered_establishments(request.user).order_by("name")[:50],
            "global_admin": request.user.is_superuser,
        },
    )
