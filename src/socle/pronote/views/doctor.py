"""The PRONOTE diagnostics page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from socle.directory.models import Establishment
from socle.pronote.doctor import DoctorReport, diagnose
from socle.pronote.forms import DoctorForm, _establishments, allowed_people
from socle.pronote.permissions import administered_establishments, pronote_admin_required
from socle.pronote.predicted_for import stale_mark
from socle.pronote.pronote_says import missing_attribute_message


def _diagnose(request: HttpRequest, establishment: Establishment, login: str = "") -> DoctorReport:
    """An establishment administrator examines the people of that establishment only (the
    import wizard's rule); a superuser, anyone."""
    allowed = allowed_people(request.user, establishment) if login.strip() else set()
    return diagnose(
        establishment, login, allowed=allowed, superuser=bool(request.user.is_superuser)
    )


def _with_only_establishment(request: HttpRequest) -> QueryDict | None:
    """The query, with ``establishment`` filled in when it names none and the administrator has
    only one: ``?login=X`` alone (a link, a bookmark) examines that school's account instead of
    answering « Ce champ est obligatoire » about a list of one."""
    if not request.GET:
        return None
    if request.GET.get("establishment"):
        return request.GET
    administered = administered_establishments(request.user).values_list("pk", flat=True)[:2]
    if len(administered) != 1:
        return request.GET
    query = request.GET.copy()
    query["establishment"] = str(administered[0])
    return query


@pronote_admin_required
@require_GET
def doctor_view(request: HttpRequest) -> HttpResponse:
    form = DoctorForm(_with_only_establishment(request), user=request.user)
    report = None
    if form.is_bound and form.is_valid():
        report = _diagnose(request, form.cleaned_data["establishment"], form.cleaned_data["login"])
    elif not form.is_bound:
        choices = _establishments(form).queryset
        first = choices.first() if choices is not None else None
        if first is not None and choices is not None and choices.count() == 1:
            report = _diagnose(request, first)
    return render(
        request,
        "pronote/doctor.html",
        {
            "form": form,
            "report": report,
            "example": missing_attribute_message("https://cas.example", "idPronote"),
            "stale_mark": stale_mark() if report and report.stale_conflicts else "",
        },
    )
