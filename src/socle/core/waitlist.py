"""Which process of this machine has waited longest for a password-hash slot, and how to wake it.

Without it, the admission gate (:mod:`socle.core.admission`) could wake at once only the waiters
of the process that released a slot; the other gunicorn workers' waiters noticed the slot at
their next poll (every ~20 ms). Under a surge the releasing worker took the slot again nearly
every time, and the other worker's logins waited longest (docs/benchmarks/analysis.md, points 16
and 19). This module tells the releaser which process holds the oldest waiting login, and wakes
that process instead:

- ``waitlist`` in the admission directory is a table of a few entries, one per process, shared
  with ``mmap``: the process id, the monotonic time (nanoseconds, the same clock for every
  process of the machine) at which its oldest waiting login started to wait (0 when none
  waits), and a claim number. A process claims a free entry (or the entry of a dead process)
  once, under ``flock``.
- Each entry has a named pipe, ``wake-N-C`` (C, the claim number, so that two claimants of an
  entry never share a pipe). A process reads its own on a daemon thread that turns each byte
  into a wake-up of its oldest waiter; a releaser writes one byte to the pipe of the process
  whose entry is the oldest.

The table only orders wake-ups: the slots themselves stay ``flock`` files, and every waiter
still polls. An entry left by a killed process is skipped (and cleared) when its process is
found dead; one whose pipe is full or gone costs a waiter a poll interval, never a slot. When
the table is full, or the directory cannot hold pipes, the gate works as before: its own
waiters first.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import mmap
import os
import stat
import struct
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

logger = logging.getLogger("socle.admission")

ENTRIES = 32  # processes sharing one admission directory (gunicorn workers of one node)
_ENTRY = struct.Struct("<qqq")  # pid, since (monotonic ns; 0: nobody waits), claim number
_SIZE = ENTRIES * _ENTRY.size
_WAKE, _STOP = 1, 0  # the bytes on a pipe


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


class Waitlist:
    """This process's entry in the machine's table of waiting processes."""

    def __init__(self, directory: Path, wake: Callable[[], None]) -> None:
        """Claims an entry and starts the thread that turns bytes on its pipe into ``wake()``
        (which must not hold a reference to the gate, or the gate is never collected). Raises
        ``OSError`` when the directory cannot hold the table or a pipe, and ``LookupError`` when
        every entry belongs to a live process."""
        self.pid = os.getpid()
        self._closed = True  # until the entry is claimed
        self._directory = directory
        self._writers: dict[tuple[int, int], int] = {}  # (entry, claim) → its pipe's write end
        self._writers_lock = threading.Lock()
        fd = os.open(directory / "waitlist", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if os.fstat(fd).st_size < _SIZE:
                    os.ftruncate(fd, _SIZE)
                self._map = mmap.mmap(fd, _SIZE)
                self.index, self.claim = self._claim()
                try:
                    self._reader = self._open_pipe(self.index, self.claim, os.O_RDWR)
                except OSError:
                    _ENTRY.pack_into(self._map, self.index * _ENTRY.size, 0, 0, self.claim)
                    raise
                self._closed = False
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        threading.Thread(
            target=self._relay, args=(self._reader, wake), name="socle-waitlist", daemon=True
        ).start()

    def _entry(self, index: int) -> tuple[int, int, int]:
        pid, since, claim = _ENTRY.unpack_from(self._map, index * _ENTRY.size)
        return pid, since, claim

    def _claim(self) -> tuple[int, int]:
        for index in range(ENTRIES):
            pid, _since, claim = self._entry(index)
            if pid == 0 or (pid != self.pid and not _alive(pid)):
                with suppress(OSError):  # the pipe of the previous claim, if any
                    os.unlink(self._pipe_path(index, claim))
                _ENTRY.pack_into(self._map, index * _ENTRY.size, self.pid, 0, claim + 1)
                return index, claim + 1
        raise LookupError("every waitlist entry belongs to a live process")

    def _pipe_path(self, index: int, claim: int) -> Path:
        return self._directory / f"wake-{index}-{claim}"

    def _open_pipe(self, index: int, claim: int, flags: int) -> int:
        path = self._pipe_path(index, claim)
        if flags & os.O_RDWR:
            with suppress(FileExistsError):
                os.mkfifo(path, 0o600)
        if not stat.S_ISFIFO(os.lstat(path).st_mode):
            raise OSError(errno.EINVAL, "not a named pipe", str(path))
        return os.open(path, flags | os.O_NONBLOCK | os.O_CLOEXEC)

    @staticmethod
    def _relay(reader: int, wake: Callable[[], None]) -> None:
        os.set_blocking(reader, True)
        try:
            while True:
                for byte in os.read(reader, 64):
                    if byte == _STOP:
                        return
                    wake()
        finally:
            os.close(reader)

    def publish(self, since_ns: int) -> None:
        """The start of this process's oldest wait (0: nobody waits here)."""
        _ENTRY.pack_into(self._map, self.index * _ENTRY.size, self.pid, since_ns, self.claim)

    def wake_oldest(self) -> bool:
        """Wakes the process that has waited longest, if it is another: True when a byte went
        to it, False when the oldest waiter is here, or nobody waits elsewhere."""
        for _attempt in range(ENTRIES):  # each failed attempt clears the entry it tried
            own_since = self._entry(self.index)[1]
            oldest: tuple[int, int, int] | None = None
            oldest_since = 0
            for index in range(ENTRIES):
                pid, since, claim = self._entry(index)
                if index != self.index and since and (oldest is None or since < oldest_since):
                    oldest, oldest_since = (index, pid, claim), since
            if oldest is None or (own_since and own_since <= oldest_since):
                return False
            if self._send(*oldest):
                return True
        return False

    def _send(self, index: int, pid: int, claim: int) -> bool:
        """One byte to an entry's pipe; False (and the entry cleared) when it cannot be sent."""
        try:
            with self._writers_lock:
                writer = self._writers.get((index, claim))
                if writer is None:
                    writer = self._open_pipe(index, claim, os.O_WRONLY)
                    self._writers[(index, claim)] = writer
            os.write(writer, bytes([_WAKE]))
            return True
        except BlockingIOError:  # a full pipe: that process has wake-ups enough
            return True
        except OSError:  # gone (no reader, no pipe): skipped until it publishes again
            if _alive(pid):
                logger.warning("the wake-up pipe of process %s cannot be written", pid)
        now_pid, _since, now_claim = self._entry(index)
        if (now_pid, now_claim) == (pid, claim):  # unless it was claimed again meanwhile
            _ENTRY.pack_into(self._map, index * _ENTRY.size, pid, 0, claim)
        with self._writers_lock:
            stale = self._writers.pop((index, claim), None)
        if stale is not None:
            os.close(stale)
        return False

    def close(self) -> None:
        """Gives the entry back and stops the relay thread (once, and only in the process that
        claimed the entry: a forked child must not close its parent's)."""
        if self._closed or os.getpid() != self.pid:
            return
        self._closed = True
        with suppress(OSError, ValueError):
            _ENTRY.pack_into(self._map, self.index * _ENTRY.size, 0, 0, self.claim)
            os.unlink(self._pipe_path(self.index, self.claim))
        with suppress(OSError):
            os.write(self._reader, bytes([_STOP]))  # the relay closes the read end
        with self._writers_lock:
            for writer in self._writers.values():
                with suppress(OSError):
                    os.close(writer)
            self._writers.clear()

    def __del__(self) -> None:
        with suppress(Exception):
            self.close()
