"""Admission control for password hashing (surge protection).

Interface used by the CAS login view::

    from socle.core.admission import QueueFull, password_hash_slot
    try:
        with password_hash_slot(profile_hint=None):
            person = authenticate(...)
    except QueueFull as exc:
        ...  # 503 "file d'attente" page with Retry-After: exc.retry_after

Interim: no limit is applied yet (every caller gets a slot at once).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class QueueFull(Exception):
    """Too many logins in flight: the caller must answer 503 with ``Retry-After``."""

    def __init__(self, retry_after: int = 5) -> None:
        super().__init__(f"file d'attente pleine, réessayer dans {retry_after} s")
        self.retry_after = retry_after


@contextmanager
def password_hash_slot(profile_hint: str | None = None) -> Iterator[None]:
    yield
