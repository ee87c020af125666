"""Ticket store selection: Redis when ``SOCLE_REDIS_URL`` is set, the database otherwise."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from socle.cas.tickets.base import TicketStore, new_ticket_id, redact

__all__ = ["TicketStore", "get_store", "new_ticket_id", "redact"]


@lru_cache(maxsize=1)
def _store_for(redis_url: str) -> TicketStore:
    if redis_url:
        from socle.cas.tickets.redis_store import RedisStore

        return RedisStore(redis_url)
    from socle.cas.tickets.db import DatabaseStore

    return DatabaseStore()


def get_store() -> TicketStore:
    return _store_for(getattr(settings, "SOCLE_CAS_TICKET_REDIS_URL", settings.SOCLE_REDIS_URL))
