"""The launcher page of an SSO service."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
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
