"""The launcher page of an SSO service, and service icons."""

from __future__ import annotations

import mimetypes

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from socle.directory.models import Establishment
from socle.portal.access import explain_access
from socle.portal.espaces import is_phone
from socle.portal.launch import launch_targets
from socle.portal.models import LauncherSkip, Service, SSOType
from socle.portal.traces import record
from socle.portal.views.common import client_ip


@require_http_methods(["GET", "POST"])
def launcher(request: HttpRequest, code: str) -> HttpResponse:
    service = get_object_or_404(Service, code=code, enabled=True)
    if service.anonymous and service.sso_type == SSOType.NONE:
        return HttpResponseRedirect(service.url)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    person = request.user
    establishment = None
    uai = (request.GET.get("etab") or "").strip().upper()
    if uai:
        establishment = Establishment.objects.filter(uai=uai).first()
    decision = explain_access(person, service, establishment)  # type: ignore[arg-type]
    if not decision.allowed:
        record(
            "access_denied",
            outcome="denied",
            person=person,
            service_code=service.code,
            uai=establishment.uai if establishment else "",
            client_ip=client_ip(request),
            detail="lanceur du portail",
        )
        return render(request, "portal/denied.html", {"service": service}, status=403)
    targets = launch_targets(
        service, decision, phone=is_phone(request.headers.get("User-Agent", ""))
    )
    if service.sso_type == SSOType.NONE:
        return HttpResponseRedirect(targets[0].url)
    skip = LauncherSkip.objects.filter(person=person, service=service)
    if request.method == "POST":
        if request.POST.get("remember"):
            LauncherSkip.objects.get_or_create(person=person, service=service)
        else:
            skip.delete()
        choice = request.POST.get("target", "0")
        index = int(choice) if choice.isdigit() and int(choice) < len(targets) else 0
        return HttpResponseRedirect(targets[index].url)
    if skip.exists() and "afficher" not in request.GET:
        return HttpResponseRedirect(targets[0].url)
    return render(
        request,
        "portal/launcher.html",
        {
            "service": service,
            "targets": targets,
            "remembered": skip.exists(),
            "establishment": establishment,
        },
    )


def service_icon(request: HttpRequest, code: str) -> HttpResponseBase:
    """Serves an icon as a passive image: sandboxed, never sniffed, never inline script."""
    service = get_object_or_404(Service, code=code)
    if not service.icon:
        raise Http404
    try:
        handle = service.icon.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = mimetypes.guess_type(service.icon.name)[0] or "application/octet-stream"
    if content_type not in ("image/png", "image/svg+xml"):
        content_type = "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    if content_type == "application/octet-stream":
        response["Content-Disposition"] = "attachment"
    return response
