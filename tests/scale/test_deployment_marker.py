"""The deployment marker on a real Redis: two nodes' settings on two databases of it (the test
database, ``SOCLE_TEST_REDIS_URL``, and the next one), one SQL database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from socle.core import deployment
from socle.core.redis import reset_client


def next_database(url: str) -> str:
    """Another database of the same Redis: the next one, or the one before for the last of
    Redis's 16 (the test database is 15 in ``scripts/services``; ``make bench`` uses 13)."""
    base, _slash, number = url.rpartition("/")
    current = int(number or 0)
    return f"{base}/{current + 1 if current < 15 else current - 1}"


@pytest.fixture
def two_redis_dbs(redis_url: str, settings) -> Iterator[tuple[str, str]]:
    urls = (redis_url, next_database(redis_url))
    for url in urls:
        redis.Redis.from_url(url).flushdb()
    yield urls
    for url in urls:
        redis.Redis.from_url(url).flushdb()
    reset_client()


def on(settings, url: str) -> None:
    settings.SOCLE_REDIS_URL = url
    reset_client()


def test_it_tells_nodes_on_two_redis_databases_apart(two_redis_dbs, settings, db) -> None:
    first, second = two_redis_dbs
    on(settings, first)
    assert deployment.record_at_start() == ""
    assert deployment.state().ok
    on(settings, second)
    assert deployment.record_at_start() == deployment.OTHER_REDIS
    assert deployment.state().ok
    on(settings, first)
    assert not deployment.state().ok
    on(settings, second)
    assert deployment.record_at_start() == ""  # the first node restarted on the second database
    on(settings, first)
    assert not deployment.state().ok  # still the first database: not the recorded pair
    redis.Redis.from_url(second).flushdb()
    on(settings, second)
    assert deployment.state().detail.startswith("Redis ne contient pas le marqueur")


def test_it_records_the_pair_again_by_command_after_redis_was_emptied(
    two_redis_dbs, settings, db
) -> None:
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    first, _second = two_redis_dbs
    on(settings, first)
    assert deployment.record_at_start() == ""
    redis.Redis.from_url(first).flushdb()  # a restart without persistence
    with pytest.raises(CommandError, match="Paire différente"):
        call_command("deployment_marker", stdout=io.StringIO())
    out = io.StringIO()
    call_command("deployment_marker", "--record", stdout=out)
    # the emptied Redis got a new marker, not the one the start recorded: said, then recorded
    assert out.getvalue().startswith(
        "Avant l'enregistrement : La base Redis de ce nœud n'est pas celle qu'a utilisée"
    )
    assert out.getvalue().endswith("ok\n")
    assert deployment.state().ok
