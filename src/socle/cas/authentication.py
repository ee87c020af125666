"""Checking credentials: the one place a password is hashed at login.

Wrapped in the admission-control slot of ``socle.core.admission`` (at most one hash in flight
per core), throttled per account and address, and never revealing whether a login exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest

from socle.cas import throttle
from socle.core.admission import password_hash_slot
from socle.directory.models import Membership, Person

MAX_LOGIN_LENGTH = 150
MAX_PASSWORD_LENGTH = 1024


@dataclass(frozen=True)
class Outcome:
    person: Person | None
    throttled: bool = False


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
    node is saturated (the caller answers 503)."""
    login = login.strip()
    too_long = len(login) > MAX_LOGIN_LENGTH or len(password) > MAX_PASSWORD_LENGTH
    if not login or not password or too_long:
        return Outcome(None)
    checked = throttle.check(login, address)
    if checked.throttled:
        return Outcome(None, throttled=True)
    with password_hash_slot(profile_hint(login)):
        person = authenticate(request, username=login, password=password)
    if person is None or not isinstance(person, Person) or not person.is_active:
        throttle.record_failure(login, address)
        return Outcome(None)
    throttle.record_success(login, checked)
    return Outcome(person)
