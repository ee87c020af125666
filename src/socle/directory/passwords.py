"""Password changes: the one place that sets or resets a password and tells the CAS about it.

Every path here sends ``password_changed``; the CAS listens and ends the person's other single
sign-on sessions (all of them for a reset).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, get_hasher
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.directory import blocking
from socle.directory.activation import IssuedCode, consume, issue_code
from socle.directory.models import ActivationCode, Membership, Person
from socle.directory.signals import password_changed


def set_password(
    person: Person, password: str, *, keep_session_key: str | None = None, notify: bool = True
) -> None:
    """Stores the (already validated) password, marks the account as activated and sends
    ``password_changed`` so every other SSO session of the person ends.

    The signal is sent at once, inside the caller's transaction: receivers that store sessions in
    the database are rolled back together with the password if the transaction fails.
    ``notify=False`` leaves the signal to the caller (:func:`notify_password_changed`), e.g. a
    view that must first renew its own session key."""
    person.set_password(password)
    fields = ["password"]
    if person.activated_at is None:
        person.activated_at = timezone.now()
        fields.append("activated_at")
    person.save(update_fields=fields)
    if notify:
        notify_password_changed(person, keep_session_key=keep_session_key)


def on_imported_hash() -> QuerySet[Person]:
    """The accounts whose password hash is not of the preferred hasher (Argon2id): a hash
    imported from another system (the CSV's ``password_hash``), until the person's first login
    re-encodes it (docs/directory.md)."""
    preferred = get_hasher("default").algorithm
    return (
        Person.objects.exclude(password__startswith=f"{preferred}$")
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .exclude(password="")
    )


def notify_password_changed(person: Person, *, keep_session_key: str | None = None) -> None:
    password_changed.send(sender=Person, person=person, keep_session_key=keep_session_key)


def activate(row: ActivationCode, password: str) -> bool:
    """First connection: consumes the code and stores the chosen password and the acceptance of
    the terms, all or nothing. False when the code was used (or expired) in the meantime."""
    with transaction.atomic():
        if not consume(row):
            return False
        person = row.person
        person.terms_accepted_at = timezone.now()
        person.save(update_fields=["terms_accepted_at"])
        set_password(person, password)
    return True


def reset_refusal(
    admin: Person, person: Person, administered: set[int] | None = None
) -> str | None:
    """Why ``admin`` may not reset ``person``'s password (a sentence for the 403 page), or
    ``None`` when they may; ``administered``: :func:`administered_ids` of ``admin``, when the
    caller read them already.

    Nobody resets their own account (the page says to use « Mot de passe »). A superuser
    resets anyone else. An establishment administrator resets the people
    of an establishment they administer, unless the person holds rights beyond theirs: an
    account of the ENT's administration (superuser or staff), or the administrator of an
    establishment they do not administer. Resetting shows an activation code, so it would hand
    over those rights: such people are reset by a global administrator. ``administered``:
    as :func:`block_refusal`'s."""
    return _refusal(
        admin,
        person,
        administered=administered,
        own=own_account_refusal,
        refused=lambda: _(
            "Seuls les administrateurs d'un établissement de cette personne peuvent "
            "réinitialiser son mot de passe."
        ),
        ent_account=lambda: _(
            "Cette personne a un compte d'administration de l'ENT : seul un administrateur de "
            "l'ENT peut réinitialiser son mot de passe."
        ),
        other_admin=lambda: _(
            "Cette personne administre un établissement que vous n'administrez pas : seul un "
            "administrateur de l'ENT peut réinitialiser son mot de passe."
        ),
    )


def block_refusal(
    admin: Person, person: Person, administered: set[int] | None = None
) -> str | None:
    """Why ``admin`` may not block or unblock ``person``'s account (socle.directory.blocking),
    or ``None`` when they may: an administrator of one of the person's establishments, unless
    the person holds rights beyond theirs (as :func:`reset_refusal`) or administers any
    establishment, theirs included: co-administrators of a school could otherwise lock each
    other out, and only the operator could undo it, so the operator alone blocks or unblocks an
    administrator (a reset, a helpdesk need, stays open to a co-administrator:
    docs/portal.md, « Comptes »). ``administered``: ``admin``'s establishments when the caller
    knows them (a page of rows, whose memberships it prefetched)."""
    return _refusal(
        admin,
        person,
        administered=administered,
        own=lambda: _("Vous ne pouvez pas bloquer ou débloquer votre propre compte."),
        refused=lambda: _(
            "Seuls les administrateurs d'un établissement de cette personne peuvent bloquer ou "
            "débloquer son compte."
        ),
        ent_account=lambda: _(
            "Cette personne a un compte d'administration de l'ENT : seul un administrateur de "
            "l'ENT peut bloquer ou débloquer son compte."
        ),
        other_admin=lambda: _(
            "Cette personne administre un établissement : seul un administrateur de l'ENT peut "
            "bloquer ou débloquer son compte."
        ),
        colleagues_too=True,
    )


def _refusal(
    admin: Person,
    person: Person,
    *,
    own: Callable[[], str],
    refused: Callable[[], str],
    ent_account: Callable[[], str],
    other_admin: Callable[[], str],
    administered: set[int] | None = None,
    colleagues_too: bool = False,
) -> str | None:
    """``other_admin``: the refusal of a person who administers an establishment ``admin``
    does not administer — or, ``colleagues_too``, any establishment."""
    if not admin.is_authenticated or not admin.is_active:
        return refused()
    if admin.pk == person.pk:
        return own()
    if admin.is_superuser:
        return None
    if administered is None:
        administered = administered_ids(admin)
    # the person's memberships, prefetched by a page of rows or read here
    memberships = [(m.establishment_id, m.is_admin) for m in person.memberships.all()]
    if not any(establishment in administered for establishment, _admin in memberships):
        return refused()
    if person.is_superuser or person.is_staff:
        return ent_account()
    if any(
        is_admin and (colleagues_too or est not in administered) for est, is_admin in memberships
    ):
        return other_admin()
    return None


def administered_ids(admin: Person) -> set[int]:
    """The establishments ``admin`` administers (``Membership.is_admin``; a superuser's are
    all, which the callers test first)."""
    return set(
        Membership.objects.filter(person=admin, is_admin=True).values_list(
            "establishment_id", flat=True
        )
    )


def own_account_refusal() -> str:
    return _("Pour votre propre compte, changez votre mot de passe depuis « Mot de passe ».")


def can_reset_password(admin: Person, person: Person, administered: set[int] | None = None) -> bool:
    """Whether ``admin`` may reset ``person``'s password (:func:`reset_refusal`)."""
    return reset_refusal(admin, person, administered) is None


def reset_password(person: Person) -> IssuedCode:
    """Administrator's reset: the password stops working at once, every session ends, and a new
    activation code lets the person choose a new password (first-connection flow).

    A hand block whose last day has passed ends here, as at a login with the right password
    (:func:`socle.directory.blocking.end_if_over`, traced the same way): the login it waits for
    can no longer happen once the password is unusable, and the new code serves active accounts
    only."""
    with transaction.atomic():
        blocking.end_if_over(person)
        person.set_unusable_password()
        person.save(update_fields=["password"])
        issued = issue_code(person)
        password_changed.send(sender=Person, person=person, keep_session_key=None)
    return issued
