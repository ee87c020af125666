"""The loop of a background writer thread (deferred traces, ``last_login``)."""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger("socle")
OUTAGE_LINE_EVERY = 60.0  # seconds between two lines of one outage


def flush_forever(
    flush: Callable[[], int],
    *,
    label: str,
    every: float,
    wake: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Calls ``flush`` every ``every`` seconds, or sooner when ``wake`` is set, forever.

    An idle round or an error gives the thread's database connection back; the next round tries
    again (``flush`` keeps what it could not write). A bug is logged with its traceback at each
    round. The database unreachable (stopped, restarting, failing over, its disk full…) is said
    in one line without a traceback, at once and then at most once a minute with the count of
    failed rounds, and its end in one line: it logged a 70-line traceback a second per writer
    and per worker, burying the outage's other lines (`docs/deployment.md`, "PostgreSQL")."""
    event = wake or threading.Event()
    outage = _Outage(label, every, clock)
    while True:
        event.wait(every)
        event.clear()
        try:
            if not flush():
                connections.close_all()
            outage.over()
        except Exception as exc:
            if not outage.failed(exc):
                logger.exception(
                    "%s : écriture différée impossible, nouvel essai dans %s s", label, every
                )
            connections.close_all()


class _Outage:
    """A background writer's failed rounds while the database cannot take its writes."""

    def __init__(self, label: str, every: float, clock: Callable[[], float]) -> None:
        self.label, self.every, self.clock = label, every, clock
        self.since: float | None = None  # when the first failed round of this outage was said
        self.said_at = 0.0
        self.unsaid = 0

    def failed(self, exc: BaseException) -> bool:
        """Counts ``exc`` when the database is unreachable (and says so, see above); ``False``
        for any other error (a bug)."""
        from socle.core.outage import outage_reason

        if not isinstance(exc, (OperationalError, InterfaceError)) and outage_reason(exc) is None:
            return False
        self.unsaid += 1
        now = self.clock()
        if self.since is None or now - self.said_at >= OUTAGE_LINE_EVERY:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            logger.warning(
                "%s: deferred writes failed, database unavailable (%s: %s): %d failed round(s) "
                "since the previous line, kept in memory and tried again every %s s",
                self.label,
                type(exc).__name__,
                first_line,
                self.unsaid,
                self.every,
            )
            self.since = self.since if self.since is not None else now
            self.said_at, self.unsaid = now, 0
        return True

    def over(self) -> None:
        if self.since is not None:
            logger.warning(
                "%s: deferred writes resumed after %.0f s of database outage",
                self.label,
                self.clock() - self.since,
            )
            self.since, self.unsaid = None, 0


def flush_at_exit(
    flush: Callable[[], int], *, label: str, owner: Callable[[], bool], left: Callable[[], int]
) -> None:
    """At a normal stop, ``flush`` once more in the process that ``owner`` names."""

    def last_flush() -> None:
        if owner():
            try:
                flush()
            except Exception:
                logger.exception("%s : %d éléments non écrits à l'arrêt", label, left())

    atexit.register(last_flush)
