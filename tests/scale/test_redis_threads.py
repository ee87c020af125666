"""``socle.core.redis.get_client``: each thread its own connection, on one pool per process."""

from __future__ import annotations

import threading
from typing import Any

from socle.core import redis as socle_redis


def in_thread(work: Any) -> Any:
    seen: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: seen.update(value=work()))
    worker.start()
    worker.join()
    return seen["value"]


def test_it_gives_each_thread_its_own_connection_on_one_pool(redis_client):
    mine = socle_redis.get_client()
    assert socle_redis.get_client() is mine
    theirs = in_thread(socle_redis.get_client)
    assert theirs is not mine
    assert theirs.connection_pool is mine.connection_pool
    assert theirs.connection is not mine.connection


def test_a_value_written_by_one_thread_is_read_by_another(redis_client):
    in_thread(lambda: socle_redis.get_client().set("socle:test:shared", "1", px=5000))
    assert socle_redis.get_client().getdel("socle:test:shared") == b"1"
    assert in_thread(lambda: socle_redis.get_client().get("socle:test:shared")) is None


def test_pipelines_and_scripts_work_on_a_thread_view(redis_client):
    client = socle_redis.get_client()
    pipe = client.pipeline(transaction=False)
    pipe.set("socle:test:a", "1", px=5000)
    pipe.incr("socle:test:a")
    assert pipe.execute() == [True, 2]
    assert client.eval("return redis.call('GET', KEYS[1])", 1, "socle:test:a") == b"2"


def test_a_reset_gives_every_thread_a_new_view(redis_client):
    before = socle_redis.get_client()
    socle_redis.reset_client()
    after = socle_redis.get_client()
    assert after is not before
    assert after.connection_pool is not before.connection_pool
    assert after.ping()


def test_the_connection_returns_to_the_pool_when_its_thread_ends(redis_client):
    pool = socle_redis.get_client().connection_pool
    in_thread(lambda: socle_redis.get_client().ping())
    import gc

    gc.collect()
    assert len(pool._in_use_connections) <= 1  # this thread's own view only
