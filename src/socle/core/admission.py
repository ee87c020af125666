"""Admission control for password hashing (surge protection).

Interface used by the CAS login view::

    from socle.core.admission import ClientGone, QueueFull, password_hash_slot
    try:
        with password_hash_slot(profile_hint=None, still_wanted=check):
            person = authenticate(...)
    except QueueFull as exc:
        ...  # 503 "file d'attente" page with Retry-After: exc.retry_after
    except ClientGone:
        ...  # nobody reads the answer: a short one, nothing hashed

How it works (docs/deployment.md, "Surges"):

- A password hash (Argon2id, tens of milliseconds of one core) is the only expensive step of a
  login. At most ``SOCLE_ADMISSION_SLOTS`` hashes (default: one per core) run at once on a machine,
  whatever the number of gunicorn workers: each slot is a lock file held with ``flock``, which the
  kernel releases if the process dies, so a killed worker never leaks a slot. The lock directory
  is node-local on purpose: the limit is about this machine's cores, and Redis would add a network
  round trip to every login (measured in docs/benchmarks/).
- Callers beyond the slots wait at most ``SOCLE_ADMISSION_MAX_WAIT_MS``. A released slot wakes
  the login that has waited longest on the machine, whichever worker it waits in: the releaser
  reads which process waits longest in a table shared by the workers and writes a byte to its
  pipe (``socle.core.waitlist``), or wakes its own longest waiter (an ``Event`` per waiter).
  Waiters also poll every ~20 ms, a safety net for a lost wake-up. (Polling every 4 ms cost
  about 2 ms of CPU per login under 8 concurrent logins: docs/benchmarks/analysis.md.) Waiting
  callers are bounded per worker process (``SOCLE_ADMISSION_QUEUE``, default the worker's
  threads minus one) so that a thread always remains for SSO hops and ticket validations, which
  never take a slot and cost about a millisecond and a half each. (Minus two made the benchmark's
  "Monday 8:00" mix, 8 connections that gunicorn may all hand to one worker, meet the 503 page a
  few times per run although the machine had room: docs/benchmarks/analysis.md.) Beyond the
  bound, or after the wait, :class:`QueueFull` is raised at once.
- A caller that waited is asked ``still_wanted()`` after every pause and once it has won a slot
  (``socle.core.client_gone`` peeks at the client's connection): a login abandoned by its
  client leaves the queue with :class:`ClientGone` instead of hashing for nobody.
- Deferred profiles (``SOCLE_ADMISSION_DEFERRED_PROFILES``, e.g. ``National_TUT`` for parents)
  during ``SOCLE_ADMISSION_DEFERRED_HOURS`` may use only ``SOCLE_ADMISSION_DEFERRED_SHARE`` percent
  of the waiting places, are never woken by a release (they poll, less eagerly), so that pupils
  and teachers go first.
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from socle.core import metrics
from socle.core.admission_policy import Policy, current_policy
from socle.core.waitlist import Waitlist

logger = logging.getLogger("socle.admission")

_POLL_SECONDS = 0.020  # a safety net: releases wake the longest waiter at once
_DEFERRED_POLL_FACTOR = 2


StillWanted = Callable[[], bool]  # does the client still wait? (socle.core.client_gone)


class ClientGone(Exception):
    """The client hung up while its login waited for a slot: the password is not hashed."""


class QueueFull(Exception):
    """Too many logins in flight: the caller must answer 503 with ``Retry-After``."""

    def __init__(self, retry_after: int = 5) -> None:
        super().__init__(f"file d'attente pleine, réessayer dans {retry_after} s")
        self.retry_after = retry_after


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


@dataclass(frozen=True)
class _Waiter:
    since: int  # time.monotonic_ns() when it started to wait
    woken: threading.Event


class Gate:
    """The slots of one policy, as seen from one process."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        policy.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.slots = [_Slot(policy.directory / f"slot-{i}.lock") for i in range(policy.slots)]
        self._count_lock = threading.Lock()
        self.in_path = 0  # callers of this process holding or waiting for a slot
        self._waiting: dict[int, _Waiter] = {}  # the waiting callers (deferred ones apart)
        self.waitlist = _join_waitlist(policy.directory, weakref.WeakMethod(self._wake_here))

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

    def _give_back(self, held: _Slot) -> None:
        held.release()
        self._pass_on()

    def _wait_for_slot(self, deferred: bool, still_wanted: StillWanted | None) -> _Slot:
        """A slot, after waiting up to ``max_wait``; ``QueueFull`` after it, ``ClientGone`` when
        the client hangs up meanwhile (asked after every pause, and once the slot is won)."""
        held = self._try_any()
        if held is not None:
            return held  # no wait: the client has just sent the request
        token = threading.get_ident()
        me = None if deferred else self._queue(token)
        try:
            with metrics.waiting_for_slot():
                held = self._wait(me, deferred, still_wanted)
        except (QueueFull, ClientGone):
            self._unqueue(token)
            self._pass_on()  # the wake-up this waiter may have taken
            raise
        self._unqueue(token)
        if me is not None and me.woken.is_set():  # a wake-up came with the slot won anyway
            self._pass_on()
        if still_wanted is not None and not still_wanted():
            self._give_back(held)
            raise ClientGone()
        return held

    def _wait(self, me: _Waiter | None, deferred: bool, still_wanted: StillWanted | None) -> _Slot:
        poll = _POLL_SECONDS * (_DEFERRED_POLL_FACTOR if deferred else 1)
        deadline = time.monotonic() + self.policy.max_wait
        while True:
            held = self._try_any()  # first after queueing: a release meanwhile is not missed
            if held is not None:
                return held
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QueueFull(self._retry_after())
            pause = min(remaining, poll * random.uniform(0.5, 1.5))
            if me is None:
                time.sleep(pause)  # deferred: never woken, it polls
            else:
                me.woken.wait(pause)
                me.woken.clear()
            if still_wanted is not None and not still_wanted():
                raise ClientGone()

    def _queue(self, token: int) -> _Waiter:
        waiter = _Waiter(time.monotonic_ns(), threading.Event())
        with self._count_lock:
            self._waiting[token] = waiter
            self._publish()
        return waiter

    def _unqueue(self, token: int) -> None:
        with self._count_lock:
            if self._waiting.pop(token, None) is not None:  # deferred callers never queue
                self._publish()

    def _publish(self) -> None:  # under _count_lock
        if self.waitlist is not None:
            self.waitlist.publish(min((w.since for w in self._waiting.values()), default=0))

    def _wake_here(self) -> None:
        """Wakes this process's longest waiter not woken yet (none: a spare wake-up is lost,
        which only leaves the waiters to their polls)."""
        with self._count_lock:
            asleep = [w for w in self._waiting.values() if not w.woken.is_set()]
            if asleep:
                min(asleep, key=lambda w: w.since).woken.set()

    def _pass_on(self) -> None:
        """Wakes the login that has waited longest on this machine: a waiter of the process that
        has waited longest (``socle.core.waitlist``), this one's longest waiter otherwise. After
        a release, and when a waiter leaves without a slot (it may have taken a wake-up meant
        for the queue)."""
        if self.waitlist is not None and self.waitlist.wake_oldest():
            return
        self._wake_here()

    @contextmanager
    def slot(
        self, profile_hint: str | None = None, still_wanted: StillWanted | None = None
    ) -> Iterator[None]:
        now = timezone.localtime()
        if not self._enter(self.policy.waiting_places(profile_hint, now)):
            metrics.queue_full()
            raise QueueFull(self._retry_after())
        try:
            try:
                held = self._wait_for_slot(self.policy.is_deferred(profile_hint, now), still_wanted)
            except QueueFull:
                metrics.queue_full()
                raise
            except ClientGone:
                metrics.abandoned()
                raise
            try:
                yield
            finally:
                self._give_back(held)
        finally:
            self._leave()


def _join_waitlist(
    directory: Path, wake_here: weakref.WeakMethod[Callable[[], None]]
) -> Waitlist | None:
    def wake() -> None:  # a weak reference: a gate replaced after a settings change is collected
        method = wake_here()
        if method is not None:
            method()

    try:
        return Waitlist(directory, wake)
    except (OSError, LookupError) as exc:
        logger.warning(
            "admission: no machine-wide waitlist in %s (%s): a released slot wakes the "
            "waiting logins of its own process first",
            directory,
            exc,
        )
        return None


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
def password_hash_slot(
    profile_hint: str | None = None, still_wanted: StillWanted | None = None
) -> Iterator[None]:
    """Holds one of this machine's password-hash slots, or raises :class:`QueueFull` (no room)
    or :class:`ClientGone` (``still_wanted()`` turned false while waiting)."""
    with get_gate().slot(profile_hint, still_wanted):
        yield
