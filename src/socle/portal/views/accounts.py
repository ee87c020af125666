"""« Comptes »: the accounts of an administrator's establishments, and their block by hand
(socle.directory.blocking). Short adapters over socle.portal.accounts."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from socle.directory import blocking
from socle.directory.models import Person
from socle.directory.passwords import block_refusal
from socle.portal import accounts
from socle.portal.forms.accounts import AccountFilterForm, BlockForm
from socle.portal.menu import optional_url
from socle.portal.permissions import (
    admin_required,
    administered_establishments,
    administered_ids,
    forbidden,
)
from socle.portal.views.user_rows import reset_link

PER_PAGE = 50


@admin_required
def account_list(request: HttpRequest) -> HttpResponse:
    ids = administered_ids(request.user)
    establishments = administered_establishments(request.user).order_by("name")
    mine = set() if ids is None else ids  # a superuser's rights do not read it
    form = AccountFilterForm(
        request.GET or None,
        establishments=[(e.uai, f"{e.name} ({e.uai})") for e in establishments],
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    chosen = establishments.filter(uai=data["etab"]).first() if data.get("etab") else None
    people = accounts.listed(
        ids,
        query=data.get("q", ""),
        establishment=chosen.pk if chosen else None,
        profile=data.get("profile", ""),
        class_name=data.get("classe", ""),
    )
    if form.is_bound and not form.is_valid():
        people = people.none()
    page = Paginator(people, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/accounts.html",
        {
            "form": form,
            "page": page,
            "rows": [
                (row, reset_link(request.user, row.person, mine))
                for row in accounts.rows(list(page), request.user, mine)
            ],
            "query": query.urlencode(),
            "traces_url": optional_url("portal:traces"),
        },
    )


def _person_or_refusal(request: HttpRequest, uid: str) -> Person | HttpResponse:
    """The person this administrator may block: another school's person only is not found
    (404); one beyond their rights is refused (403, saying why)."""
    person = accounts.visible(administered_ids(request.user), uid)
    if person is None:
        raise Http404("personne inconnue")
    assert isinstance(request.user, Person)  # admin_required
    refusal = block_refusal(request.user, person)
    if refusal is not None:
        return forbidden(request, refusal)
    return person


@admin_required
@require_http_methods(["GET", "POST"])
def account_block(request: HttpRequest, uid: str) -> HttpResponseBase:
    """The confirmation page, with the block's date and reason; its POST blocks (or changes
    the date and reason of a block)."""
    person = _person_or_refusal(request, uid)
    if isinstance(person, HttpResponse):
        return person
    initial = {}
    if blocking.blocked_now(person):  # changing its block
        initial = {"until": person.blocked_until, "reason": person.block_reason}
    form = BlockForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, Person)
        blocking.block(
            person,
            by=request.user,
            until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
        return _done(request, _("Le compte de %(name)s est bloqué : %(state)s."), person)
    return _confirmation(request, "portal/account_block.html", person, form=form)


@admin_required
@require_http_methods(["GET", "POST"])
def account_unblock(request: HttpRequest, uid: str) -> HttpResponseBase:
    person = _person_or_refusal(request, uid)
    if isinstance(person, HttpResponse):
        return person
    if request.method == "POST":
        assert isinstance(request.user, Person)
        if not blocking.unblock(person, by=request.user, request=request):
            return redirect(_back(request))  # not blocked (any more): nothing to say
        return _done(request, _("Le compte de %(name)s est débloqué : %(state)s."), person)
    return _confirmation(request, "portal/account_unblock.html", person)


def _confirmation(
    request: HttpRequest, template: str, person: Person, **context: object
) -> HttpResponse:
    state = accounts.state_of(person)
    return render(
        request, template, {"person": person, "state": state, "back": _back(request), **context}
    )


def _done(request: HttpRequest, message: str, person: Person) -> HttpResponseBase:
    """Back to the list, saying the account's new state."""
    state = accounts.state_of(person).label
    messages.success(request, message % {"name": person.display_name, "state": state})
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    """Where the page returns: the list as it was filtered (``?retour=`` of the row's link, a
    path of « Comptes » only), else the list."""
    base = optional_url("portal:accounts")
    back = (request.POST.get("retour") or request.GET.get("retour") or "").strip()
    return back if back.startswith(base + "?") and "//" not in back else base
