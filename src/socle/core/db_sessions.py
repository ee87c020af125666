"""Django sessions in the database, a new session written once: ``SESSION_ENGINE`` without Redis.

Django's database store, at a login, looks the new key up (``SELECT``), inserts the empty
session (``create``), then updates it at the end of the request: three statements, two of them
write transactions, which on SQLite each wait for the database's one writer. Here the new
session is inserted once, by the response, as ``socle.core.sessions`` does for Redis; a key
already taken is refused by the primary key and another one is drawn. Later saves of an existing
session behave exactly as Django's.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from socle.core.sessions import CYCLE_GRACE, WrittenOnce


class SessionStore(WrittenOnce, DatabaseSessionStore):
    """``SESSION_ENGINE = "socle.core.db_sessions"`` (without ``SOCLE_REDIS_URL``)."""

    def _expire_soon(self, session_key: str) -> None:
        soon = timezone.now() + dt.timedelta(seconds=CYCLE_GRACE)
        self.model.objects.filter(session_key=session_key, expire_date__gt=soon).update(
            expire_date=soon
        )
