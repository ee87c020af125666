"""Admission control for password hashing (surge protection).

Interface used by the CAS login view::

    from socle.core.admission import QueueFull, password_hash_slot
    try:
        with password_hash_slot(profile_hint=None):
            person = authenticate(...)
    except QueueFull as exc:
        ...  # 503 "file d'attente" page with Retry-After: exc.retry_after

How it works (docs/deployment.md, "Surges"):

- A password hash (Argon2id, tens of milliseconds of one core) is the only expensive step of a
  login. At most ``SOCLE_ADMISSION_SLOTS`` hashes (default: one per core) run at once on a machine,
  whatever the number of gunicorn workers: each slot is a lock file held with ``flock``, which the
  kernel releases if the process dies, so a killed worker never leaks a slot. The lock directory
  is node-local on purpose: the limit is about this machine's cores, and Redis would add a network
  round trip to every login (measured in docs/benchmarks/).
- Callers beyond the slots wait at most ``SOCLE_ADMISSION_MAX_WAIT_MS``. A release wakes the
  waiters of every process at once, through a named pipe beside the lock files (one byte per
  release; the waiters wait for it with ``poll``) and they race for the slot. A condition
  variable woke this process's waiters only, while the others noticed a free slot by polling
  every ~20 ms: under a surge, the process that released a slot nearly always took it again,
  and the logins of the other worker waited longest (p99 of logins 1.5 times that of one worker
  holding all the threads: docs/benchmarks/analysis.md). Polling stays as a safety net, every
  ~50 ms (a process killed while holding a slot never writes its byte). Waiting
  callers are bounded per worker process (``SOCLE_ADMISSION_QUEUE``, default the worker's
  threads minus one) so that a thread always remains for SSO hops and ticket validations, which
  never take a slot and cost about a millisecond and a half each. (Minus two made the benchmark's
  "Monday 8:00" mix, 8 connections that gunicorn may all hand to one worker, meet the 503 page a
  few times per run although the machine had room: docs/benchmarks/analysis.md.) Beyond the
  bound, or after the wait, :class:`QueueFull` is raised at once.
- Deferred profiles (``SOCLE_ADMISSION_DEFERRED_PROFILES``, e.g. ``National_TUT`` for parents)
  during ``SOCLE_ADMISSION_DEFERRED_HOURS`` may use only ``SOCLE_ADMISSION_DEFERRED_SHARE`` percent
  of the waiting places, are never woken by a release (they poll, less eagerly), so that pupils
  and teachers go first.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import math
import os
import random
import select
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from socle.core.schedule import Window, in_windows, parse_windows

logger = logging.getLogger("socle.core")

_POLL_SECONDS = 0.050  # safety net: a release wakes the waiters through the pipe
_DEFERRED_POLL_FACTOR = 2


class QueueFull(Exception):
    """Too many logins in flight: the caller must answer 503 with ``Retry-After``."""

    def __init__(self, retry_after: int = 5) -> None:
        super().__init__(f"file d'attente pleine, réessayer dans {retry_after} s")
        self.retry_after = retry_after


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
    slots = settings.SOCLE_ADMISSION_SLOTS or cpu_count()
    queue = settings.SOCLE_ADMISSION_QUEUE or max(1, settings.SOCLE_SERVE_THREADS - 1)
    directory = settings.SOCLE_ADMISSION_DIR or str(default_directory())
    return Policy(
        directory=Path(directory),
        slots=slots,
        queue=queue,
        max_wait=settings.SOCLE_ADMISSION_MAX_WAIT_MS / 1000,
        retry_after=settings.SOCLE_ADMISSION_RETRY_AFTER,
        deferred_profiles=frozenset(settings.SOCLE_ADMISSION_DEFERRED_PROFILES),
        deferred_windows=parse_windows(settings.SOCLE_ADMISSION_DEFERRED_HOURS),
        deferred_share=settings.SOCLE_ADMISSION_DEFERRED_SHARE,
    )


class _Slot:
    """One lock file: a thread lock for this process, ``flock`` across processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.local = threading.Lock()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def try_acquire(self) -> bool:
        if not self.local.acquire(blocking=False):
            return False
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.local.release()
            return False
        except BaseException:
            self.local.release()
            raise
        return True

    def release(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.local.release()

    def __del__(self) -> None:  # a gate replaced after a settings change closes its files
        with suppress(OSError, AttributeError):
            os.close(self.fd)


class _Wakeups:
    """A named pipe shared by every process of the machine: a release writes a byte, waiters
    wait until the pipe has one. Without a pipe (a file system without FIFOs), waiters poll."""

    def __init__(self, path: Path) -> None:
        self.fd: int | None = None
        with suppress(FileExistsError):
            os.mkfifo(path, 0o600)
        with suppress(OSError):
            if stat.S_ISFIFO(os.stat(path).st_mode):
                # Read and write ends in one descriptor: opening never blocks, and the pipe keeps
                # its bytes while any process has it open.
                self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd is None:
            logger.warning(
                "admission: no named pipe at %s; waiting logins poll every %d ms instead of "
                "being woken by a release (SOCLE_ADMISSION_DIR: a local file system)",
                path,
                _POLL_SECONDS * 1000,
            )

    def signal(self) -> None:
        if self.fd is None:
            return
        with suppress(BlockingIOError):  # full: enough wake-ups are pending already
            os.write(self.fd, b"\0")

    def wait(self, timeout: float) -> bool:
        """Up to ``timeout`` seconds for a release; True if one came (its byte is taken)."""
        if self.fd is None:
            time.sleep(timeout)
            return False
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        if not poller.poll(max(1, math.ceil(timeout * 1000))):  # 0 would not wait at all
            return False
        return self._read(1)

    def drain(self) -> None:
        """Drops the pending bytes: releases already seen, or written when nobody waited."""
        while self._read(4096):
            pass

    def _read(self, size: int) -> bool:
        if self.fd is None:
            return False
        try:
            return bool(os.read(self.fd, size))
        except BlockingIOError:  # another waiter took it first
            return False

    def __del__(self) -> None:
        with suppress(OSError, AttributeError, TypeError):
            if self.fd is not None:
                os.close(self.fd)


class Gate:
    """The slots of one policy, as seen from one process."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        policy.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.slots = [_Slot(policy.directory / f"slot-{i}.lock") for i in range(policy.slots)]
        self.wakeups = _Wakeups(policy.directory / "wakeups.fifo")
        self._count_lock = threading.Lock()
        self.in_path = 0  # callers of this process holding or waiting for a slot

    def _enter(self, places: int) -> bool:
        with self._count_lock:
            if self.in_path >= places:
                return False
            self.in_path += 1
            return True

    def _leave(self) -> None:
        with self._count_lock:
            self.in_path -= 1

    def _try_any(self) -> _Slot | None:
        start = random.randrange(len(self.slots))
        for offset in range(len(self.slots)):
            slot = self.slots[(start + offset) % len(self.slots)]
            if slot.try_acquire():
                return slot
        return None

    def _retry_after(self) -> int:
        base = self.policy.retry_after
        return base + random.randint(0, base)  # spread the retries of a crowd

    @contextmanager
    def slot(self, profile_hint: str | None = None) -> Iterator[None]:
        now = timezone.localtime()
        if not self._enter(self.policy.waiting_places(profile_hint, now)):
            raise QueueFull(self._retry_after())
        try:
            deferred = self.policy.is_deferred(profile_hint, now)
            poll = _POLL_SECONDS * (_DEFERRED_POLL_FACTOR if deferred else 1)
            deadline = time.monotonic() + self.policy.max_wait
            held = self._try_any()
            while held is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueueFull(self._retry_after())
                pause = min(remaining, poll * random.uniform(0.5, 1.5))
                if deferred:
                    time.sleep(pause)  # never woken by a release: the others go first
                    held = self._try_any()
                    continue
                # A byte written after the last try is still in the pipe: no release is missed.
                self.wakeups.wait(pause)
                held = self._try_any()
                if held is None:  # the slot went to another waiter: older bytes are stale
                    self.wakeups.drain()
                    held = self._try_any()
            try:
                yield
            finally:
                held.release()
                self.wakeups.signal()
        finally:
            self._leave()


_gate_lock = threading.Lock()
_gate: tuple[int, Policy, Gate] | None = None


def get_gate() -> Gate:
    """The gate of this process for the current settings (rebuilt after a fork or a change)."""
    global _gate
    policy = current_policy()
    pid = os.getpid()
    cached = _gate
    if cached is not None and cached[0] == pid and cached[1] == policy:
        return cached[2]
    with _gate_lock:
        if _gate is None or _gate[0] != pid or _gate[1] != policy:
            _gate = (pid, policy, Gate(policy))
        return _gate[2]


@contextmanager
def password_hash_slot(profile_hint: str | None = None) -> Iterator[None]:
    """Holds one of this machine's password-hash slots, or raises :class:`QueueFull`."""
    with get_gate().slot(profile_hint):
        yield
