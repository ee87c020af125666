"""Sentinel and Cluster URLs against real Redis processes started for the test."""

import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from socle.core.redis import build_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server() -> str:
    found = shutil.which("redis-server")
    if not found:
        pytest.fail("redis-server introuvable : lancez scripts/services (paquet redis-server)")
    return found


def wait_until(check, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError("condition jamais remplie")
        time.sleep(0.1)


@pytest.fixture
def sentinel_port(redis_url: str, tmp_path: Path):
    master = urlsplit(redis_url)
    port = free_port()
    config = tmp_path / "sentinel.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor socle-test {master.hostname} {master.port or 6379} 1\n"
    )
    process = subprocess.Popen(
        [redis_server(), str(config), "--sentinel"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield port
    finally:
        process.terminate()
        process.wait(10)


def test_a_sentinel_url_reaches_the_master(sentinel_port, redis_client):
    client = build_client(f"redis+sentinel://127.0.0.1:{sentinel_port}/socle-test/15")
    wait_until(lambda: client.ping())
    client.set("socle:sentinel-check", "ok")
    assert redis_client.get("socle:sentinel-check") == b"ok"


def free_cluster_port(taken: list[int]) -> int:
    """A free port whose cluster bus port (+10000) is free too and below 65536."""
    import random

    while True:
        port = random.randint(20000, 50000)
        if port in taken:
            continue
        try:
            for candidate in (port, port + 10000):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port


@pytest.fixture
def cluster_seed(tmp_path: Path):
    ports: list[int] = []
    for _ in range(3):
        ports.append(free_cluster_port(ports))
    processes = []
    for port in ports:
        folder = tmp_path / str(port)
        folder.mkdir()
        processes.append(
            subprocess.Popen(
                [
                    redis_server(),
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--dir",
                    str(folder),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        for port in ports:
            wait_until(lambda p=port: socket.create_connection(("127.0.0.1", p), 1).close() or True)
        subprocess.run(
            [
                "redis-cli",
                "--cluster",
                "create",
                *[f"127.0.0.1:{p}" for p in ports],
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        # Every node must see the whole cluster as up, not only the first one asked.
        for port in ports:
            wait_until(
                lambda p=port: (
                    b"cluster_state:ok"
                    in subprocess.run(
                        ["redis-cli", "-p", str(p), "cluster", "info"],
                        capture_output=True,
                        timeout=5,
                        check=False,
                    ).stdout
                ),
                seconds=60,
            )
        yield f"redis://127.0.0.1:{ports[0]}/0"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)


def test_the_ticket_store_and_cache_work_on_a_cluster(cluster_seed, settings):
    from django.core.cache import caches

    from socle.cas.tickets.redis_store import RedisStore
    from socle.core.redis import reset_client

    settings.SOCLE_REDIS_URL = cluster_seed
    settings.SOCLE_REDIS_CLUSTER = True
    reset_client()
    try:
        client = build_client(cluster_seed, cluster=True)
        wait_until(lambda: client.cluster_info()["cluster_state"] == "ok")
        store = RedisStore(cluster_seed)
        session = store.create_session(7)
        ticket = store.issue_ticket(
            prefix="ST",
            person_id=7,
            service_url="https://appli.example.org/",
            service_id=1,
            session_id=session.id,
            from_new_login=False,
        )
        assert store.get_session(session.id) is not None
        assert store.consume_ticket(ticket) is not None
        assert [t.id for t in store.end_session(session.id)] == [ticket]
        assert store.get_session(session.id) is None

        from socle.core.cache import SocleRedisCache

        cache = SocleRedisCache(cluster_seed, {})
        cache.set("a", 1)
        cache.set("b", {"x": 2})
        assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": {"x": 2}}
        assert caches is not None
    finally:
        reset_client()
