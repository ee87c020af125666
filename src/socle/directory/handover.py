"""Hand-over of a just-activated account to the CAS login: the person is logged in at once.

When a person has chosen their password on the first-connection page
(``socle.directory.views.activate``), :func:`hand_over` leaves a marker in the Django session of
this browser and sends it to ``/cas/login?service=…`` (the directory never imports the CAS). The
CAS login view calls :func:`take` and, when it returns a person, opens the single sign-on session
exactly as after a password login (``socle.cas.views.signin``). The marker is:

- bound to the browser: it lives in the server-side Django session (its key rotated first, so a
  session fixed beforehand cannot use it), and is honoured only with the cookie ``COOKIE`` whose
  random value it holds (``HttpOnly``, path ``/cas/login``); nothing travels in the URL;
- short-lived: ``MAX_AGE`` seconds, for the cookie and on the server;
- single-use: :func:`take` pops it from the session, and only the first request that names its
  nonce in the shared cache (``cache.add``) is logged in, even two racing ones;
- valid only for the account whose password this activation set: the code row (used, same
  person, still active) and a fingerprint of the new password hash are checked again, so a reset
  or another change of password meanwhile voids it.

Ordinary logins pay nothing: the CAS reads the Django session for the marker only when the
request carries ``COOKIE`` (a look-up in the cookies it parses anyway).
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.core.cache import cache
from django.http import HttpRequest, HttpResponseBase
from django.utils.crypto import salted_hmac

from socle.core.keys import matches_under_any_key
from socle.directory.activation import cas_login_url
from socle.directory.models import ActivationCode, Person
from socle.directory.signals import activated_here

COOKIE = "socle_activated"
SESSION_KEY = "socle.directory.activated"
MAX_AGE = 120  # seconds between the password chosen and the CAS login that follows
_FINGERPRINT_SALT = "socle.directory.handover.password"
_USED_PREFIX = "socle.directory.handover.used:"


@dataclass(frozen=True)
class Taken:
    """A marker found in this browser's session: ``person`` is the account to log in, or
    ``None`` when the marker may not log in any more (expired, already used, account changed);
    ``voided``: it was not merely late (the account, its code or its password changed since, or
    another request used it), so the password chosen may no longer be the one to type."""

    login: str
    person: Person | None
    voided: bool = False


def _fingerprint(person: Person, secret: str | None = None) -> str:
    """A keyed digest of the password chosen, under ``SECRET_KEY`` or ``secret`` (a former
    key: a marker left just before a key rotation)."""
    return salted_hmac(
        _FINGERPRINT_SALT, person.password, secret=secret, algorithm="sha256"
    ).hexdigest()[:32]


def _cookie_path() -> str:
    return cas_login_url(None)


def hand_over(request: HttpRequest, response: HttpResponseBase, code: ActivationCode) -> None:
    """Leaves the marker of ``code``'s activation (just consumed, password just set) in this
    browser's session and sets its cookie on ``response`` (the redirect to the CAS login).

    Someone else logged in at this browser is logged out here: of the portal, and of the single
    sign-on (``activated_here``: the CAS ends their session and deletes its cookie), so that a
    browser left before the CAS login, or shown the login form by it, does not open their
    services."""
    person = code.person
    activated_here.send(sender=Person, person=person, request=request, response=response)
    if request.user.is_authenticated:
        logout(request)  # a new, empty session (new key)
    else:
        request.session.cycle_key()
    nonce = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {
        "person": person.pk,
        "login": person.login,
        "code": code.pk,
        "at": time.time(),
        "password": _fingerprint(person),
        "nonce": nonce,
    }
    response.set_cookie(
        COOKIE,
        nonce,
        max_age=MAX_AGE,
        path=_cookie_path(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def forget(response: HttpResponseBase) -> None:
    """Deletes the cookie: the marker it pointed to was taken (or never was in this session)."""
    response.delete_cookie(COOKIE, path=_cookie_path(), samesite="Lax")


def take(request: HttpRequest) -> Taken | None:
    """Pops this browser's marker: ``None`` when the request has no cookie, or the session no
    marker for it (already taken, another browser); otherwise :class:`Taken`."""
    nonce = request.COOKIES.get(COOKIE, "")
    if not nonce:
        return None
    marker = request.session.pop(SESSION_KEY, None)
    if not isinstance(marker, dict) or not hmac.compare_digest(str(marker.get("nonce", "")), nonce):
        return None
    login = str(marker.get("login", ""))[:150]
    person = _person(marker, nonce)
    return Taken(login, person, voided=person is None and not _expired(marker))


def _expired(marker: dict[str, Any]) -> bool:
    try:
        return not 0 <= time.time() - float(marker["at"]) <= MAX_AGE
    except (KeyError, TypeError, ValueError):
        return True


def _person(marker: dict[str, Any], nonce: str) -> Person | None:
    try:
        age = time.time() - float(marker["at"])
        person_pk, code_pk = int(marker["person"]), int(marker["code"])
        fingerprint = str(marker["password"])
    except (KeyError, TypeError, ValueError):
        return None
    if not 0 <= age <= MAX_AGE:
        return None
    row = (
        ActivationCode.objects.select_related("person")
        .filter(pk=code_pk, person_id=person_pk, used_at__isnull=False, person__is_active=True)
        .first()
    )
    if row is None or not matches_under_any_key(
        fingerprint, lambda key: _fingerprint(row.person, key)
    ):
        return None
    if not cache.add(_USED_PREFIX + nonce, True, MAX_AGE):
        return None  # a racing request with the same session took it first
    return row.person
