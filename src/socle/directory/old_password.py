"""The current password asked by « Changer mon mot de passe », checked like a login's.

The page belongs to someone already logged in, but a session left open on a shared computer (or
stolen) must not become a way to guess the owner's password at the speed of the hash: the CAS
login throttles guesses (``socle.cas.throttle``), this page did not. Here, at most
:data:`MAX_FAILURES` wrong current passwords per person in :data:`WINDOW` (counted in the shared
cache, so on every node); past that the password is not checked and the page says when to try
again. The check takes one of the machine's password-hash slots (``socle.core.admission``), as a
login does, so a surge of password changes cannot put more hashes in flight than there are cores.
"""

from __future__ import annotations

import contextlib
import hashlib

from django.core.cache import cache

from socle.core.admission import password_hash_slot
from socle.directory.models import Person

MAX_FAILURES = 5
WINDOW = 15 * 60


def _key(person: Person) -> str:
    """Per person and per password: the stored hash (salted) is in the digest, so a new password
    (set by an administrator's reset, say) starts a fresh count."""
    digest = hashlib.sha256(f"{person.pk}:{person.password}".encode()).hexdigest()[:32]
    return f"directory:old-password:fail:{digest}"


def locked(person: Person) -> bool:
    return int(cache.get(_key(person)) or 0) >= MAX_FAILURES


def _increment(key: str) -> int:
    if cache.add(key, 1, WINDOW):
        return 1
    try:
        value = int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW)
        return 1
    cache.touch(key, WINDOW)
    return value


def _give_back(key: str) -> None:
    with contextlib.suppress(ValueError):
        cache.decr(key)


def check(person: Person, password: str) -> bool | None:
    """Whether ``password`` is the person's current one; ``None`` when too many wrong ones were
    tried (the password is then not checked). The attempt is counted before its hash, so that
    simultaneous posts cannot all pass one read of the count; a right one forgets the count.
    Raises ``socle.core.admission.QueueFull`` when every hash slot and the queue are taken
    (nothing counted)."""
    key = _key(person)  # before the check: a hash upgraded at the check changes the key
    if _increment(key) > MAX_FAILURES:
        _give_back(key)
        return None
    try:
        with password_hash_slot():
            valid = person.check_password(password)
    except BaseException:  # not checked after all
        _give_back(key)
        raise
    if valid:
        cache.delete(key)
    return valid
