"""Django cache backend on Socle's shared Redis client (``socle.core.redis``).

Django's own ``RedisCache`` builds connection pools from plain ``redis://`` URLs only; this
subclass reuses the process-wide client instead, so ``redis+sentinel://`` URLs and Redis Cluster
(``SOCLE_REDIS_CLUSTER=true``) work for the cache and login throttling too, with one connection
pool per process for everything Socle keeps in Redis.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

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
