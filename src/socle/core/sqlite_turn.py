"""Taking turns for SQLite writes across the threads and processes of one node.

SQLite lets one writer at a time into a database file. A connection that finds the file locked
waits in SQLite's busy handler, which sleeps and retries: 1, 2, 5, 10, 15, 20, 25 ms and up to
100 ms between tries, whether the lock was freed a microsecond later or not. Under a surge of
ticket validations (each one a write: the ticket is consumed by an ``UPDATE``), gunicorn's
threads then spent their time asleep beside a free database: 0.6 of 2 cores idle, p99 latency
above 100 ms (docs/benchmarks/analysis.md).

:func:`write_turn` makes the short writes of the CAS hot paths queue on an exclusive
``flock`` of a file beside the database instead: the kernel wakes the next waiter as soon as
the lock is released. Each thread opens the file once (``flock`` belongs to an open file
description, so two threads sharing one descriptor would not exclude each other); the lock is
released on every exit path, and by the kernel if the process dies. The trace writer takes the
turn for its batches too (a batch holds SQLite's lock for milliseconds, and a validation that met
it slept in the busy handler while holding the turn: pauses of 75–110 ms). Writers that do not
take the turn (migrations, the last-login notes, the admin) still meet SQLite's own lock, as
before.

A turn should cover the statement and nothing else: every Python step inside it may wait for
the GIL, held by another of the worker's threads, while every other writer of the node waits
for the turn. Callers build their parameters before and read the row they got after
(``socle.cas.tickets.db``: the validation's ``UPDATE … RETURNING`` is run and fetched in the
turn, its values converted after; measured, the turn was held 0.47 ms per validation on average
when the ORM built the model inside it, 0.13 ms since).

Only for a single autocommit statement: inside a transaction the connection may already hold
SQLite's lock, and waiting for the turn while holding it could block the turn's holder, so
:func:`write_turn` does nothing there. PostgreSQL, in-memory databases and a lock file that
cannot be opened get no turn at all (the behaviour before).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator

from django.db import connection

SUFFIX = ".write-turn"
_local = threading.local()


def _lock_path() -> str | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return name + SUFFIX


def _in_transaction() -> bool:
    return bool(connection.in_atomic_block)


def _descriptor(path: str) -> int | None:
    opened: dict[str, int | None] | None = getattr(_local, "opened", None)
    if opened is None or getattr(_local, "pid", None) != os.getpid():
        # A forked worker must not share its parent's descriptor (nor its lock).
        opened = _local.opened = {}
        _local.pid = os.getpid()
    if path not in opened:
        try:
            opened[path] = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:
            opened[path] = None  # no turn for this thread: SQLite's busy handler, as before
    return opened[path]


@contextlib.contextmanager
def write_turn() -> Iterator[None]:
    """Holds this node's turn to write to the SQLite database for the ``with`` block."""
    path = _lock_path()
    if path is None or _in_transaction():
        yield
        return
    fd = _descriptor(path)
    if fd is None:
        yield
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
