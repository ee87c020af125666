"""The CAS user name (``cas:user`` / SAML ``NameIdentifier``) a service receives.

It must never change for a given person and service: PRONOTE stores it as "Identifiant CAS" at
the first connection and recognises the user by it forever after. So the first validation for a
service records that names were sent (:func:`note_usernames_sent`), which locks the service's
``username_mode`` (``socle.portal.username_lock``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading

from socle.cas.registry_cache import VERSION
from socle.core.sqlite_turn import write_turn
from socle.directory.models import Person
from socle.portal.access_cache import PersonFacts
from socle.portal.models import Service, UsernameMode
from socle.portal.username_lock import mark_usernames_sent

logger = logging.getLogger("socle.cas")

# Services this process has marked: one UPDATE per service and process, none afterwards (the
# registry's copy of the service keeps ``usernames_sent=False``: an UPDATE sends no signal).
# Emptied with the registry's copy, so a service changed since (``--change-username-mode``
# clears the flag) is marked again at its next validation.
_marked: set[int] = set()
_marked_lock = threading.Lock()


def _forget_marked() -> None:
    with _marked_lock:
        _marked.clear()


VERSION.on_change(_forget_marked)


def pairwise_id(person_uid: str, salt: str) -> str:
    """A per-service opaque id: HMAC-SHA256 keyed by the service's own stored salt (not by
    SECRET_KEY, which may be rotated), 26 base32 characters."""
    digest = hmac.new(salt.encode(), person_uid.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().rstrip("=").lower()[:26]


def cas_username(person: Person | PersonFacts, service: Service | None) -> str:
    return username_for(person.uid, person.login, service)


def username_for(uid: str, login: str, service: Service | None) -> str:
    """:func:`cas_username` from the two columns it reads (for lists read without models)."""
    mode = service.username_mode if service is not None else UsernameMode.UID
    if mode == UsernameMode.LOGIN:
        return login
    if mode == UsernameMode.PAIRWISE and service is not None:
        return pairwise_id(uid, service.pairwise_salt)
    return uid


def note_usernames_sent(service: Service) -> None:
    """A ticket of ``service`` was validated: its user names are out, its mode is now fixed.
    Never fails the validation: an error (the database unreachable) is logged, and the next
    validation tries again."""
    if service.usernames_sent or service.pk in _marked:
        return
    try:
        with write_turn():
            mark_usernames_sent([service.pk])
    except Exception:  # a trace-like side note: the answer goes out whatever happens here
        logger.exception("could not record that service %s received user names", service.code)
        return
    with _marked_lock:
        _marked.add(service.pk)
