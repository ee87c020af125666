"""Django sessions in the cache (Redis), a new session written once instead of four calls.

Django's cache session store, at a login, asks whether the new key exists, writes the empty
session (``create``), then at the end of the request reads it back to check it still exists and
writes it again: four round trips to Redis for one session. Here a new session gets its random
key without asking (32 characters of ``[a-z0-9]``, drawn from one call to the system's random
source instead of Django's one call per character; a collision is still caught, below) and is
written once, by the response, with ``add`` (which never overwrites: a taken key gets a new one).
Later saves of an existing session behave exactly as Django's.

A session whose key is renewed (``cycle_key``: a login, a password change, and every request that
Django's ``get_user`` verifies with a former secret key, ``SECRET_KEY_FALLBACKS``) keeps its
former key readable for :data:`CYCLE_GRACE` seconds, with the data it had, instead of losing it
at once: during a key rotation on several nodes (docs/deployment.md, "Rotating secrets") nodes
on the two keys renew the same session at each request that crosses from one to the other, and
the requests a page sends at once (its services' icons) still carried the former key; finding
it gone, they emptied the session and deleted the browser's cookie (the portal logged out).
What the former key holds is the state before the renewal: anonymous before a login, the former
password's digest before a password change (which ``get_user`` then refuses).

:class:`WrittenOnce` does this for any of Django's stores whose ``save(must_create=True)``
refuses a taken key with ``CreateError``: ``socle.core.db_sessions`` applies it to the
database store (SQLite, or PostgreSQL without Redis).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, SessionBase
from django.contrib.sessions.backends.cache import SessionStore as CacheSessionStore
from django.core.cache import caches

MAX_ATTEMPTS = 10
CYCLE_GRACE = 30  # seconds a renewed session's former key stays readable
KEY_LENGTH = 32
_KEY_SPACE = len(VALID_KEY_CHARS) ** KEY_LENGTH  # about 2**165


def new_session_key() -> str:
    """32 characters of ``VALID_KEY_CHARS``, uniformly drawn, as Django's own keys.

    ``get_random_string`` asks the system for randomness once per character (32 ``getrandom``
    calls); one uniform number below ``36**32`` written in base 36 is the same draw with one
    call (``secrets.randbelow`` rejects and redraws out-of-range values: no modulo bias).
    """
    number = secrets.randbelow(_KEY_SPACE)
    base = len(VALID_KEY_CHARS)
    digits = []
    for _ in range(KEY_LENGTH):
        number, digit = divmod(number, base)
        digits.append(VALID_KEY_CHARS[digit])
    return "".join(digits)


class WrittenOnce(SessionBase):
    """A new session's key is drawn without a lookup, and the session is stored by its first
    :meth:`save` (the response's) with ``must_create``: a key already taken gets another one."""

    _unsaved_new = False

    def _get_new_session_key(self) -> str:
        return new_session_key()

    def create(self) -> None:
        """A new key, written by the first :meth:`save` (the response's), not now."""
        self._session_key = self._get_new_session_key()
        self._unsaved_new = True
        self.modified = True

    def cycle_key(self) -> None:
        """Django's, but the former key expires :data:`CYCLE_GRACE` seconds later instead of
        being deleted now (module docstring)."""
        data = dict(self.items())  # loaded, as Django's ``self._session``
        key = self.session_key
        self.create()
        self._session_cache = data
        if key:
            self._expire_soon(key)

    def _expire_soon(self, session_key: str) -> None:
        raise NotImplementedError

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:  # data stored in a session that had no key yet
            self.create()
        if not self._unsaved_new:
            super().save(must_create=must_create)
            return
        for _ in range(MAX_ATTEMPTS):
            try:
                super().save(must_create=True)
            except CreateError:
                self._session_key = self._get_new_session_key()
                continue
            self._unsaved_new = False
            return
        raise RuntimeError("Unable to create a new session key.")


class SessionStore(WrittenOnce, CacheSessionStore):
    """``SESSION_ENGINE = "socle.core.sessions"`` (with ``SOCLE_REDIS_URL``)."""

    def _expire_soon(self, session_key: str) -> None:
        caches[settings.SESSION_CACHE_ALIAS].touch(self.cache_key_prefix + session_key, CYCLE_GRACE)
