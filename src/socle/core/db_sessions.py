"""Django sessions in the database, a new session written once: ``SESSION_ENGINE`` without Redis.

Django's database store, at a login, looks the new key up (``SELECT``), inserts the empty
session (``create``), then updates it at the end of the request: three statements, two of them
write transactions, which on SQLite each wait for the database's one writer. Here the new
session is inserted once, by the response, as ``socle.core.sessions`` does for Redis; a key
already taken is refused by the primary key and another one is drawn. Later saves of an existing
session behave as Django's, except when the database cannot write.

Django turns *any* database error met while updating an existing session into ``UpdateError``
(« the session was deleted before the request completed »), which its ``SessionMiddleware``
answers with a 400 « Demande refusée » and a misleading warning. A session row that is really
gone still gets that; a database that refuses the write (a read-only or full SQLite file, a
database held by another writer) or cannot be reached (PostgreSQL restarting) raises its own
error instead, which the outage handler answers with its 503 « Service momentanément
indisponible » (``socle.core.outage``), as every other page that meets it.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import DatabaseError
from django.utils import timezone

from socle.core.db_errors import interrupted_reason, write_refused_reason
from socle.core.sessions import CYCLE_GRACE, WrittenOnce


class SessionStore(WrittenOnce, DatabaseSessionStore):
    """``SESSION_ENGINE = "socle.core.db_sessions"`` (without ``SOCLE_REDIS_URL``)."""

    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            cause = exc.__context__  # Django raises UpdateError while handling the database's
            if isinstance(cause, DatabaseError) and (
                write_refused_reason(cause) or interrupted_reason(cause)
            ):
                raise cause from None
            raise

    def _expire_soon(self, session_key: str) -> None:
        soon = timezone.now() + dt.timedelta(seconds=CYCLE_GRACE)
        self.model.objects.filter(session_key=session_key, expire_date__gt=soon).update(
            expire_date=soon
        )
