"""Fixtures of the scale tests: they need PostgreSQL and Redis and fail loudly without them."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

MISSING = (
    "{name} n'est pas défini : tests/scale a besoin de PostgreSQL et de Redis. "
    "`make test` les démarre (scripts/services, en root) ; sinon lancez "
    '`eval "$(bash scripts/services)"`, ou excluez ces tests avec --ignore=tests/scale '
    "(voir docs/deployment.md, « Tests »)."
)


def required_env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.fail(MISSING.format(name=name), pytrace=False)
    return value


@pytest.fixture(scope="session")
def redis_url() -> str:
    return required_env("SOCLE_TEST_REDIS_URL")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return required_env("SOCLE_TEST_DATABASE_URL")


@pytest.fixture
def redis_client(redis_url: str, settings) -> Iterator[object]:
    """The test Redis, emptied, and Socle's settings pointing at it."""
    from socle.core.redis import get_client, reset_client

    settings.SOCLE_REDIS_URL = redis_url
    reset_client()
    client = get_client()
    client.flushdb()
    yield client
    client.flushdb()
    reset_client()
