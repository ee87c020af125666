"""Administration: « Exporter les identifiants PRONOTE » and the ENT's file (mode avec
alimentation), with the Index Education public key the ENT encrypts for."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pronotesim.base.models import Establishment
from pronotesim.console.forms import ExportForm, ImportForm, PartnerForm
from pronotesim.console.models import AlimentationImport, ServerSettings
from pronotesim.console.spr import spr_required
from pronotesim.files.alimentation import AlimentationError, import_file
from pronotesim.files.crypto import public_pem_of
from pronotesim.files.export import ExportUnavailable, build_export, reset_cas_identifiers


@require_http_methods(["GET", "POST"])
@spr_required
def export(request: HttpRequest) -> HttpResponse:
    server = ServerSettings.load(request)
    export_form = ExportForm(request.POST if request.POST.get("action") == "exporter" else None)
    partner_form = PartnerForm(
        request.POST if request.POST.get("action") == "partenaire" else None,
        request.FILES or None,
        has_key=bool(server.partner_public_key),
        initial={"partner_name": server.partner_name},
    )
    error = ""
    saved = False
    if request.method == "POST" and request.POST.get("action") == "partenaire":
        if partner_form.is_valid():
            server.partner_name = partner_form.cleaned_data["partner_name"]
            if partner_form.cleaned_data["public_key"]:
                server.partner_public_key = partner_form.cleaned_data["public_key"]
            server.save()
            saved = True
    elif request.method == "POST" and export_form.is_valid():
        try:
            result = build_export(
                server, only_without_cas=export_form.cleaned_data["only_without_cas"]
            )
        except ExportUnavailable as exc:
            error = str(exc)
        else:
            response = HttpResponse(result.content, content_type="application/xml")
            response["Content-Disposition"] = f'attachment; filename="{result.file_name}"'
            reset_cas_identifiers(result)  # complete export: PRONOTE resets them
            return response
    return render(
        request,
        "pronotesim/console/export.html",
        {
            "server": server,
            "export_form": export_form,
            "partner_form": partner_form,
            "error": error,
            "saved": saved,
            "establishment": Establishment.current(),
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@spr_required
def alimentation(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    error = ""
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if (upload.size or 0) > settings.PRONOTESIM_MAX_FILE_SIZE:
            error = "Fichier trop volumineux."
        else:
            try:
                outcome = import_file(upload.read(), file_name=upload.name)
            except AlimentationError as exc:
                error = str(exc)
    return render(
        request,
        "pronotesim/console/alimentation.html",
        {
            "form": form,
            "error": error,
            "outcome": outcome,
            "last": AlimentationImport.objects.first(),
            "has_key": bool(ServerSettings.load(request).index_private_key),
            "establishment": Establishment.current(),
        },
        status=400 if error else 200,
    )


def index_public_key(request: HttpRequest) -> HttpResponse:
    """The Index Education public key (PEM), for the ENT's export. Public by nature."""
    server = ServerSettings.load(request)
    if not server.index_private_key:
        return HttpResponse(
            "Aucune clé Index Education n'a été générée.",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(
        public_pem_of(server.index_private_key), content_type="application/x-pem-file"
    )
    response["Content-Disposition"] = 'attachment; filename="index-education-public.pem"'
    return response
