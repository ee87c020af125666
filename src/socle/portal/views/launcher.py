"""The launcher page of an SSO service."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from socle.core.csp import allow_form_target
from socle.directory.models import Establishment
from socle.portal.access import explain_access
from socle.portal.detail_forms import LAUNCHER
from socle.portal.espaces import is_phone
from socle.portal.launch import launch_targets, launcher_notes
from socle.portal.models import LauncherSkip, Service, SSOType
from socle.portal.policy import Decision
from socle.portal.traces import record
from socle.portal.views.common import client_ip

CONTINUE = "cible"
"""Query parameter of the launcher meaning "go on to target N": the login comes back to it when
the session expired while the page was open, so the button need not be clicked twice."""


@require_http_methods(["GET", "POST"])
def launcher(request: HttpRequest, code: str) -> HttpResponse:
    service = get_object_or_404(
        Service.objects.select_related("establishment"), code=code, enabled=True
    )
    if service.anonymous and service.sso_type == SSOType.NONE:
        return HttpResponseRedirect(service.url)
    if not request.user.is_authenticated:
        return redirect_to_login(_after_login(request))
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
            uai=_trace_uai(service, establishment, decision),
            client_ip=client_ip(request),
            detail=LAUNCHER,
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
    chosen = _target_index(request.GET.get(CONTINUE, ""), len(targets))
    if chosen is not None and _from_this_site(request):
        # back from the login after a POST: the choice was made then
        return HttpResponseRedirect(targets[chosen].url)
    if skip.exists() and "afficher" not in request.GET:
        return HttpResponseRedirect(targets[0].url)
    page = render(
        request,
        "portal/launcher.html",
        {
            "service": service,
            "targets": targets,
            "remembered": skip.exists(),
            "notes": launcher_notes(person, service),  # type: ignore[arg-type]
            "establishment": establishment,
        },
    )
    # Its form's redirects (through /cas/login) end at the service.
    return allow_form_target(page, *(target.service_url for target in targets))


def _trace_uai(service: Service, named: Establishment | None, decision: Decision) -> str:
    """The establishment of a refusal's trace, as the CAS's: the service's own, else the one the
    address names when the person belongs to it (a verdict there), else none. ``?etab=`` alone
    never writes in the « Traces » of a school the person has nothing to do with."""
    if service.establishment is not None:
        return service.establishment.uai
    if named is not None and any(v.establishment_id == named.pk for v in decision.verdicts):
        return named.uai
    return ""


def _from_this_site(request: HttpRequest) -> bool:
    """Whether the browser says this navigation started on this site (``Sec-Fetch-Site``, Fetch
    Metadata): the login's redirect does, a link on another site does not, so that no other site
    can take someone past the information page. A browser that does not send the header shows
    the page (one more click, as before)."""
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


def _target_index(value: str, count: int) -> int | None:
    """The index ``value`` names among ``count`` targets, ``None`` if it names none."""
    return int(value) if value.isdigit() and len(value) < 4 and int(value) < count else None


def _after_login(request: HttpRequest) -> str:
    """Where the login sends a visitor back: this launcher page, told to go on to the target
    chosen when the POST came from a page whose session expired meanwhile (the index is checked
    against the person's targets then; the URL is the launcher's own, never a given one)."""
    if request.method != "POST":
        return request.get_full_path()
    query = QueryDict(mutable=True)
    if request.GET.get("etab"):
        query["etab"] = request.GET["etab"]
    choice = request.POST.get("target", "0")
    query[CONTINUE] = choice if choice.isdigit() and len(choice) < 4 else "0"
    return f"{request.path}?{query.urlencode()}"
