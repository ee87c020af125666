"""« Mes données » (``/mes-donnees/``) and its file (``/mes-donnees/fichier``): what Socle holds
about the person logged in (``socle.portal.my_data``)."""

from __future__ import annotations

import re

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from socle.core.personal_data import export_person
from socle.portal.detail_forms import PERSON_DATA_EXPORTED
from socle.portal.my_data import RECENT_DAYS, my_data
from socle.portal.person_text import export_text
from socle.portal.statement import privacy_notice
from socle.portal.traces import record
from socle.portal.views.common import client_ip


@require_GET
def my_data_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "portal/my_data.html",
        {
            "data": my_data(request.user),
            "recent_days": RECENT_DAYS,
            "privacy": privacy_notice(),
        },
    )


@require_http_methods(["GET", "POST"])
def my_data_file(request: HttpRequest) -> HttpResponse:
    """The whole export as text, in the page's language, as ``socle person_data --format
    texte`` writes it; traced as the command's export is (``person_data_exported``), made by
    the person themselves. A POST only (the page's button, with its CSRF token): the download
    writes a trace, which a GET — a link, a bookmark, another site's ``<img>`` — must not, so a
    GET is sent to « Mes données », where the button is."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("portal:my_data"))
    if request.method != "POST":
        return redirect("portal:my_data")
    person = request.user
    text = export_text(person, export_person(person))
    record(
        "person_data_exported",
        person=person,
        client_ip=client_ip(request),
        detail=PERSON_DATA_EXPORTED,
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    day = timezone.localdate().isoformat()
    login = re.sub(r"[^A-Za-z0-9._-]", "_", person.login)  # a login given by hand or a file
    name = f"mes-donnees-{login}-{day}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
