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
