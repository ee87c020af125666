"""Administration of PRONOTE.net: SPR login, dashboard, publication, « Intégration dans un ENT »."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from pronotesim.base.categories import CATEGORY_CHOICES
from pronotesim.base.models import Establishment, PronoteUser
from pronotesim.console import ent_list, links
from pronotesim.console.forms import EntSettingsForm
from pronotesim.console.models import IdentificationRequest, ServerSettings
from pronotesim.console.spr import (
    SPR_KEY,
    check_spr_password,
    is_open,
    password_configured,
    spr_required,
)
from pronotesim.espaces.urls_util import admin_prefix, public_root


@require_http_methods(["GET", "POST"])
def spr_login(request: HttpRequest) -> HttpResponse:
    target = request.GET.get("next") or request.POST.get("next") or admin_prefix()
    if not target.startswith(admin_prefix()) or not url_has_allowed_host_and_scheme(target, None):
        target = admin_prefix()
    error = ""
    if request.method == "POST":
        if check_spr_password(request.POST.get("password", "")):
            request.session.cycle_key()
            request.session[SPR_KEY] = True
            return HttpResponseRedirect(target)
        error = "Mot de passe incorrect."
    if not password_configured() and not is_open():
        error = (
            "Aucun mot de passe SPR n'est défini : lancez « manage.py set_spr_password » "
            "ou définissez PRONOTESIM_SPR_PASSWORD."
        )
    return render(
        request,
        "pronotesim/console/login.html",
        {"error": error, "next": target, "establishment": Establishment.current()},
        status=401 if error else 200,
    )


@require_POST
def spr_logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(SPR_KEY, None)
    return HttpResponseRedirect(admin_prefix())


@spr_required
def dashboard(request: HttpRequest) -> HttpResponse:
    counts = []
    for code, label in CATEGORY_CHOICES:
        users = PronoteUser.objects.filter(category=code)
        total = users.count()
        counts.append((code, label, total, users.exclude(cas_identifier="").count()))
    return render(
        request,
        "pronotesim/console/dashboard.html",
        {
            "server": ServerSettings.load(request),
            "establishment": Establishment.current(),
            "counts": counts,
            "requests_count": IdentificationRequest.objects.count(),
        },
    )


@require_POST
@spr_required
def publication(request: HttpRequest) -> HttpResponse:
    server = ServerSettings.load(request)
    server.published = request.POST.get("action") == "publier"
    server.save(update_fields=["published"])
    back = request.POST.get("back", admin_prefix())
    return HttpResponseRedirect(back if back.startswith(admin_prefix()) else admin_prefix())


def derived_links(server: ServerSettings, request: HttpRequest) -> dict[str, str]:
    root = public_root(server, request)
    if not server.cas_url:
        return {
            "public_root": root,
            "url_for_ent": links.url_for_ent(root),
            "direct_url": links.direct_url(root),
        }
    return {
        "public_root": root,
        "cas_url": server.cas_url,
        "login_link": links.login_url(server.cas_url, root),
        "validation_link": links.validation_link(server.cas_url, root),
        "url_for_ent": links.url_for_ent(root),
        "direct_url": links.direct_url(root),
    }


@require_http_methods(["GET", "POST"])
@spr_required
def ent_settings(request: HttpRequest) -> HttpResponse:
    server = ServerSettings.load(request)
    saved = False
    if request.method == "POST" and not server.published:
        form = EntSettingsForm(request.POST)
        if form.is_valid():
            form.save(server)
            saved = True
            form = EntSettingsForm(initial=EntSettingsForm.initial_from(server))
    else:
        form = EntSettingsForm(initial=EntSettingsForm.initial_from(server))
    return render(
        request,
        "pronotesim/console/ent.html",
        {
            "server": server,
            "form": form,
            "saved": saved,
            "links": derived_links(server, request),
            "establishment": Establishment.current(),
            "ent_projects": ent_list.ENT_PROJECTS,
            "ent_urls": dict(ent_list.ENT_PROJECTS),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )
