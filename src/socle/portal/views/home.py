"""« Mon espace » (``/``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from socle.portal.context_processors import REQUEST_ATTRIBUTE
from socle.portal.home import Section, anonymous_sections, person_sections, services_bar
from socle.portal.models import LauncherSkip, Service
from socle.portal.permissions import is_admin, is_global_admin


def login_url() -> str:
    """The CAS login that brings the visitor back to « Mon espace » once identified (the CAS
    login view logs the person into the Django session too, then follows a local ``next``)."""
    return f"{settings.LOGIN_URL}?{urlencode({'next': '/'})}"


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(
            request,
            "portal/home_anonymous.html",
            {
                "sections": anonymous_sections(),
                "login_url": login_url(),
            },
        )
    sections = person_sections(request.user)
    setattr(request, REQUEST_ATTRIBUTE, services_bar(sections))  # the base template shows it
    return render(
        request,
        "portal/home.html",
        {
            "sections": sections,
            "several": sum(1 for s in sections if s.establishment is not None) > 1,
            "empty_for": "" if sections else _empty_for(request.user),
            "skipped": _skipped_launchers(request.user, sections),
        },
    )


def _skipped_launchers(person: Any, sections: list[Section]) -> list[Service]:
    """The services whose information page the person chose to skip: « Mon espace » links to
    each page again (``?afficher=1``), where the box can be unticked. Only those of the tiles
    (open to the person): the page of a service no longer open to them answers 403."""
    shown = {
        tile.service.pk: tile.service
        for section in sections
        for category in section.categories
        for tile in category.tiles
    }
    skips = LauncherSkip.objects.filter(person=person, service_id__in=shown)
    skipped = {shown[pk] for pk in skips.values_list("service_id", flat=True)}
    return sorted(skipped, key=lambda service: (service.label.casefold(), service.pk))


def _empty_for(person: Any) -> str:
    """Whom an empty « Mon espace » speaks to: ``"global_admin"`` (who opens every enabled
    service: none is declared yet), ``"admin"`` (who opens the services of their establishment
    themselves, in « Accès »), ``"no_establishment"`` (someone attached to no establishment any
    more, a pupil who left: no service will come), or ``""`` (everyone else waits for their
    establishment)."""
    if is_global_admin(person):
        return "global_admin"
    if is_admin(person):
        return "admin"
    return "" if person.memberships.exists() else "no_establishment"
