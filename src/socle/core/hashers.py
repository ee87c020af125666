"""Argon2id password hashing with the parameters of ``SOCLE_ARGON2_*``.

Default: OWASP's baseline for Argon2id (19 MiB of memory, 2 passes, 1 lane). Django's own
``Argon2PasswordHasher`` uses 100 MiB and 8 lanes: about five times the memory traffic per login
for no gain an attacker cannot buy back, and it would cap logins per core far lower.

The algorithm name stays ``argon2``, so this hasher verifies every existing ``argon2$…`` hash
whatever its parameters; a hash with other parameters (or any other registered algorithm, such as
PBKDF2 from an import) is re-encoded with these at the next successful login, through Django's
``must_update`` mechanism.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

# OWASP Password Storage Cheat Sheet, Argon2id: equivalent (memory KiB, passes) pairs, p = 1.
OWASP_ARGON2ID_MINIMA: tuple[tuple[int, int], ...] = (
    (47104, 1),
    (19456, 2),
    (12288, 3),
    (9216, 4),
    (7168, 5),
)


def meets_owasp_baseline(memory_kib: int, time_cost: int) -> bool:
    """True when (memory, passes) is at least one of OWASP's recommended Argon2id settings."""
    return any(memory_kib >= m and time_cost >= t for m, t in OWASP_ARGON2ID_MINIMA)


class SocleArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, parameters read from settings at each use (tests may override them)."""

    def params(self) -> Any:
        return dataclasses.replace(
            super().params(),  # type: ignore[misc]
            time_cost=int(settings.SOCLE_ARGON2_TIME_COST),
            memory_cost=int(settings.SOCLE_ARGON2_MEMORY_KIB),
            parallelism=int(settings.SOCLE_ARGON2_PARALLELISM),
        )
