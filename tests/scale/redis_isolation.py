"""pytest plugin for the PostgreSQL + Redis pass of ``scripts/test``.

Loaded with ``-p tests.scale.redis_isolation``.

The database is rolled back after each test, Redis is not: this plugin empties the test Redis
database (``SOCLE_TEST_REDIS_URL``, database 15 by default) before each test, so that tickets,
sessions and throttling counters never leak from one test to the next. It refuses to touch any
Redis other than the one named by ``SOCLE_TEST_REDIS_URL``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _empty_test_redis() -> Iterator[None]:
    url = os.environ.get("SOCLE_REDIS_URL", "")
    if url and url == os.environ.get("SOCLE_TEST_REDIS_URL"):
        import redis

        from socle.core.redis import reset_client

        client = redis.Redis.from_url(url)
        try:
            client.flushdb()
        finally:
            client.close()
        reset_client()
    yield


_DB_STORE_ONLY = Path(__file__).with_name("db_store_only.txt")


def _db_store_only() -> set[str]:
    lines = _DB_STORE_ONLY.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselects the tests of the database ticket store (they ran in the first pass)."""
    if not os.environ.get("SOCLE_REDIS_URL"):
        return
    listed = _db_store_only()
    keep, dropped = [], []
    for item in items:
        base = item.nodeid.split("[", 1)[0]
        if item.get_closest_marker("db_store") or base in listed:
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        print(f"\n--- {len(dropped)} tests of the database ticket store deselected (Redis pass)")
