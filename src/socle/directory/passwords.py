"""Password changes: the one place that sets or resets a password and tells the CAS about it.

Every path here sends ``password_changed``; the CAS listens and ends the person's other single
sign-on sessions (all of them for a reset).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

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


def can_reset_password(admin: Person, person: Person) -> bool:
    """A superuser, or an administrator of one of the person's establishments (never oneself)."""
    if not admin.is_authenticated or not admin.is_active or admin.pk == person.pk:
        return False
    if admin.is_superuser:
        return True
    establishments = Membership.objects.filter(person=person).values("establishment_id")
    return Membership.objects.filter(
        person=admin, is_admin=True, establishment_id__in=establishments
    ).exists()


def reset_password(person: Person) -> IssuedCode:
    """Administrator's reset: the password stops working at once, every session ends, and a new
    activation code lets the person choose a new password (first-connection flow)."""
    with transaction.atomic():
        person.set_unusable_password()
        person.save(update_fields=["password"])
        issued = issue_code(person)
        password_changed.send(sender=Person, person=person, keep_session_key=None)
    return issued
