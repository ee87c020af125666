"""Password changes: the one place that sets a chosen password and tells the CAS about it."""

from __future__ import annotations

from django.utils import timezone

from socle.directory.models import Person
from socle.directory.signals import password_changed


def set_password(person: Person, password: str, *, keep_session_key: str | None = None) -> None:
    """Stores the (already validated) password, marks the account as activated and sends
    ``password_changed`` so every other SSO session of the person ends.

    The signal is sent at once, inside the caller's transaction: receivers that store sessions in
    the database are rolled back together with the password if the transaction fails."""
    person.set_password(password)
    fields = ["password"]
    if person.activated_at is None:
        person.activated_at = timezone.now()
        fields.append("activated_at")
    person.save(update_fields=fields)
    password_changed.send(sender=Person, person=person, keep_session_key=keep_session_key)
