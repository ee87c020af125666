"""The CAS user name (``cas:user`` / SAML ``NameIdentifier``) a service receives.

It must never change for a given person and service: PRONOTE stores it as "Identifiant CAS" at
the first connection and recognises the user by it forever after.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from socle.directory.models import Person
from socle.portal.access_cache import PersonFacts
from socle.portal.models import Service, UsernameMode


def pairwise_id(person_uid: str, salt: str) -> str:
    """A per-service opaque id: HMAC-SHA256 keyed by the service's own stored salt (not by
    SECRET_KEY, which may be rotated), 26 base32 characters."""
    digest = hmac.new(salt.encode(), person_uid.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().rstrip("=").lower()[:26]


def cas_username(person: Person | PersonFacts, service: Service | None) -> str:
    mode = service.username_mode if service is not None else UsernameMode.UID
    if mode == UsernameMode.LOGIN:
        return person.login
    if mode == UsernameMode.PAIRWISE and service is not None:
        return pairwise_id(person.uid, service.pairwise_salt)
    return person.uid
