"""After a failed first-connection recognition: the « Identification impossible » form, and the
"Par double authentification" step (PRONOTE credentials once, then the CAS user is bound)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pronotesim.base.categories import espace_for_page, home_espace
from pronotesim.base.models import Establishment, PronoteUser
from pronotesim.console.models import IdentificationRequest
from pronotesim.espaces import recognition
from pronotesim.espaces.forms import DirectLoginForm, IdentificationForm
from pronotesim.espaces.render import message_page
from pronotesim.espaces.session import METHOD_CAS, PENDING_KEY, connect, pending, set_pending
from pronotesim.espaces.urls_util import prefix

KNOWN_ROWS = (
    ("nom", "Nom"),
    ("prenom", "Prénom"),
    ("date_naissance", "Date de naissance"),
    ("code_postal", "Code postal"),
)


def _expired(request: HttpRequest) -> HttpResponse:
    return message_page(
        request,
        title="PRONOTE.net",
        message="Votre session a expiré. Reconnectez-vous depuis votre ENT.",
        status=400,
        links=[("Page commune", prefix())],
    )


def _espace_title(page: str) -> str:
    found = espace_for_page(page) if page else None
    return found[0].title if found else "PRONOTE.net"


@require_http_methods(["GET", "POST"])
def identification_impossible(request: HttpRequest) -> HttpResponse:
    data = pending(request)
    if data is None or data.get("kind") != recognition.IMPOSSIBLE:
        return _expired(request)
    if request.method == "GET":
        # Like an espace, the form lives in its page: shown once (with what the CAS sent, the
        # person's name, birth date and postal code), never again to the next person at the
        # same browser by « Précédent » or the address typed again.
        if data.get("shown"):
            request.session.pop(PENDING_KEY, None)
            return _expired(request)
        set_pending(request, {**data, "shown": True})
    known = data.get("known") or {}
    form = IdentificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        IdentificationRequest.objects.create(
            cas_user=data.get("cas_user", "")[:255],
            espace=_espace_title(data.get("page", "")),
            reason=data.get("reason", "")[:300],
            known=known,
            corrections={name: cleaned[name] for name in IdentificationForm.CORRECTION_FIELDS},
            comment=cleaned["comment"],
            email=cleaned["email"],
            phone=cleaned["phone"],
        )
        request.session.pop(PENDING_KEY, None)
        return message_page(
            request,
            title="Identification impossible",
            message="Vos informations ont été transmises à l'établissement.",
        )
    rows = [(label, known.get(name, ""), form[name]) for name, label in KNOWN_ROWS]
    response = render(
        request,
        "pronotesim/identification_impossible.html",
        {"form": form, "rows": rows, "establishment": Establishment.current()},
        status=403 if request.method == "GET" else 400,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def double_authentication(request: HttpRequest) -> HttpResponse:
    data = pending(request)
    if data is None or data.get("kind") != recognition.DOUBLE_AUTH:
        return _expired(request)
    form = DirectLoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        user = PronoteUser.objects.filter(direct_login=form.cleaned_data["login"]).first()
        if user is None or not user.check_direct_password(form.cleaned_data["password"]):
            error = "Identifiant ou mot de passe incorrect."
        else:
            cas_user = data.get("cas_user", "")
            outcome = recognition.bind_by_credentials(user, cas_user, data.get("known") or {})
            if outcome.kind == recognition.OK:
                connect(request, user, METHOD_CAS)
                found = espace_for_page(data.get("page", ""))
                target = found[0] if found else home_espace(user.category)
                mobile = bool(found and found[1])
                return HttpResponseRedirect(prefix() + target.page(mobile))
            set_pending(request, {**data, "kind": recognition.IMPOSSIBLE, "reason": outcome.reason})
            return HttpResponseRedirect(prefix() + "identification-impossible")
    return render(
        request,
        "pronotesim/login.html",
        {
            "form": form,
            "error": error,
            "double_auth": True,
            "establishment": Establishment.current(),
        },
        status=401 if error else 200,
    )
