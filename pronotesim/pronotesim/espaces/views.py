"""Page commune and espaces of PRONOTE.net, and PRONOTE's own login form (``?login=true``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from pronotesim.base.categories import ESPACES, Espace, espace_for_page, home_espace
from pronotesim.base.models import Establishment, PronoteUser
from pronotesim.base.names import person_sort_key
from pronotesim.console.models import ServerSettings
from pronotesim.espaces.cas_flow import (
    cas_failure_page,
    handle_ticket,
    redirect_to_cas,
    redirect_to_cas_logout,
)
from pronotesim.espaces.forms import DirectLoginForm
from pronotesim.espaces.recognition import bound_account
from pronotesim.espaces.render import message_page, unpublished
from pronotesim.espaces.session import (
    METHOD_CAS,
    METHOD_DIRECT,
    METHOD_KEY,
    PREVIOUS_KEY,
    connect,
    current_user,
    disconnect,
    end_page,
    opened_by_cas,
    switch_account,
)
from pronotesim.espaces.urls_util import prefix


def _wants_direct_login(request: HttpRequest) -> bool:
    return request.GET.get("login", "").lower() == "true"


def _espace_url(espace: Espace, mobile: bool) -> str:
    return prefix() + espace.page(mobile)


def _direct_login(
    request: HttpRequest, server: ServerSettings, espace: Espace | None, mobile: bool
) -> HttpResponse:
    """PRONOTE's own login form: always without CAS, with CAS only when allowed."""
    if server.cas_enabled and not server.direct_login_allowed:
        return message_page(
            request,
            title="PRONOTE.net",
            message="L'authentification directe par PRONOTE.net n'est pas autorisée : "
            "connectez-vous depuis votre ENT.",
            status=403,
            css_class="erreur",
        )
    form = DirectLoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        user = PronoteUser.objects.filter(direct_login=form.cleaned_data["login"]).first()
        if user is None or not user.check_direct_password(form.cleaned_data["password"]):
            error = "Identifiant ou mot de passe incorrect."
        elif espace is not None and user.category not in espace.categories:
            error = f"Ce compte ne permet pas d'accéder à l'{espace.title}."
        else:
            connect(request, user, METHOD_DIRECT)
            target = espace or home_espace(user.category)
            # ``?login=true`` stays: loading the espace again shows PRONOTE's form, not the CAS.
            return HttpResponseRedirect(_espace_url(target, mobile) + "?login=true")
    return render(
        request,
        "pronotesim/login.html",
        {
            "form": form,
            "error": error,
            "espace": espace,
            "establishment": Establishment.current(),
        },
        status=401 if error else 200,
    )


def _account_for(request: HttpRequest, user: PronoteUser, espace: Espace) -> PronoteUser:
    """A CAS user holding accounts of several categories (a teacher who is also a parent)
    switches to the account this espace is for."""
    if user.category in espace.categories or request.session.get(METHOD_KEY) != METHOD_CAS:
        return user
    other = bound_account(user.cas_identifier, espace.categories) if user.cas_identifier else None
    if other is None or other.category not in espace.categories:
        return user
    switch_account(request, other)
    return other


def _render_espace(
    request: HttpRequest, user: PronoteUser, espace: Espace, mobile: bool
) -> HttpResponse:
    if user.category not in espace.categories:
        own = home_espace(user.category)
        return message_page(
            request,
            title=espace.title,
            message=f"Votre profil ({user.category_label}) ne vous permet pas d'accéder à "
            f"l'{espace.title}.",
            status=403,
            links=[(own.title, _espace_url(own, mobile))],
            css_class="erreur",
        )
    return render(
        request,
        "pronotesim/espace.html",
        {
            "user": user,
            "espace": espace,
            "mobile": mobile,
            "previous_connection": request.session.get(PREVIOUS_KEY, ""),
            "via_cas": request.session.get(METHOD_KEY) == "cas",
            "children": sorted(user.children.all(), key=person_sort_key),
            "responsables": sorted(user.responsables.all(), key=person_sort_key),
            "establishment": Establishment.current(),
        },
    )


@require_http_methods(["GET", "POST"])
def page_commune(request: HttpRequest) -> HttpResponse:
    server = ServerSettings.load(request)
    if not server.published:
        return unpublished(request)
    if server.cas_enabled and "ticket" in request.GET:
        return handle_ticket(request, server, "")
    failure = cas_failure_page(request) if request.method == "GET" else None
    if failure is not None:
        return failure
    if _wants_direct_login(request) or request.method == "POST":
        return _direct_login(request, server, None, False)
    user = current_user(request)
    if user is not None:
        return HttpResponseRedirect(_espace_url(home_espace(user.category), False))
    if server.cas_enabled:
        return redirect_to_cas(request, server, "")
    return render(
        request,
        "pronotesim/page_commune.html",
        {"espaces": ESPACES, "establishment": Establishment.current()},
    )


@require_http_methods(["GET", "POST"])
def espace_page(request: HttpRequest, page: str) -> HttpResponse:
    found = espace_for_page(page)
    if found is None:
        raise Http404("Espace inconnu")
    espace, mobile = found
    server = ServerSettings.load(request)
    if not server.published:
        return unpublished(request)
    if server.cas_enabled and "ticket" in request.GET:
        return handle_ticket(request, server, page)
    failure = cas_failure_page(request) if request.method == "GET" else None
    if failure is not None:
        return failure
    user = current_user(request) if request.method == "GET" else None
    if user is None and (_wants_direct_login(request) or request.method == "POST"):
        return _direct_login(request, server, espace, mobile)
    if user is not None:
        response = _render_espace(request, _account_for(request, user, espace), espace, mobile)
        # PRONOTE.net's session lives in this page: loading it again (reload, « Précédent », the
        # address typed on a shared computer after the ENT's logout) authenticates again.
        end_page(request)
        response["Cache-Control"] = "no-store"
        return response
    if server.cas_enabled:
        return redirect_to_cas(request, server, page)
    return _direct_login(request, server, espace, mobile)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Ends the PRONOTE session; one opened by the ENT's CAS goes on to the CAS's logout, which
    ends the ENT session (and sends its single logout to every service of it)."""
    via_cas = opened_by_cas(request)
    disconnect(request)
    server = ServerSettings.load(request)
    if via_cas and server.cas_enabled and server.cas_url:
        return redirect_to_cas_logout(server)
    return message_page(
        request,
        title="PRONOTE.net",
        message="Vous êtes déconnecté de PRONOTE.net.",
        links=[("Page commune", prefix())],
    )
