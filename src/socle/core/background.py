"""The loop of a background writer thread (deferred traces, ``last_login``)."""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable

from django.db import connections

logger = logging.getLogger("socle")


def flush_forever(
    flush: Callable[[], int], *, label: str, every: float, wake: threading.Event | None = None
) -> None:
    """Calls ``flush`` every ``every`` seconds, or sooner when ``wake`` is set, forever.

    An idle round or an error gives the thread's database connection back; an error is logged
    and the next round tries again (``flush`` keeps what it could not write)."""
    event = wake or threading.Event()
    while True:
        event.wait(every)
        event.clear()
        try:
            if not flush():
                connections.close_all()
        except Exception:
            logger.exception(
                "%s : écriture différée impossible, nouvel essai dans %s s", label, every
            )
            connections.close_all()


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
