"""Ends single sign-on sessions when the directory says so (password change, deactivation); a
new password also lifts the account's login lock over all addresses."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from socle.cas import throttle
from socle.cas.middleware import SESSION_KEY
from socle.cas.registry_cache import registry_changed
from socle.cas.sso import end_person_sessions
from socle.directory.signals import password_changed, person_deactivated
from socle.portal.models import Service, ServicePattern


def _sso_session_of(key: str | None) -> str | None:
    """``keep_session_key`` is an SSO session id (``TGC-…``) or the key of the Django session
    the change was made from, which remembers its SSO session (``socle.cas.middleware``)."""
    if not key or key.startswith("TGC-"):
        return key
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    return store.get(SESSION_KEY)


@receiver(password_changed, dispatch_uid="cas-end-sessions-on-password-change")
def _on_password_changed(
    sender: Any, person: Any, keep_session_key: str | None = None, **kwargs: Any
) -> None:
    end_person_sessions(person.pk, except_session=_sso_session_of(keep_session_key))
    # The lock over all addresses guarded the old password: lift it (socle.cas.throttle).
    throttle.forget_account(person.login)


@receiver(person_deactivated, dispatch_uid="cas-end-sessions-on-deactivation")
def _on_deactivated(sender: Any, person: Any, **kwargs: Any) -> None:
    end_person_sessions(person.pk)


@receiver(post_save, sender=Service, dispatch_uid="cas-registry-service-saved")
@receiver(post_delete, sender=Service, dispatch_uid="cas-registry-service-deleted")
@receiver(post_save, sender=ServicePattern, dispatch_uid="cas-registry-pattern-saved")
@receiver(post_delete, sender=ServicePattern, dispatch_uid="cas-registry-pattern-deleted")
def _on_registry_change(sender: Any, **kwargs: Any) -> None:
    registry_changed()
