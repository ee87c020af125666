"""Health of this node's dependencies: the database and, when configured, Redis.

Plain functions (no ``HttpRequest``); ``socle.core.views.healthz`` turns the result into JSON.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    ms: float


def _timed(name: str, probe: object) -> Check:
    started = time.perf_counter()
    try:
        probe()  # type: ignore[operator]
    except Exception as exc:  # noqa: BLE001 - any failure of a dependency is "unhealthy"
        # The public answer names only the kind of failure; the log has the detail.
        logger.warning("healthz: %s unavailable: %s", name, exc)
        return Check(
            name, False, type(exc).__name__, round((time.perf_counter() - started) * 1000, 1)
        )
    return Check(name, True, "ok", round((time.perf_counter() - started) * 1000, 1))


def _database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache_table() -> None:
    """The database cache table (no Redis): missing, every login would fail (throttling)."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    cache = caches["default"]
    if not isinstance(cache, DatabaseCache):
        return
    connection = connections["default"]
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(str(settings.CACHES["default"]["LOCATION"]))
        cursor.execute(f"SELECT 1 FROM {table} WHERE 1 = 0")  # noqa: S608
        cursor.fetchone()


def _redis() -> None:
    from socle.core.redis import get_client

    if not get_client().ping():
        raise RuntimeError("PING sans réponse")


def without_password(url: str) -> str:
    """``url`` with the password of its user part left out (``redis://:…@host`` → ``redis://host``)."""
    scheme, separator, rest = url.partition("://")
    location, slash, path = rest.partition("/")
    if "@" in location:
        user = location.rsplit("@", 1)[0].split(":", 1)[0]
        location = (f"{user}@" if user else "") + location.rsplit("@", 1)[1]
    return f"{scheme}{separator}{location}{slash}{path}"


def redis_at_start() -> str | None:
    """Why Redis does not answer, or ``None`` (also without ``SOCLE_REDIS_URL``): ``socle serve``
    says it once at start. A node on a wrong or unreachable Redis started silently, its
    ``/healthz`` 503 and every login answered 503, with the cause only in each request's line."""
    if not settings.SOCLE_REDIS_URL:
        return None
    try:
        _redis()
    except Exception as exc:  # noqa: BLE001 - whatever stops Redis from answering
        return f"{exc}"
    return None


def run_checks() -> list[Check]:
    """Database always; Redis when ``SOCLE_REDIS_URL`` is set, else the database cache table."""
    checks = [_timed("database", _database)]
    if settings.SOCLE_REDIS_URL:
        checks.append(_timed("redis", _redis))
    else:
        checks.append(_timed("cache", _cache_table))
    return checks
