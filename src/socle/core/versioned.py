"""Per-process copies of slowly changing data, invalidated through a shared version token.

The CAS fast paths (SSO hop, validation) read the same few rows on every request: the service
registry, a service's access policy, a person's memberships. Each process keeps them in memory,
tagged with a version token stored in the shared Django cache (Redis in production, the database
cache otherwise):

- a change (model signals, or an explicit :meth:`SharedVersion.changed` after a bulk write) drops
  this process's copies at once and, once the transaction commits, writes a new token;
- each process reads the token at most once per ``check_every`` seconds, so every worker of every
  node sees a change within that delay;
- when the shared cache cannot be read, nothing is kept: every call loads from the database, as
  if there were no cache (never stale, only slower).

A token is written once per committed transaction however many rows it changed (an import of
200,000 people writes one), because each thread remembers which of its changes were already
published.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

V = TypeVar("V")
_ALL: list[SharedVersion] = []


class SharedVersion:
    """A version token under ``key`` in the shared cache, read at most every ``check_every`` s."""

    def __init__(self, key: str, *, check_every: float = 1.0) -> None:
        self.key = key
        self.check_every = check_every
        self._lock = threading.Lock()
        self._local: str | None = None
        self._checked_at = 0.0
        self._listeners: list[Callable[[], None]] = []
        self._thread = threading.local()  # generation counters of this thread's transactions
        _ALL.append(self)

    def on_change(self, listener: Callable[[], None]) -> None:
        """``listener()`` runs whenever this process learns of a change (to drop its copies)."""
        self._listeners.append(listener)

    def _drop_local(self) -> None:
        with self._lock:
            self._local = None
            self._checked_at = 0.0
        for listener in self._listeners:
            listener()

    def current(self) -> str | None:
        """The token this process works with, re-read when older than ``check_every``; ``None``
        when the shared cache cannot be read (callers then keep nothing)."""
        now = time.monotonic()
        local = self._local
        if local is not None and now - self._checked_at <= self.check_every:
            return local
        try:
            token = cache.get(self.key)
            if token is None:
                token = secrets.token_hex(8)
                if not cache.add(self.key, token, None):
                    token = cache.get(self.key)
        except Exception:  # a broken cache: keep nothing, load every time
            token = None
        token = str(token) if token is not None else None
        if token != local:
            self._drop_local()
        with self._lock:
            self._local, self._checked_at = token, now
        return token

    def changed(self) -> None:
        """Data changed: drop this process's copies now, publish a new token after commit."""
        self._drop_local()
        state = self._thread
        state.generation = getattr(state, "generation", 0) + 1
        generation = state.generation
        transaction.on_commit(lambda: self._publish(generation))

    def _publish(self, generation: int) -> None:
        state = self._thread
        if getattr(state, "published", 0) >= generation:
            return  # an earlier callback of the same commit already published
        state.published = getattr(state, "generation", generation)
        # A broken cache means "no cache": current() then answers None and nothing is kept.
        with contextlib.suppress(Exception):
            cache.set(self.key, secrets.token_hex(8), None)
        self._drop_local()


class LocalCache(Generic[V]):
    """A bounded per-process dictionary valid for one :class:`SharedVersion` token.

    ``ttl`` (seconds) also bounds how long an entry lives, for data that bulk writes may change
    without telling (those writes then show within ``ttl``)."""

    def __init__(self, version: SharedVersion, *, max_entries: int, ttl: float | None = None):
        self.version = version
        self.max_entries = max_entries
        self.ttl = ttl
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        self._epoch = 0  # bumped by clear(): a value loaded before a clear is not kept
        version.on_change(self.clear)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._epoch += 1

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        """The cached value for ``key``, loading (and keeping) it when absent or expired."""
        if self.version.current() is None:
            return load()
        now = time.monotonic()
        found = self._entries.get(key)
        if found is not None and (self.ttl is None or now - found[0] <= self.ttl):
            return found[1]
        epoch = self._epoch
        value = load()
        with self._lock:
            if epoch != self._epoch:
                return value  # the data changed while loading: use it once, keep nothing
            self._entries[key] = (now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)


def forget_all() -> None:
    """Forget every local copy, as a fresh process would (tests call it between tests, where a
    rolled-back database may hand out the same primary keys again)."""
    for version in _ALL:
        version._drop_local()
