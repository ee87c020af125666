"""Download button of the mode avec alimentation export.

The export is recorded when the file is sent, whether the browser gets it or not, and the page
lists the files already sent so that a lost download is simply made again
(:mod:`socle.pronote.export.history` says why).
"""

from __future__ import annotations

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from socle.pronote.export.history import last_exports
from socle.pronote.export.service import export_for_pronote, file_name
from socle.pronote.forms import ExportForm
from socle.pronote.permissions import administered_establishments, pronote_admin_required
from socle.pronote.views.actor import page_actor
from socle.pronote.views.refused import nothing_exported, refusal


@pronote_admin_required
@require_http_methods(["GET", "POST"])
def export_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ExportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            establishment = form.cleaned_data["establishment"]
            try:
                data, _result = export_for_pronote(
                    establishment,
                    form.cleaned_data["public_key"],
                    form.cleaned_data["partner_id"].strip(),
                    actor=page_actor(request),
                )
            except DatabaseError as exc:  # its record, one transaction: rolled back whole
                form.add_error(None, refusal(exc, nothing_exported()).text)
            else:
                response = HttpResponse(data, content_type="application/xml")
                disposition = f'attachment; filename="{file_name(establishment)}"'
                response["Content-Disposition"] = disposition
                return response
    else:
        form = ExportForm(user=request.user)
    # Recorded when sent (see socle.pronote.export.history): say what was already sent.
    done = last_exports(administered_establishments(request.user))
    return render(request, "pronote/export.html", {"form": form, "last_exports": done})
