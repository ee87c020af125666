"""Device cookies: the browsers where an account has logged in before (OWASP, "Slow Down Online
Guessing Attacks with Device Cookies").

After a successful password login (and the first connection of a just-activated account) the
CAS sets ``socle_device`` (path ``/cas/``, HttpOnly,
SameSite=Lax, Secure when the session cookie is, ``SOCLE_LOGIN_DEVICE_COOKIE_DAYS`` days). It
holds up to :data:`MAX_ENTRIES` entries, newest first (a family computer): each is the login's
digest (``throttle.login_digest``, never the login in clear), a fingerprint of the password
hash it was issued under (a keyed digest: a new password voids every entry of the account, so
entries gathered while someone knew the old password are worth nothing afterwards) and a random
nonce, signed with Django's signing under its own salt and dated by its signature. An attempt
that brings a valid entry for the login it tries is from a *trusted device*:
``socle.cas.throttle`` counts its failures on the entry's nonce instead of locking it with the
account's and the address's counters. A forged, altered, expired or other login's entry, or
one issued under a former password, is ignored (the attempt is untrusted, as without cookie).
The cookie is no authentication factor: the password is always checked; a logout leaves it, a
new password voids its entries for that account. Neither its value nor a nonce is ever logged.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from socle.cas.throttle import login_digest
from socle.core.keys import matches_under_any_key

COOKIE = "socle_device"
PATH = "/cas/"  # the TGC's: the cookie reaches the login view and nothing else
SALT = "socle.cas.device-cookie"
MAX_ENTRIES = 5
SEPARATOR = "|"  # between entries; one is ``digest.fingerprint.nonce:timestamp:signature``
MAX_LENGTH = 1024  # a longer cookie was not set here: ignored unread
DAY = 24 * 60 * 60


def lifetime_days() -> int:
    """``SOCLE_LOGIN_DEVICE_COOKIE_DAYS``; 0 (or a value that is no positive integer, reported
    by ``socle.W012``) turns device cookies off: none is set, none is read."""
    days = getattr(settings, "SOCLE_LOGIN_DEVICE_COOKIE_DAYS", 180)
    return days if isinstance(days, int) and days > 0 else 0


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def _entries(request: HttpRequest) -> list[str]:
    value = request.COOKIES.get(COOKIE, "")
    if not value or len(value) > MAX_LENGTH:
        return []
    return value.split(SEPARATOR)[:MAX_ENTRIES]


def fingerprint(password_hash: str, secret: str | None = None) -> str:
    """A keyed digest of the password hash an entry is issued under (never the hash itself),
    under ``SECRET_KEY`` or ``secret`` (a former key: entries issued before a rotation)."""
    return salted_hmac(
        SALT + ".password", password_hash, secret=secret, algorithm="sha256"
    ).hexdigest()[:16]


def _payload(entry: str, days: int) -> list[str] | None:
    """``[digest, fingerprint, nonce]`` of an entry signed here less than ``days`` days ago."""
    try:
        payload = _signer().unsign(entry, max_age=days * DAY)
    except signing.BadSignature:  # SignatureExpired included
        return None
    parts = payload.split(".", 2)
    return parts if len(parts) == 3 and all(parts) else None


def _nonce(entry: str, digest: str, password_hash: str, days: int) -> str | None:
    """The nonce of ``entry`` when it is a valid entry for ``digest`` issued under
    ``password_hash`` less than ``days`` days ago; None otherwise."""
    if not entry.startswith(digest + "."):
        return None
    parts = _payload(entry, days)
    if parts is None or parts[0] != digest:
        return None
    issued_under = matches_under_any_key(parts[1], lambda key: fingerprint(password_hash, key))
    return parts[2] if issued_under else None


def present(request: HttpRequest) -> bool:
    """Whether the request brings a device cookie at all (and device cookies are on)."""
    return COOKIE in request.COOKIES and lifetime_days() > 0


def trusted_nonce(request: HttpRequest, login: str, password_hash: str) -> str | None:
    """The nonce of the request's valid device cookie entry for ``login`` issued under its
    current ``password_hash``, or None (no cookie, device cookies off, no valid entry, or a
    password changed since). Nothing is read without a cookie."""
    if not present(request) or not password_hash:
        return None
    days = lifetime_days()
    digest = login_digest(login)
    for entry in _entries(request):
        nonce = _nonce(entry, digest, password_hash, days)
        if nonce is not None:
            return nonce
    return None


def remember(request: HttpRequest, response: HttpResponse, login: str, password_hash: str) -> None:
    """After a successful password login: a new entry for ``login`` under its current
    ``password_hash`` first, then the request's other valid entries (expired or altered ones
    are dropped), at most :data:`MAX_ENTRIES`. With device cookies off, a cookie set before is
    deleted (it would be ignored anyway)."""
    days = lifetime_days()
    if not days:
        if COOKIE in request.COOKIES:
            response.delete_cookie(COOKIE, path=PATH, samesite="Lax")
        return
    if not password_hash:
        return
    digest = login_digest(login)
    kept = [
        entry
        for entry in _entries(request)
        if not entry.startswith(digest + ".") and _payload(entry, days) is not None
    ]
    value = f"{digest}.{fingerprint(password_hash)}.{secrets.token_urlsafe(16)}"
    entry = _signer().sign(value)
    response.set_cookie(
        COOKIE,
        SEPARATOR.join([entry, *kept[: MAX_ENTRIES - 1]]),
        max_age=days * DAY,
        path=PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
