"""The admission policy (``socle.core.admission``): the ``SOCLE_ADMISSION_*`` settings as one
frozen :class:`Policy`, the slots defaulting to the cores this process may use and the waiting
places to the worker's threads minus one."""

from __future__ import annotations

import datetime as dt
import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from socle.core.schedule import Window, in_windows, parse_windows


def cpu_count() -> int:
    """Cores this process may run on (the container's share, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Policy:
    """Admission parameters, read from settings (see :func:`current_policy`)."""

    directory: Path
    slots: int
    queue: int
    max_wait: float
    retry_after: int
    deferred_profiles: frozenset[str]
    deferred_windows: tuple[Window, ...]
    deferred_share: int

    def waiting_places(self, profile_hint: str | None, now: dt.datetime) -> int:
        """How many callers of this worker may be in the login path, for this caller."""
        if self.is_deferred(profile_hint, now):
            return max(1, self.queue * self.deferred_share // 100)
        return self.queue

    def is_deferred(self, profile_hint: str | None, now: dt.datetime) -> bool:
        return (
            profile_hint is not None
            and profile_hint in self.deferred_profiles
            and in_windows(self.deferred_windows, now)
        )


def default_directory() -> Path:
    return Path(tempfile.gettempdir()) / f"socle-admission-{os.getuid()}"


def current_policy() -> Policy:
    """The policy of the current settings, built once per distinct settings (not per login)."""
    return _policy(
        settings.SOCLE_ADMISSION_SLOTS,
        settings.SOCLE_ADMISSION_QUEUE,
        settings.SOCLE_SERVE_THREADS,
        settings.SOCLE_ADMISSION_DIR,
        settings.SOCLE_ADMISSION_MAX_WAIT_MS,
        settings.SOCLE_ADMISSION_RETRY_AFTER,
        tuple(settings.SOCLE_ADMISSION_DEFERRED_PROFILES),
        settings.SOCLE_ADMISSION_DEFERRED_HOURS,
        settings.SOCLE_ADMISSION_DEFERRED_SHARE,
    )


@functools.lru_cache(maxsize=16)
def _policy(
    slots: int,
    queue: int,
    threads: int,
    directory: str,
    max_wait_ms: int,
    retry_after: int,
    deferred_profiles: tuple[str, ...],
    deferred_hours: str,
    deferred_share: int,
) -> Policy:
    return Policy(
        directory=Path(directory or str(default_directory())),
        slots=slots or cpu_count(),
        queue=queue or max(1, threads - 1),
        max_wait=max_wait_ms / 1000,
        retry_after=retry_after,
        deferred_profiles=frozenset(deferred_profiles),
        deferred_windows=parse_windows(deferred_hours),
        deferred_share=deferred_share,
    )
