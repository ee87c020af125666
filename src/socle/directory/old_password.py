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
    return int(cache.get(_key(person), 0)) >= MAX_FAILURES


def check(person: Person, password: str) -> bool:
    """Whether ``password`` is the person's current one; a wrong one is counted. Raises
    ``socle.core.admission.QueueFull`` when every hash slot and the queue are taken."""
    key = _key(person)  # before the check: a hash upgraded at the check changes the key
    with password_hash_slot():
        valid = person.check_password(password)
    if valid:
        cache.delete(key)
        return True
    if not cache.add(key, 1, WINDOW):
        try:
            cache.incr(key)
            cache.touch(key, WINDOW)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW)
    return False
