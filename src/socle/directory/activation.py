"""First-connection activation codes.

A new account has no usable password. The school hands out a letter (``socle
activation_letters``) with the login and a random, single-use activation code; the person types
them into the ordinary CAS login form. The password check fails (the code is not a password)
and finds the code (:func:`find_valid_code`), so the CAS login view sends the person to
:func:`first_connection_url`: a signed, short-lived URL under ``/compte/activation/`` where the
person chooses a password and accepts the terms; the code is consumed there (one conditional
UPDATE), and the person is logged in. :func:`activation_redirect` does both steps at once.

Codes: ``CODE_LENGTH`` characters of an alphabet without look-alikes (no 0/O, 1/I/L), about
59 bits (above the 50 bits the CNIL asks of a secret whose guesses are throttled; 10 characters,
until 2026-12, gave 49.5: such codes still work), shown as groups of four (``ABCD-EFGH-JKMN``;
case, spaces and dashes are ignored when typed).
Only a keyed hash (HMAC-SHA256 with a key derived from ``SECRET_KEY``, bound to the person's
uid) is stored: unlike a password, a code is short-lived, single-use and only checked online
behind the CAS throttling, so a fast keyed hash is enough and lets a school print 2,000 letters
in seconds. A code hashed under a former key (``SECRET_KEY_FALLBACKS``, after a rotation) still
matches. A code expires after ``SOCLE_ACTIVATION_CODE_DAYS`` days, and can never become the
long-term password.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from socle.core.keys import matches_under_any_key
from socle.directory import blocking
from socle.directory.models import ActivationCode, Person

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
GROUP = 4  # characters per printed group
LINK_MAX_AGE = 30 * 60  # seconds a first-connection link stays valid
_HASH_SALT = "socle.directory.activation.code"
_LINK_SALT = "socle.directory.activation.link"
MAX_SERVICE_LENGTH = 2048


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """``ABCD-EFGH-JKMN``; an older 10-character code as it was printed, ``ABCDE-FGHJK``."""
    if len(code) % GROUP:
        half = len(code) // 2
        return f"{code[:half]}-{code[half:]}"
    return "-".join(code[start : start + GROUP] for start in range(0, len(code), GROUP))


def normalize_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t")[:64]


def hash_code(person: Person, code: str, secret: str | None = None) -> str:
    """The stored form of ``code``: keyed by ``SECRET_KEY`` (or ``secret``, a former key)."""
    value = f"{person.uid}:{normalize_code(code)}"
    return salted_hmac(_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()


def _code_matches(row: ActivationCode, text: str) -> bool:
    """Whether ``text`` is the code of ``row``, hashed under the current secret key or a former
    one (a letter printed before a key rotation still opens the account)."""
    return matches_under_any_key(row.code_hash, lambda key: hash_code(row.person, text, key))


def code_lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.SOCLE_ACTIVATION_CODE_DAYS)


@dataclass(frozen=True)
class IssuedCode:
    person: Person
    code: str  # clear code: shown once (letter, reset page), never stored
    expires_at: dt.datetime

    @property
    def display(self) -> str:
        return display_code(self.code)


def issue_codes(people: list[Person]) -> list[IssuedCode]:
    """A new code for each person (replacing any previous one), in two queries per 500."""
    now = timezone.now()
    expires_at = now + code_lifetime()
    issued = [IssuedCode(person, new_code(), expires_at) for person in people]
    with transaction.atomic():
        for start in range(0, len(issued), 500):
            chunk = issued[start : start + 500]
            ActivationCode.objects.filter(person__in=[i.person for i in chunk]).delete()
            ActivationCode.objects.bulk_create(
                ActivationCode(
                    person=i.person,
                    code_hash=hash_code(i.person, i.code),
                    created_at=now,
                    expires_at=expires_at,
                )
                for i in chunk
            )
    return issued


def issue_code(person: Person) -> IssuedCode:
    return issue_codes([person])[0]


def find_valid_code(login: str, code: str) -> ActivationCode | None:
    """The live activation code of ``login`` if ``code`` is it (constant-time compare)."""
    row = find_unused_code(login, code)
    return row if row is not None and row.expires_at > timezone.now() and opens(row) else None


def opens(row: ActivationCode) -> bool:
    """Whether the account of a live code just typed is active: ``True`` without a query for
    an active one; a hand block past its last day ends now (as at a login with the right
    password: socle.directory.blocking.end_if_over), else ``False``."""
    return row.person.is_active or blocking.end_if_over(row.person)


def find_unused_code(login: str, code: str) -> ActivationCode | None:
    """The unused activation code of ``login`` if ``code`` is it, live or expired (one query:
    the login tells a letter's expired code from a wrong password, to the code's holder only).

    Of an active account, or of one whose hand block has passed its last day and which becomes
    active when it ends (the caller ends it: socle.directory.blocking.end_if_over): a code
    issued during a block serves once the block is over, as a password would."""
    if not login or not code or len(login) > 150 or len(code) > 64:
        return None
    row = (
        ActivationCode.objects.select_related("person")
        .filter(
            Q(person__is_active=True)
            | Q(
                person__blocked_until__lt=timezone.localdate(),
                person__active_when_unblocked=True,
            ),
            person__login=login,
            used_at__isnull=True,
        )
        .first()
    )
    if row is None:
        return None
    if not _code_matches(row, code):
        return None
    return row


def safe_service(service: str | None) -> str:
    """The ``service`` to hand back to ``/cas/login``, or ``""``: an absolute http(s) URL of
    reasonable length. Whether it is registered is the CAS login's business; Socle itself only
    ever redirects to its own relative ``/cas/login`` URL."""
    if not service or len(service) > MAX_SERVICE_LENGTH:
        return ""
    parts = urlsplit(service)
    if parts.scheme not in {"http", "https"} or not parts.netloc or "\\" in service:
        return ""
    if any(ord(ch) < 32 for ch in service):
        return ""
    return service


def cas_login_url(service: str | None) -> str:
    """The relative CAS login URL, keeping a safe ``service``; never an absolute URL."""
    base = settings.LOGIN_URL
    if not base.startswith("/") or base.startswith("//"):
        base = "/cas/login"
    kept = safe_service(service)
    return f"{base}?{urlencode({'service': kept})}" if kept else base


def activation_redirect(login: str, code: str, service: str | None) -> str | None:
    """Returns the URL of the first-connection page for a valid activation code, else None.

    The CAS login view, which has already found the code while checking the password, calls
    :func:`first_connection_url` with it instead. The URL carries a signed
    token naming the code (valid ``LINK_MAX_AGE`` seconds); the code is only consumed when the
    person has chosen a password.
    """
    row = find_valid_code(login, code)
    return first_connection_url(row, service) if row is not None else None


def first_connection_url(row: ActivationCode, service: str | None) -> str:
    """The first-connection page's URL for a code already found valid (:func:`find_valid_code`)."""
    token = signing.dumps({"c": row.pk, "h": row.code_hash[:16]}, salt=_LINK_SALT, compress=True)
    url = reverse("directory:activate", kwargs={"token": token})
    kept = safe_service(service)
    return f"{url}?{urlencode({'service': kept})}" if kept else url


def code_from_token(token: str) -> ActivationCode | None:
    """The still-usable code a first-connection link names, or None (expired, used, forged)."""
    try:
        data = signing.loads(token, salt=_LINK_SALT, max_age=LINK_MAX_AGE)
        pk, prefix = int(data["c"]), str(data["h"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    row = (
        ActivationCode.objects.select_related("person")
        .filter(pk=pk, used_at__isnull=True, expires_at__gt=timezone.now(), person__is_active=True)
        .first()
    )
    if row is None or not hmac.compare_digest(row.code_hash[:16], prefix):
        return None
    return row


def consume(row: ActivationCode) -> bool:
    """Marks the code used; False if someone else used it first (one conditional UPDATE)."""
    return bool(
        ActivationCode.objects.filter(
            pk=row.pk, code_hash=row.code_hash, used_at__isnull=True, expires_at__gt=timezone.now()
        ).update(used_at=timezone.now())
    )


def is_the_code(row: ActivationCode, password: str) -> bool:
    """True when a chosen password is the activation code itself (refused)."""
    return _code_matches(row, password)
