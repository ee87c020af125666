"""Node-wide and cluster-wide exclusive locks for long commands (an AAF import…).

On PostgreSQL a session advisory lock (``pg_try_advisory_lock``): every node sharing the
database sees it, and the server releases it when the session ends, even if the process was
killed. On SQLite (one node) ``flock`` on ``<database>.<name>.lock`` beside the database file
(as ``<database>.write-turn``: ``socle.core.sqlite_turn``), released by the kernel likewise.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from socle.core.plain_errors import os_error


class LockBusy(Exception):
    """Another process holds the lock."""


class LockUnavailable(Exception):
    """The SQLite lock file cannot be opened (the database's folder read-only, a folder in its
    place…): ``path`` and ``reason`` (in the active language) say which and why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _lock_id(name: str) -> int:
    """A stable signed 64-bit id for ``name`` (advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(f"socle:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def exclusive(name: str) -> Iterator[None]:
    """Holds the lock ``name`` for the block; raises :class:`LockBusy` at once when another
    process holds it (never waits), :class:`LockUnavailable` when its file cannot be opened."""
    if connection.vendor == "postgresql":
        key = _lock_id(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            (acquired,) = cursor.fetchone()
        if not acquired:
            raise LockBusy(name)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    database = Path(str(connection.settings_dict.get("NAME") or "socle"))
    path = database.with_name(f"{database.name}.{name}.lock")
    try:
        handle = open(path, "a+")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise LockUnavailable(path, os_error(exc)) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockBusy(name) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
