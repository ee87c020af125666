"""« Comptes » (``/gestion/comptes/``): the accounts of the establishments an administrator
administers (all of them for the operator), searched, filtered and paged in the database, each
with its state as the pages show it (socle.directory.blocking for a block)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from socle.directory.blocking import blocked_now
from socle.directory.models import Membership, Person
from socle.directory.passwords import block_refusal
from socle.directory.search import name_or_login


def in_scope(ids: set[int] | None) -> QuerySet[Person]:
    """The people an administrator sees: a membership in one of ``ids`` (``None``: everyone,
    the operator's view, people of no establishment included)."""
    if ids is None:
        return Person.objects.all()
    return Person.objects.filter(
        pk__in=Membership.objects.filter(establishment_id__in=ids).values("person_id")
    )


def listed(
    ids: set[int] | None,
    *,
    query: str = "",
    establishment: int | None = None,
    profile: str = "",
    class_name: str = "",
) -> QuerySet[Person]:
    """The accounts the page lists, by name: ``query`` in the names or the login (accents and
    case ignored), and a membership matching the establishment, profile and class chosen, all
    within ``ids``."""
    people = in_scope(ids).filter(name_or_login(query))
    membership = Q()
    if ids is not None:
        membership &= Q(establishment_id__in=ids)
    if establishment is not None:
        membership &= Q(establishment_id=establishment)
    if profile:
        membership &= Q(profile=profile)
    if class_name.strip():
        membership &= Q(class_name__iexact=class_name.strip())
    if establishment is not None or profile or class_name.strip():
        people = people.filter(pk__in=Membership.objects.filter(membership).values("person_id"))
    shown = Membership.objects.select_related("establishment").order_by("establishment__name")
    return (
        people.select_related("activation_code", "blocked_by")
        .prefetch_related(Prefetch("memberships", queryset=shown))
        .order_by("last_name", "first_name", "pk")
    )


@dataclass(frozen=True)
class State:
    key: str  # "active", "activated", "pending", "deactivated", "blocked"
    label: str
    note: str = ""  # the end of a block whose date has passed, the reason of a block


def state_of(person: Person, today: dt.date | None = None) -> State:
    """« actif », « activé », « activation en attente (code non utilisé) », « désactivé par
    l'import », « bloqué jusqu'au … inclus »; a block whose last day has passed is shown as what the
    account is now (its row changes at the person's next login)."""
    today = today or timezone.localdate()
    if blocked_now(person, today):
        until = person.blocked_until
        label = (
            _("bloqué jusqu'au %(date)s inclus") % {"date": f"{until:%d/%m/%Y}"}
            if until is not None
            else _("bloqué")
        )
        return State("blocked", label, person.block_reason)
    note = ""
    active = person.is_active
    if person.blocked_at is not None:  # over
        assert person.blocked_until is not None
        note = _("blocage terminé le %(date)s") % {"date": f"{person.blocked_until:%d/%m/%Y}"}
        active = person.active_when_unblocked
    if not active:
        return State("deactivated", _("désactivé par l'import"), note)
    if _pending_code(person):
        return State("pending", _("activation en attente (code non utilisé)"), note)
    if person.activated_at is not None:
        return State("activated", pgettext("account state", "activé"), note)
    return State("active", _("actif"), note)


def _pending_code(person: Person) -> bool:
    try:
        code = person.activation_code
    except Person.activation_code.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return False
    return code.used_at is None and code.expires_at > timezone.now()


@dataclass(frozen=True)
class Row:
    person: Person
    profiles: list[str]
    classes: list[str]
    state: State
    can_block: bool
    # why there is no « Bloquer » when it is someone else's account (an administrator, an ENT
    # account): only the operator may; empty when the link is shown or for one's own row
    block_note: str = ""


def rows(people: list[Person], admin: Any, administered: set[int]) -> list[Row]:
    """The page's rows: what the administrator's establishments (``administered``; empty for
    a superuser, who sees every one) say of each person (profiles, classes), the state, and
    whether this administrator may block or unblock them."""
    today = timezone.localdate()
    everywhere = bool(getattr(admin, "is_superuser", False))
    result = []
    for person in people:
        mine = [
            m for m in person.memberships.all() if everywhere or m.establishment_id in administered
        ]
        can_block = block_refusal(admin, person, administered) is None
        own = getattr(admin, "pk", None) == person.pk
        block_note = (
            "" if can_block or own else _("Blocage et déblocage : par un administrateur de l'ENT")
        )
        result.append(
            Row(
                person=person,
                profiles=sorted({str(m.get_profile_display()) for m in mine}),
                classes=sorted({m.class_name for m in mine if m.class_name}),
                state=state_of(person, today),
                can_block=can_block,
                block_note=block_note,
            )
        )
    return result


def visible(ids: set[int] | None, uid: str) -> Person | None:
    """The person of ``uid`` if this administrator sees them (:func:`in_scope`), else None: a
    person of another school only is not found, as if they did not exist."""
    return in_scope(ids).filter(uid=uid[:32]).prefetch_related("memberships").first()
