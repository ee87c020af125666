"""In-process cache of the service registry, shared-version invalidation.

Every SSO hop and validation asks which service a URL belongs to. Loading every pattern with its
service from the database each time cost about a third of the CPU of those requests
(docs/benchmarks/analysis.md). Each process now keeps the ordered, compiled registry and a memo
of recent answers, tagged with a version token stored in the shared Django cache (Redis in
production, the database cache otherwise).

- A change to a ``Service`` or ``ServicePattern`` (model signals, or an explicit
  :func:`registry_changed` after ``bulk_create``) empties this process's copy at once and, once
  the transaction commits, writes a new version token.
- Each process reads the token at most once per ``CHECK_EVERY`` seconds: another node or worker
  sees a change within that delay (a removed service may still be accepted for up to a second).
- When the shared cache cannot be read, the registry is loaded from the database on every call,
  as before: never stale, only slower.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "cas:registry-version"
CHECK_EVERY = 1.0
MEMO_SIZE = 4096

Entry = tuple[re.Pattern[str], Any]  # (compiled pattern, Service)


@dataclass
class _Copy:
    version: str
    entries: list[Entry]
    memo: dict[str, Any] = field(default_factory=dict)


_lock = threading.Lock()
_copy: _Copy | None = None
_checked_at = 0.0


def _reset_local() -> None:
    global _copy, _checked_at
    with _lock:
        _copy = None
        _checked_at = 0.0


def _bump() -> None:
    # A broken cache means "no cache": _version() then answers None and nothing is kept.
    with contextlib.suppress(Exception):
        cache.set(VERSION_KEY, secrets.token_hex(8), None)
    _reset_local()


def registry_changed() -> None:
    """Services or patterns changed: drop this process's copy now, publish after commit."""
    _reset_local()
    transaction.on_commit(_bump)


def _version() -> str | None:
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            version = secrets.token_hex(8)
            if not cache.add(VERSION_KEY, version, None):
                version = cache.get(VERSION_KEY)
        return str(version) if version is not None else None
    except Exception:  # a broken cache: load from the database every time
        return None


def lookup(normalised_url: str, load: Callable[[], Iterable[Entry]]) -> Any | None:
    """The first service whose pattern fully matches ``normalised_url``, or ``None``."""
    global _copy, _checked_at
    now = time.monotonic()
    current = _copy
    if current is None or now - _checked_at > CHECK_EVERY:
        version = _version()
        if version is None:  # no shared cache: no local copy either
            return _first(list(load()), normalised_url)
        if current is None or current.version != version:
            current = _Copy(version, list(load()))
        with _lock:
            _copy, _checked_at = current, now
    if normalised_url in current.memo:
        return current.memo[normalised_url]
    found = _first(current.entries, normalised_url)
    if len(current.memo) >= MEMO_SIZE:
        current.memo.clear()
    current.memo[normalised_url] = found
    return found


def _first(entries: list[Entry], url: str) -> Any | None:
    for regex, service in entries:
        if regex.fullmatch(url):
            return service
    return None
