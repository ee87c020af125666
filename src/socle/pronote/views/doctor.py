"""The PRONOTE diagnostics page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from socle.pronote.doctor import diagnose
from socle.pronote.doctor_account import missing_attribute_message
from socle.pronote.forms import DoctorForm, _establishments
from socle.pronote.permissions import pronote_admin_required


@pronote_admin_required
@require_GET
def doctor_view(request: HttpRequest) -> HttpResponse:
    form = DoctorForm(request.GET or None, user=request.user)
    report = None
    if form.is_bound and form.is_valid():
        report = diagnose(form.cleaned_data["establishment"], form.cleaned_data["login"])
    elif not form.is_bound:
        choices = _establishments(form).queryset
        first = choices.first() if choices is not None else None
        if first is not None and choices is not None and choices.count() == 1:
            report = diagnose(first)
    return render(
        request,
        "pronote/doctor.html",
        {
            "form": form,
            "report": report,
            "example": missing_attribute_message("https://cas.example", "idPronote"),
        },
    )
