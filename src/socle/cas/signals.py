"""Ends single sign-on sessions when the directory says so (password change, deactivation)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from socle.cas.sso import end_person_sessions
from socle.directory.signals import password_changed, person_deactivated


@receiver(password_changed, dispatch_uid="cas-end-sessions-on-password-change")
def _on_password_changed(
    sender: Any, person: Any, keep_session_key: str | None = None, **kwargs: Any
) -> None:
    end_person_sessions(person.pk, except_session=keep_session_key)


@receiver(person_deactivated, dispatch_uid="cas-end-sessions-on-deactivation")
def _on_deactivated(sender: Any, person: Any, **kwargs: Any) -> None:
    end_person_sessions(person.pk)
