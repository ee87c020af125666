"""Ages every single sign-on session of the test's ticket store, whichever it is (the database's
rows, or Redis's hashes in the PostgreSQL + Redis pass of ``scripts/test``), so that a test of
an ended session checks both stores rather than only the database's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from socle.cas.models import SsoSession
from socle.cas.tickets import get_store
from socle.cas.tickets.redis_store import RedisStore

SESSION_KEYS = "socle:s:*"  # socle.cas.tickets.redis_store._session_key (its ticket list too)


def _session_hashes(client: Any) -> list[Any]:
    return [key for key in client.scan_iter(match=SESSION_KEYS) if client.type(key) == b"hash"]


def end_sessions_at_their_hard_end() -> None:
    """Every session past ``SOCLE_CAS_SESSION_MAX`` (its hard end a second ago)."""
    past = timezone.now() - dt.timedelta(seconds=1)
    store = get_store()
    if isinstance(store, RedisStore):
        client = store._client()
        for key in _session_hashes(client):
            client.hset(key, "e", int(past.timestamp() * 1000))
    else:
        SsoSession.objects.update(expires_at=past)


def end_sessions_for_lack_of_activity() -> None:
    """Every session past its idle end: the database's last use a day ago; in Redis the key gone,
    as its idle TTL makes it."""
    store = get_store()
    if isinstance(store, RedisStore):
        client = store._client()
        for key in _session_hashes(client):
            client.delete(key)
    else:
        SsoSession.objects.update(last_used_at=timezone.now() - dt.timedelta(days=1))
