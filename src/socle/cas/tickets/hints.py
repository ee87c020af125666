"""Sessions a process has seen alive, kept so that an SSO hop need not read them again.

A session's fields never change; only whether it still lives does. A hint is therefore only
used with a ticket stored under ``live_session=True``, which the store makes fail atomically
when the session has ended (``base.SessionEnded``). Bounded per process.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from socle.cas.tickets.base import Session

MAX_HINTS = 20_000  # about 10 MB per process (≈ 490 bytes a hint, measured with tracemalloc)


class SessionHints:
    def __init__(self, max_age: float | None = None) -> None:
        """``max_age``: seconds after which a hint is no longer given (``None``: never)."""
        self.max_age = max_age
        self._seen: dict[str, tuple[float, Session]] = {}
        self._lock = threading.Lock()

    def remember(self, session: Session, *, seen_at: float | None = None) -> None:
        """``seen_at``: when (``time.monotonic()``) the session was known alive; now by default."""
        if len(self._seen) >= MAX_HINTS:
            with self._lock:  # drop the oldest tenth (dicts keep insertion order)
                for stale in list(self._seen)[: MAX_HINTS // 10]:
                    self._seen.pop(stale, None)
        self._seen.pop(session.id, None)  # re-inserted last: the newest
        self._seen[session.id] = (time.monotonic() if seen_at is None else seen_at, session)

    def seen_at(self, session_id: str) -> float | None:
        found = self._seen.get(session_id)
        return found[0] if found is not None else None

    def touch(self, session_id: str) -> None:
        """The session is known alive now (its hint, if any, is kept)."""
        found = self._seen.get(session_id)
        if found is not None:
            self._seen[session_id] = (time.monotonic(), found[1])

    def get(self, session_id: str) -> Session | None:
        found = self._seen.get(session_id)
        if found is None:
            return None
        seen_at, session = found
        too_old = self.max_age is not None and time.monotonic() - seen_at > self.max_age
        if too_old or session.expires_at <= dt.datetime.now(dt.UTC):
            self._seen.pop(session_id, None)
            return None
        return session

    def forget(self, session_id: str) -> None:
        self._seen.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._seen)
