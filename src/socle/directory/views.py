"""Account pages under ``/compte/``: short adapters over socle.directory.passwords."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from socle.directory.activation import cas_login_url, code_from_token, safe_service
from socle.directory.forms import ChangePasswordForm, ChoosePasswordForm
from socle.directory.models import Person
from socle.directory.passwords import activate as activate_account
from socle.directory.passwords import (
    can_reset_password,
    notify_password_changed,
    set_password,
)
from socle.directory.passwords import reset_password as reset_account


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "directory/activation_invalid.html",
        {"login_url": cas_login_url(None)},
        status=410,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, token: str) -> HttpResponse:
    code = code_from_token(token)
    if code is None:
        return _invalid_link(request)
    service = safe_service(request.GET.get("service"))
    form = ChoosePasswordForm(code, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not activate_account(code, form.cleaned_data["new_password1"]):
            return _invalid_link(request)
        messages.success(
            request,
            _(
                "Votre mot de passe est enregistré. Connectez-vous avec votre identifiant "
                "%(login)s et ce nouveau mot de passe."
            )
            % {"login": code.person.login},
        )
        return redirect(cas_login_url(service))
    return render(
        request,
        "directory/activate.html",
        {
            "form": form,
            "person": code.person,
            "terms_url": settings.SOCLE_TERMS_URL,
            "action": request.get_full_path(),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    person = request.user
    assert isinstance(person, Person)
    form = ChangePasswordForm(person, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            set_password(person, form.cleaned_data["new_password1"], notify=False)
            update_session_auth_hash(request, person)  # renews this session's key
            request.session.save()  # stored now: the receivers read it by its key
            notify_password_changed(person, keep_session_key=request.session.session_key)
        return render(request, "directory/password_changed.html")
    return render(request, "directory/password_change.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reset_password(request: HttpRequest, uid: str) -> HttpResponse:
    person = get_object_or_404(Person, uid=uid[:32])
    admin = request.user
    if not isinstance(admin, Person) or not can_reset_password(admin, person):
        return render(request, "directory/reset_forbidden.html", status=403)
    if request.method == "POST":
        issued = reset_account(person)
        return render(
            request,
            "directory/reset_done.html",
            {"person": person, "issued": issued, "base_url": settings.SOCLE_BASE_URL},
        )
    return render(request, "directory/reset_confirm.html", {"person": person})
