"""Django cache backend on Socle's shared Redis client (``socle.core.redis``).

Django's own ``RedisCache`` builds connection pools from plain ``redis://`` URLs only; this
subclass reuses the process-wide client instead, so ``redis+sentinel://`` URLs and Redis Cluster
(``SOCLE_REDIS_CLUSTER=true``) work for the cache and login throttling too, with one connection
pool per process for everything Socle keeps in Redis.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from socle.core.redis import get_client


class SocleRedisCacheClient(RedisCacheClient):
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        return get_client()


class SocleRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SocleRedisCacheClient
