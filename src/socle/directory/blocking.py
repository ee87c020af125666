"""Blocking an account by hand, and its end.

An administrator of one of the person's establishments, or the operator (the « Comptes » page,
or unticking « actif » in the Django admin), blocks an account, perhaps until a date (inclusive)
and with a short reason. While the block lasts ``Person.is_active`` is False, so every path that
refuses an inactive account refuses it (the CAS login says « compte désactivé », the hop and the
portal's session do not let it in), and ``person_deactivated`` ends its single sign-on sessions
at once. The imports never lift a block: a file that lists the person again, or leaves them out,
sets ``active_when_unblocked`` instead of ``is_active``, which the account takes when the block
ends — by hand (:func:`unblock`) or by itself once its date has passed, noticed at the person's
next login with the right password, at a reset of their password, or at the first use of a
code issued while it ran (:func:`end_if_over`, no cron) and shown as ended by the pages before
then (:func:`block_over`, :func:`blocked_now`).

``account_blocked`` / ``account_unblocked`` (socle.directory.signals) tell the portal, which
traces each in the « Traces » of the person's establishments.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from socle.directory.models import Person
from socle.directory.signals import account_blocked, account_unblocked, person_deactivated

REASON_LENGTH = 200
BLOCK_FIELDS = ["is_active", "blocked_at", "blocked_until", "blocked_by", "block_reason"]
# What the login's look-up of a person leaves out (socle.cas.authentication): a block is seen by
# ``is_active`` and its end by ``blocked_until``, the one column of a block the login reads.
DEFERRED_AT_LOGIN = ("blocked_at", "blocked_by", "block_reason", "active_when_unblocked")


def present(prefix: str = "") -> Q:
    """The accounts the imports keep: active, or blocked by hand but still listed (the block
    suspends them, it does not make them leave). ``prefix``: the path to the person in a query
    on another model (``"person__"``, ``"child__"``)."""
    return Q(**{f"{prefix}is_active": True}) | Q(
        **{f"{prefix}blocked_at__isnull": False, f"{prefix}active_when_unblocked": True}
    )


def is_blocked(person: Person) -> bool:
    """Blocked by hand, whether or not the block's date has passed (:func:`block_over`)."""
    return person.blocked_at is not None


def block_over(person: Person, today: dt.date | None = None) -> bool:
    """The block's last day has passed: the account is blocked no more, though its row still
    says so until :func:`end_if_over` (the next login) or an unblock writes it."""
    until = person.blocked_until  # read first: a person read at login has it alone
    if until is None or until >= (today or timezone.localdate()):
        return False
    return person.blocked_at is not None


def blocked_now(person: Person, today: dt.date | None = None) -> bool:
    """Blocked by hand and still so today: a block whose date has passed (:func:`block_over`)
    counts as ended, as the pages show it."""
    return is_blocked(person) and not block_over(person, today)


def block(
    person: Person,
    *,
    by: Person | None,
    until: dt.date | None = None,
    reason: str = "",
    request: object = None,
) -> None:
    """Blocks ``person`` (or changes the date and reason of their block): the account cannot
    log in, its sessions end at once, and the block is traced. An account the imports had
    deactivated stays so when the block ends."""
    with transaction.atomic():
        fresh = Person.objects.select_for_update().get(pk=person.pk)
        if fresh.blocked_at is None:
            fresh.active_when_unblocked = fresh.is_active
            fresh.blocked_at = timezone.now()
        fresh.is_active = False
        fresh.blocked_until = until
        fresh.blocked_by = by
        fresh.block_reason = reason.strip()[:REASON_LENGTH]
        fresh.save(update_fields=[*BLOCK_FIELDS, "active_when_unblocked", "updated_at"])
        _copy(fresh, person)
        # Inside the transaction, as the imports do: a committed block has ended the sessions.
        person_deactivated.send(sender=Person, person=person)
        account_blocked.send(sender=Person, person=person, actor=by, request=request)


def unblock(person: Person, *, by: Person | None, request: object = None) -> bool:
    """Lifts the block: the account becomes what the imports want it to be (active, unless
    one of them deactivated it meanwhile). False when it was not blocked."""
    with transaction.atomic():
        fresh = Person.objects.select_for_update().get(pk=person.pk)
        if fresh.blocked_at is None:
            return False
        _lift(fresh)
        _copy(fresh, person)
        account_unblocked.send(sender=Person, person=person, actor=by, request=request)
    return True


def end_if_over(person: Person, today: dt.date | None = None) -> bool:
    """At a login with the right password or a live activation code
    (socle.directory.activation.opens), or a reset of the password
    (socle.directory.passwords.reset_password): a block whose date has passed ends now
    (``person`` is updated in place). False, without a query, for any other account."""
    if not block_over(person, today):
        return False
    with transaction.atomic():
        fresh = Person.objects.select_for_update().get(pk=person.pk)
        if not block_over(fresh, today):
            return False
        _lift(fresh)
        _copy(fresh, person)
        account_unblocked.send(sender=Person, person=person, actor=None, request=None)
    return True


def clear_block(person: Person) -> None:
    """Forgets the block's fields (not saved): the Django admin's « actif » ticked again."""
    person.blocked_at = None
    person.blocked_until = None
    person.blocked_by = None
    person.block_reason = ""
    person.active_when_unblocked = True


def _lift(fresh: Person) -> None:
    fresh.is_active = fresh.active_when_unblocked
    clear_block(fresh)
    fresh.save(update_fields=[*BLOCK_FIELDS, "active_when_unblocked", "updated_at"])


def _copy(fresh: Person, person: Person) -> None:
    for name in (*BLOCK_FIELDS, "active_when_unblocked", "deactivated_at"):
        setattr(person, name, getattr(fresh, name))
