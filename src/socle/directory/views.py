"""Account pages under ``/compte/``: short adapters over socle.directory.passwords."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from socle.core.branding import ent_name
from socle.core.csp import allow_form_target
from socle.directory import account_links, blocking
from socle.directory.activation import (
    IssuedCode,
    cas_login_url,
    code_from_token,
    code_lifetime,
    safe_service,
)
from socle.directory.forms import ChangePasswordForm, ChoosePasswordForm, ResetPasswordForm
from socle.directory.handover import hand_over
from socle.directory.letters import NOTICE, STEPS, standings
from socle.directory.models import ActivationCode, Person
from socle.directory.passwords import activate as activate_account
from socle.directory.passwords import (
    administered_ids,
    notify_password_changed,
    reset_refusal,
    set_password,
)
from socle.directory.passwords import reset_password as reset_account
from socle.directory.signals import password_reset


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
        # The CAS logs the person in from the marker left in this browser's session.
        response = redirect(cas_login_url(service))
        hand_over(request, response, code)
        return response
    page = render(
        request,
        "directory/activate.html",
        {
            "form": form,
            "person": code.person,
            "terms_url": settings.SOCLE_TERMS_URL,
            "action": request.get_full_path(),
        },
    )
    # The form's redirects end at the service (through /cas/login, which refuses an unknown one).
    return allow_form_target(page, service) if service else page


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


RESET_CODES_KEY = "socle.directory.reset_codes"


def _resettable(
    request: HttpRequest, uid: str, administered: set[int] | None = None
) -> Person | HttpResponse:
    """The person the administrator may reset, or the 403 page; ``administered``: the
    establishments the administrator administers, when the view read them already."""
    people = Person.objects.all()
    if administered is not None:  # the rights read the person's memberships: once for the page
        people = people.prefetch_related("memberships")
    person = get_object_or_404(people, uid=uid[:32])
    admin = request.user
    refusal = reset_refusal(admin, person, administered) if isinstance(admin, Person) else ""
    if refusal is None:
        return person
    return render(
        request,
        "directory/reset_forbidden.html",
        {
            "message": refusal,
            "own_account": admin.pk == person.pk,
            # « Retour à Gestion portail », for an administrator, when the portal says so
            "back": account_links.back_link(request),
        },
        status=403,
    )


def _administered(admin: object) -> set[int] | None:
    """The establishments ``admin`` administers, read once for a page's rights; ``None`` for a
    superuser (whose rights read none) or an anonymous visitor."""
    if isinstance(admin, Person) and not admin.is_superuser:
        return administered_ids(admin)
    return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reset_password(request: HttpRequest, uid: str) -> HttpResponse:
    """Confirmation page; its POST resets, keeps the clear code in the administrator's session
    for one display, and redirects to :func:`reset_code` (a reload never issues another code)."""
    admin = request.user
    # read once, for the right to reset and for the block link's right
    administered = _administered(admin)
    person = _resettable(request, uid, administered)
    if isinstance(person, HttpResponse):
        return person
    assert isinstance(admin, Person)  # _resettable
    form = ResetPasswordForm(person, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            issued = reset_account(person)
            password_reset.send(sender=Person, person=person, request=request)
            codes = request.session.get(RESET_CODES_KEY, {})
            codes[person.uid] = {"code": issued.code, "expires_at": issued.expires_at.isoformat()}
            request.session[RESET_CODES_KEY] = codes
        return redirect("directory:reset_code", person.uid)
    blocked = blocking.blocked_now(person)
    return render(
        request,
        "directory/reset_confirm.html",
        {
            "person": person,
            "form": form,
            # the new sheet serves only if the block ends before the sheet expires: the page
            # says so before the button
            "blocked": blocked,
            "expires": timezone.localtime(timezone.now() + code_lifetime()).date(),
            "account_block": account_links.block_link(admin, person, blocked, administered),
        },
    )


@never_cache
@login_required
@require_GET
def reset_code(request: HttpRequest, uid: str) -> HttpResponse:
    """Shows the code just issued, once; afterwards (reload, resubmission), says it was already
    shown and offers a new reset."""
    admin = request.user
    # The letter's establishments: those the administrator administers (all for a superuser):
    # nothing of another school, its name or its pupils, to another school's administrator.
    # Read once, for the right to reset too.
    shown = _administered(admin)
    person = _resettable(request, uid, shown)
    if isinstance(person, HttpResponse):
        return person
    codes = request.session.get(RESET_CODES_KEY, {})
    kept = codes.pop(person.uid, None)
    if kept is not None:
        request.session[RESET_CODES_KEY] = codes
        issued = IssuedCode(person, kept["code"], dt.datetime.fromisoformat(kept["expires_at"]))
        return render(
            request,
            "directory/reset_done.html",
            {
                "person": person,
                "issued": issued,
                "base_url": settings.SOCLE_BASE_URL,
                # the page prints as the person's « fiche de connexion », as the letters do
                "ent_name": ent_name(),
                "standings": standings(person, shown),
                "steps": [gettext(step) for step in STEPS],
                "notice": gettext(NOTICE),
                # the same warning as before the button (screen only, not on the sheet)
                "blocked": blocking.blocked_now(person),
            },
        )
    current = ActivationCode.objects.filter(person=person).first()
    if current is None:
        return redirect("directory:reset_password", person.uid)
    return render(request, "directory/reset_already.html", {"person": person, "current": current})
