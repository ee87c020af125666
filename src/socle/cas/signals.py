"""Ends single sign-on sessions when the directory says so (password change, deactivation, an
account activated in a browser where someone else was logged in, a person deleted); a new
password also lifts the account's login lock over all addresses."""

from __future__ import annotations

import logging
from typing import Any

from django.core.signals import got_request_exception
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from socle.cas import throttle
from socle.cas.middleware import SESSION_KEY
from socle.cas.registry_cache import registry_changed
from socle.cas.sso import end_person_sessions, end_session, notify_services
from socle.cas.tickets import get_store
from socle.cas.views.common import STORE_ERRORS, TGC_COOKIE, clear_tgc, store_failure
from socle.cas.views.signin import opened_session
from socle.directory.models import Person
from socle.directory.signals import activated_here, password_changed, person_deactivated
from socle.portal.models import Service, ServicePattern

logger = logging.getLogger("socle.cas")


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


@receiver(pre_delete, sender=Person, dispatch_uid="cas-end-sessions-on-person-delete")
def _on_person_deleted(sender: Any, instance: Person, **kwargs: Any) -> None:
    """A person deleted (the Django admin, one or many) loses their SSO sessions as a deactivated
    one does, and the services that received a ticket in them get their single logout. The
    sessions are ended before the rows go (the database store's would otherwise vanish with
    them by cascade, and the services would never hear of it; the Redis store's would outlive
    the person); the logout requests leave once the deletion is committed. A store that cannot
    be reached refuses the deletion (the error rolls it back): deleted, the person's sessions
    could no longer be named."""
    tickets = get_store().end_person_sessions(instance.pk)
    if tickets:
        transaction.on_commit(lambda: notify_services(tickets))


@receiver(activated_here, dispatch_uid="cas-end-other-session-on-activation")
def _on_activated_here(
    sender: Any, person: Any, request: Any, response: Any, **kwargs: Any
) -> None:
    """The browser where ``person`` has just activated their account is theirs now: the SSO
    session its portal session remembers ends (the person's own sessions ended already with the
    new password), and the TGC is deleted (its path is ``/cas/``: the first-connection page never
    sees it, the browser forgets it anyway). A store that cannot be reached does not undo the
    activation: the browser forgets its session all the same, which then lives on at most until
    its idle timeout, in no browser."""
    ids = {request.COOKIES.get(TGC_COOKIE, ""), str(request.session.get(SESSION_KEY) or "")}
    for session_id in sorted(ids - {""}):
        try:
            end_session(session_id)
        except STORE_ERRORS as exc:
            logger.error("activation: previous SSO session not ended: %s", store_failure(exc))
    clear_tgc(response)


@receiver(got_request_exception, dispatch_uid="cas-end-session-of-a-failed-login")
def _on_request_failed(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """A login whose request fails after it opened an SSO session (the portal's Django session
    cannot be written at the end of the request, with the database or Redis faltering) answers an
    error page instead of the redirect that carried the TGC and the service ticket: that session
    is ended at once rather than left, in no browser, until its idle timeout, with its unsent
    ticket. No single logout: no ticket of it can have been validated. A store that cannot be
    reached either leaves it to expire."""
    session_id = opened_session(request)
    if not session_id:
        return
    try:
        get_store().end_session(session_id)
    except STORE_ERRORS as exc:
        logger.warning("failed login: its SSO session left to expire: %s", store_failure(exc))


@receiver(post_save, sender=Service, dispatch_uid="cas-registry-service-saved")
@receiver(post_delete, sender=Service, dispatch_uid="cas-registry-service-deleted")
@receiver(post_save, sender=ServicePattern, dispatch_uid="cas-registry-pattern-saved")
@receiver(post_delete, sender=ServicePattern, dispatch_uid="cas-registry-pattern-deleted")
def _on_registry_change(sender: Any, **kwargs: Any) -> None:
    registry_changed()
