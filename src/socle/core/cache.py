"""Django cache backends: on Socle's shared Redis client (``socle.core.redis``), and the
database table used without Redis (:class:`SocleDatabaseCache`).

Django's own ``RedisCache`` builds connection pools from plain ``redis://`` URLs only; this
subclass reuses the process-wide client instead, so ``redis+sentinel://`` URLs and Redis Cluster
(``SOCLE_REDIS_CLUSTER=true``) work for the cache and login throttling too, with one connection
pool per process for everything Socle keeps in Redis.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import connections

from socle.core.redis import get_client


class SocleRedisCacheClient(RedisCacheClient):
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        return get_client()

    def get_many(self, keys: Any) -> dict[Any, Any]:
        if not settings.SOCLE_REDIS_CLUSTER:
            return super().get_many(keys)  # type: ignore[no-any-return]
        # MGET needs every key in one hash slot on a cluster: read them one by one instead.
        client = self.get_client()
        found = {}
        for key in keys:
            value = client.get(key)
            if value is not None:
                found[key] = self._serializer.loads(value)  # type: ignore[attr-defined]
        return found


class SocleRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SocleRedisCacheClient


class SocleDatabaseCache(DatabaseCache):
    """Django's database cache, except that past ``MAX_ENTRIES`` only expired entries are deleted.

    Django's own cull then deletes a third of the live entries, lowest keys first: the login
    throttle's per-account counters (``cas:fail:account:…``). Anyone able to add entries past
    the bound (failed logins on other accounts, from many addresses: IPv6 gives plenty) wiped
    the locks they were guessing against. Every entry Socle writes expires (1 hour at most for
    the throttle) but a few fixed keys (``socle.core.versioned``), and each failed login costs
    a password hash, so the table stays bounded by the hashing rate instead: about 55 failures
    a second on 2 cores, three entries each, some 300,000 rows at the very worst."""

    def _cull(self, db: str, cursor: Any, now: Any, num: int) -> None:
        connection = connections[db]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]
        expires = connection.ops.quote_name("expires")
        cursor.execute(
            f"DELETE FROM {table} WHERE {expires} < %s",  # noqa: S608 - quoted names
            [connection.ops.adapt_datetimefield_value(now)],
        )
