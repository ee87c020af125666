"""Checking credentials: the one place a password is hashed at login.

Wrapped in the admission-control slot of ``socle.core.admission`` (at most one hash in flight
per core), throttled per account and address, or per device for a browser whose device cookie
vouches for the login (``socle.cas.throttle``, ``socle.cas.device``), and never revealing
whether a login exists.

This is Django's ``ModelBackend.authenticate`` taken apart so that the slot covers the hash
alone: the person is read from the database before the slot is taken, not while holding it
(a query, and the GIL it must win back among a worker's threads, kept a core's slot busy for
nothing). An unknown login still costs one hash, inside the slot, as Django does against
timing attacks. The outcome is the same as ``django.contrib.auth.authenticate`` with the default
backend: the hash is upgraded on success (``Person.check_password``), an inactive person is
refused, and ``user_login_failed`` is sent on failure. Unlike Django, the outcome tells a
disabled account typed with its right password apart (``disabled``): only the password's
holder learns it, and a pupil who left is told why instead of « mot de passe incorrect ».
An account blocked by hand is such a disabled account (same words); a block whose date has
passed ends at its holder's next login with the right password or a live activation code
(``socle.directory.blocking``, ``socle.directory.activation.opens``).

A person who types the code of their activation letter (or of an administrator's reset) as the
password is no failure: the attempt gives its count back and the outcome says so
(``activation_code``), and the login view sends them to the first-connection page. A wrong code
counts as any wrong password: the throttle bounds the guessing of codes too. So does the code
of a letter typed after its expiry, but the outcome says so (``expired_code``): only the
letter's holder learns it, and they are told to ask for a new code.

An attempt without a trusted device entry reads the throttle's counts before it queues for a
hash slot, and again once it holds one if it had to wait (:data:`QUEUED`): failures counted
while it waited refuse it there, unhashed. Attempts sent at once by one address then get at
most the bound plus the machine's hash slots, instead of as many as the queue held.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, get_hasher
from django.contrib.auth.signals import user_login_failed
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest
from django.utils import timezone

from socle.cas import device, throttle
from socle.core.admission import password_hash_slot
from socle.core.client_gone import still_wanted_check
from socle.core.rows import Converters, convert, converters_for, per_connection
from socle.directory import blocking
from socle.directory.activation import find_unused_code, opens
from socle.directory.models import ActivationCode, Membership, Person

MAX_LOGIN_LENGTH = 150
MAX_PASSWORD_LENGTH = 1024
BACKEND = "django.contrib.auth.backends.ModelBackend"  # the one in settings
QUEUED = 0.002  # seconds: an attempt that waited longer for its hash slot reads its counts again


@dataclass(frozen=True)
class Outcome:
    person: Person | None
    throttled: bool = False
    throttled_for: int = 0  # seconds the lock lasts after the last failure counted
    # when the password typed is the live activation code of a person: that code
    activation_code: ActivationCode | None = None
    # the right password of a disabled account (a pupil who left): said so, since only someone
    # who knows the password learns it; still a failure for the throttle
    disabled: bool = False
    # the letter's activation code, typed after its expiry: said so, to the code's holder only
    # (a failure all the same, counted by the throttle)
    expired_code: bool = False
    # no account has this login: what was typed (perhaps the password, in the wrong field) is
    # not recorded in the traces
    unknown_login: bool = False
    # the account a refused password was typed for: its failure is traced under it, so that its
    # establishments' « Traces » show it (None: unknown login, or throttled before the look-up,
    # when ``socle.cas.login_failure.failure_subject`` reads it by its login)
    refused: Person | None = None


def profile_hint(login: str) -> str | None:
    """The profile the admission gate may defer (``SOCLE_ADMISSION_DEFERRED_PROFILES``).

    Only looked up when deferral is configured. A person is deferred only if every one of their
    profiles is deferrable (a teacher who is also a parent goes first). Unknown logins get no
    hint, like anyone else: the hint changes queueing, never the answer.
    """
    deferred = set(getattr(settings, "SOCLE_ADMISSION_DEFERRED_PROFILES", []) or [])
    if not deferred:
        return None
    profiles = set(
        Membership.objects.filter(person__login=login).values_list("profile", flat=True)[:20]
    )
    if profiles and profiles <= deferred:
        return sorted(profiles)[0]
    return None


def check_credentials(request: HttpRequest, login: str, password: str, address: str) -> Outcome:
    """Authenticates ``login``/``password``. Raises ``socle.core.admission.QueueFull`` when the
    node is saturated (the caller answers 503), ``ClientGone`` when the client hung up while
    the login waited for a slot (nothing is hashed, nothing counted against the account)."""
    login = login.strip()
    too_long = len(login) > MAX_LOGIN_LENGTH or len(password) > MAX_PASSWORD_LENGTH
    if not login or not password or too_long:
        return Outcome(None)
    nonce: str | None = None
    person: Person | None = None
    looked_up = device.present(request)
    if looked_up:  # the entry is checked against the current password hash
        person = find_person(login)
        nonce = device.trusted_nonce(request, login, person.password) if person else None
    checked = throttle.check(login, address, nonce)  # counts this attempt in advance
    if checked.throttled:  # refused unhashed; the account, when already read, is traced with it
        return Outcome(
            None,
            throttled=True,
            throttled_for=checked.seconds,
            unknown_login=looked_up and person is None,
            refused=person,
        )
    try:
        if not looked_up:
            person = find_person(login)  # before the slot: the slot covers the hash alone
        hint = profile_hint(login)
        asked = time.monotonic()
        with password_hash_slot(hint, still_wanted_check(request.META)):
            if not checked.trusted and time.monotonic() - asked > QUEUED:
                # Failures counted while this attempt queued for the slot: read them again, so
                # that attempts sent at once get the bound plus the slots, not the queue.
                late = throttle.check(login, address)
                if late.throttled:
                    return Outcome(
                        None,
                        throttled=True,
                        throttled_for=late.seconds,
                        unknown_login=person is None,
                        refused=person,
                    )
                checked = late  # untrusted: nothing taken; a success forgets what it saw
            if person is None:
                Person().set_password(password)  # the same cost as a real check
                valid = False
            else:
                valid = person.check_password(password)
                if not valid and not _preferred_hash(person.password):
                    Person().set_password(password)  # see _preferred_hash
    except BaseException:  # not hashed after all (full queue, client gone, an error)
        throttle.release(checked)
        raise
    expired_code = False
    if not valid:  # looked up for unknown logins too: the same queries whether a login exists
        code = find_unused_code(person.login if person is not None else login, password)
        live = code is not None and code.expires_at > timezone.now()
        if code is not None and live and opens(code):  # a block over ends: the code serves
            throttle.release(checked)
            return Outcome(None, activation_code=code)
        expired_code = code is not None and not live
    if valid and person is not None and not person.is_active and person.blocked_until:
        # A hand block whose last day has passed ends at this login (a write, for such an
        # account only); the row read above carries its date: nothing more for any other.
        blocking.end_if_over(person)
    if not valid or person is None or not person.is_active:
        user_login_failed.send(sender=__name__, credentials={"username": login}, request=request)
        throttle.record_failure(login, address, checked)
        return Outcome(
            None,
            disabled=valid and person is not None,
            expired_code=expired_code,
            unknown_login=person is None,
            refused=person,
        )
    person.backend = BACKEND  # type: ignore[attr-defined]  # what django.contrib.auth.login reads
    throttle.record_success(login, address, checked)
    return Outcome(person)


def _preferred_hash(encoded: str) -> bool:
    """Whether ``encoded`` is a hash of the preferred hasher (Argon2id) or unusable.

    A wrong password typed for an account still holding a hash of another algorithm — one
    brought by the CSV import from another ENT or CAS (``socle.core.legacy_hashers``), whose
    ``{SSHA}`` check takes microseconds — then costs one Argon2id hash more, inside the slot, as
    an unknown login does: without it the answer's speed would tell which logins exist (Django
    leaves that gap open when the algorithm differs, ``verify_password``). Only failures pay it,
    and only for such accounts."""
    return encoded.startswith((f"{get_hasher().algorithm}$", UNUSABLE_PASSWORD_PREFIX))


def find_person(login: str) -> Person | None:
    """The person whose login is ``login``, as ``Person.objects.get_by_natural_key`` reads it.

    The statement is compiled once per database connection (:func:`_compile_lookup`) instead
    of by the ORM at every login: 0.2–0.35 ms of CPU less per login, measured in-process on
    SQLite and PostgreSQL. The row goes through the ORM's own converters (``socle.core.rows``)
    and ``Model.from_db``.

    A login typed with capitals (« Camille.Martin »: a phone's first capital, Caps Lock) that
    matches no login as typed is read again in lower case, as Socle writes its logins
    (``prenom.nom``) and as the throttle counts them: one more query, only for such a miss.
    """
    person = _find_exact(login)
    if person is None and (lowered := login.lower()) != login:
        person = _find_exact(lowered)
    return person


def _find_exact(login: str) -> Person | None:
    conn = connections[DEFAULT_DB_ALIAS]
    lookup = _lookup(conn)
    with conn.cursor() as cursor:
        cursor.execute(lookup.sql, [login])
        row = cursor.fetchone()
    if row is None:
        return None
    values = convert(row, lookup.converters, conn)
    return Person.from_db(conn.alias, lookup.attnames, values)


@dataclass(frozen=True)
class _Lookup:
    sql: str
    attnames: list[str]
    converters: Converters


def _compile_lookup(conn: BaseDatabaseWrapper) -> _Lookup:
    """``SELECT`` of every field of a person by login, compiled for this connection by the ORM,
    as ``get()`` would, without its ordering and limit; of a hand block, only its last day
    (``socle.directory.blocking.end_if_over`` reads the rest, for a block past its date)."""
    query = Person.objects.filter(login="").defer(*blocking.DEFERRED_AT_LOGIN).order_by().query
    compiler = query.get_compiler(connection=conn)
    sql, params = compiler.as_sql()
    if list(params) != [""]:  # the login must be the statement's one parameter
        raise RuntimeError(f"unexpected parameters for the login lookup: {params!r}")
    columns = [column for column, _, _ in compiler.select]
    return _Lookup(
        sql=sql,
        attnames=[column.target.attname for column in columns],
        converters=converters_for(columns, conn),
    )


_lookup = per_connection(_compile_lookup)
