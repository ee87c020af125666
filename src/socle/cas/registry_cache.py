"""In-process cache of the service registry, shared-version invalidation.

Every SSO hop and validation asks which service a URL belongs to. Loading every pattern with its
service from the database each time cost about a third of the CPU of those requests
(docs/benchmarks/analysis.md). Each process now keeps the ordered, compiled registry and a memo
of recent answers, tagged with a version token stored in the shared Django cache (Redis in
production, the database cache otherwise).

- A change to a ``Service`` or ``ServicePattern`` (model signals, or an explicit
  :func:`registry_changed` after ``bulk_create``) empties this process's copy at once and, once
  the transaction commits, writes a new version token.
- Each process reads the token at most once per second (``socle.core.versioned``): another
  node or worker sees a change within that delay (a removed service may still be accepted for
  up to a second).
- When the shared cache cannot be read, the registry is loaded from the database on every call,
  as before: never stale, only slower.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from socle.core.linear_regex import UrlMatcher
from socle.core.versioned import SharedVersion

VERSION_KEY = "cas:registry-version"
MEMO_SIZE = 4096
VERSION = SharedVersion(VERSION_KEY)

Entry = tuple[UrlMatcher, Any]  # (compiled pattern, Service)


@dataclass
class _Copy:
    version: str
    entries: list[Entry]
    memo: dict[str, Any] = field(default_factory=dict)


_lock = threading.Lock()
_copy: _Copy | None = None


def _reset_local() -> None:
    global _copy
    with _lock:
        _copy = None


VERSION.on_change(_reset_local)


def registry_changed() -> None:
    """Services or patterns changed: drop this process's copy now, publish after commit."""
    VERSION.changed()


def lookup(normalised_url: str, load: Callable[[], Iterable[Entry]]) -> Any | None:
    """The first service whose pattern fully matches ``normalised_url``, or ``None``."""
    global _copy
    version = VERSION.current()
    if version is None:  # no shared cache: no local copy either
        return _first(list(load()), normalised_url)
    current = _copy
    if current is None or current.version != version:
        current = _Copy(version, list(load()))
        with _lock:
            _copy = current
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
