"""The sealed retry of a queued login (the « File d'attente » page, HTTP 503).

When no password-hash slot is free, the login view answers 503 with a page that posts the login
again by itself after ``Retry-After`` seconds. That page must not hold the password: on a shared
school computer the next person would read it with "view source", and it would stay in the
browser's memory and back-forward cache. The page holds a sealed token instead:

- the username and password, encrypted and authenticated with Fernet (AES-128-CBC and
  HMAC-SHA256, from ``cryptography``) under a key derived from ``SECRET_KEY`` by HKDF with a
  purpose of its own (:data:`PURPOSE`); keys of ``SECRET_KEY_FALLBACKS`` still open the tokens
  sealed just before a key rotation;
- bound to the browser: the sealed payload holds a digest of the browser's CSRF secret (its
  ``socle_csrftoken`` cookie), compared on opening, so that a token copied to another browser
  opens nothing. Django gives the browser a new CSRF secret at every login
  (``django.contrib.auth.login``), so a token that has logged someone in opens nothing
  afterwards, even in the same browser;
- short-lived: :func:`lifetime` seconds, the longest delay a queue page announces (twice
  ``SOCLE_ADMISSION_RETRY_AFTER``, ``socle.core.admission``) plus :data:`GRACE` for a slow
  network or a browser that slows the timers of a background tab. A retry that meets the queue
  again gets a new token.

Nothing is stored on the server: any node with the same secret key opens a token sealed by
another. A token is never logged, and a refused one is logged without its value.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import time
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.crypto import constant_time_compare

FIELD = "retry"  # the form field of the queue page that carries the token
PURPOSE = b"socle.cas.queue-retry"
GRACE = 120  # seconds beyond the longest announced delay
MAX_TOKEN_LENGTH = 4096  # a 1,024-character password seals to about 1,500


class RetryRefused(Exception):
    """The token is expired, altered, from another browser or another key: ask again."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


def now() -> float:
    return time.time()


def lifetime() -> int:
    """Seconds a token opens: the longest ``Retry-After`` of the queue page, plus the grace."""
    return 2 * int(settings.SOCLE_ADMISSION_RETRY_AFTER) + GRACE


def seal(request: HttpRequest, username: str, password: str) -> str:
    """A token for this browser only; gives the browser a CSRF secret if it has none yet (the
    page's ``{% csrf_token %}`` then sends the cookie with the page)."""
    get_token(request)
    payload = {"u": username, "p": password, "b": _browser(request)}
    data = json.dumps(payload, separators=(",", ":")).encode()
    return _fernet().encrypt_at_time(data, int(now())).decode("ascii")


def unseal(request: HttpRequest, token: str) -> Credentials:
    """The credentials sealed in ``token`` by :func:`seal` for this browser, or
    :class:`RetryRefused`."""
    browser = _browser(request)
    if not token or len(token) > MAX_TOKEN_LENGTH or not browser:
        raise RetryRefused
    try:
        data = _fernet().decrypt_at_time(token.encode("ascii"), lifetime(), int(now()))
        payload = json.loads(data)
    except (InvalidToken, ValueError):  # UnicodeEncodeError and JSONDecodeError are ValueErrors
        raise RetryRefused from None
    if not isinstance(payload, dict):
        raise RetryRefused
    username, password, bound = payload.get("u"), payload.get("p"), payload.get("b")
    if not (isinstance(username, str) and isinstance(password, str) and isinstance(bound, str)):
        raise RetryRefused
    if not constant_time_compare(bound, browser):
        raise RetryRefused
    return Credentials(username, password)


def _browser(request: HttpRequest) -> str:
    """A digest of the browser's CSRF secret, as ``CsrfViewMiddleware``/``csrf_protect`` read it
    from the cookie (or :func:`get_token` made it); "" when the browser has none."""
    secret = request.META.get("CSRF_COOKIE") or ""
    if not secret:
        return ""
    return hashlib.sha256(PURPOSE + b"|browser|" + secret.encode()).hexdigest()


def _fernet() -> MultiFernet:
    keys = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))
    return _fernet_for(tuple(str(key) for key in keys))


@functools.lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_derive(key)) for key in keys])


def _derive(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE)
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))
