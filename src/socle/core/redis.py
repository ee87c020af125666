"""One Redis client per process, built from ``SOCLE_REDIS_URL``.

Supported URLs (redis-py underneath):

- ``redis://[user:password@]host:6379/0`` and ``rediss://…`` (TLS), ``unix:///path/redis.sock?db=0``;
- ``redis+sentinel://[user:password@]sentinel1:26379,sentinel2:26379/mastername[/db]``
  (``rediss+sentinel://`` for TLS to the master): the master is looked up through the Sentinels on
  every reconnection, so a fail-over needs no restart;
- Redis Cluster: any ``redis://`` / ``rediss://`` seed URL with ``SOCLE_REDIS_CLUSTER=true``
  (``redis.cluster.RedisCluster.from_url``). Socle's multi-key operations always use keys of one
  hash slot (``{…}`` hash tags), so they work on a cluster.

The client is created lazily and again after a ``fork`` (gunicorn preloads the application in the
master process; sockets must not be shared between workers). Outside a cluster, each thread gets
its own view of it that keeps one connection of the shared pool for its plain commands
(redis-py's ``single_connection_client``): a validation's GETDEL then skips the pool's checkout,
its pending-data check and its release, about half of redis-py's CPU per command
(docs/benchmarks/analysis.md). Pipelines still borrow from the pool.
"""

from __future__ import annotations

import os
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings

SCHEMES = ("redis", "rediss", "unix", "redis+sentinel", "rediss+sentinel")
_TIMEOUTS = {"socket_timeout": 2.0, "socket_connect_timeout": 2.0, "health_check_interval": 30}


class RedisURLError(ValueError):
    """``SOCLE_REDIS_URL`` cannot be understood."""


@dataclass(frozen=True)
class SentinelURL:
    sentinels: list[tuple[str, int]]
    master: str
    db: int = 0
    username: str | None = None
    password: str | None = None
    ssl: bool = False
    options: dict[str, str] = field(default_factory=dict)


def parse_sentinel_url(url: str) -> SentinelURL:
    """``redis+sentinel://[user:pass@]h1:26379,h2:26379/master[/db]`` → its parts."""
    parts = urlsplit(url)
    if parts.scheme not in {"redis+sentinel", "rediss+sentinel"}:
        raise RedisURLError(f"schéma {parts.scheme!r} : redis+sentinel:// attendu")
    netloc = parts.netloc
    username = password = None
    if "@" in netloc:
        credentials, netloc = netloc.rsplit("@", 1)
        user, _, secret = credentials.partition(":")
        username = unquote(user) or None
        password = unquote(secret) or None
    sentinels: list[tuple[str, int]] = []
    for item in netloc.split(","):
        host, _, port = item.strip().rpartition(":") if ":" in item else (item.strip(), "", "")
        host = host.strip("[]")
        if not host:
            raise RedisURLError(f"sentinelle vide dans {netloc!r}")
        try:
            sentinels.append((host, int(port) if port else 26379))
        except ValueError:
            raise RedisURLError(f"port invalide dans {item!r}") from None
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if not segments:
        raise RedisURLError("nom du maître Sentinel absent (…/mastername)")
    db = 0
    if len(segments) > 1:
        try:
            db = int(segments[1])
        except ValueError:
            raise RedisURLError(f"numéro de base invalide : {segments[1]!r}") from None
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return SentinelURL(
        sentinels=sentinels,
        master=segments[0],
        db=db,
        username=username,
        password=password,
        ssl=parts.scheme.startswith("rediss"),
        options=options,
    )


def validate_url(url: str) -> None:
    """Raises :class:`RedisURLError` when ``url`` is not one of the supported forms."""
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise RedisURLError(f"schéma {scheme!r} non pris en charge ({', '.join(SCHEMES)})")
    if scheme.endswith("+sentinel"):
        parse_sentinel_url(url)
        return
    parts = urlsplit(url)
    if scheme != "unix" and not parts.hostname:
        raise RedisURLError("hôte Redis absent")
    # What redis-py would refuse only at the first connection, every login then answered 503.
    try:
        parts.port  # noqa: B018 - urlsplit checks the port when it is read
    except ValueError:
        raise RedisURLError(f"port invalide dans {parts.netloc.rpartition('@')[2]!r}") from None
    path_db = parts.path.strip("/")
    query_db = parse_qs(parts.query).get("db", [""])[-1]
    for db in (path_db if scheme != "unix" else "", query_db):
        if db and not db.isdigit():
            raise RedisURLError(f"numéro de base invalide : {db!r} (un entier, ex. /0)")


def build_client(url: str, *, cluster: bool = False) -> Any:
    """A new redis-py client for ``url`` (see the module docstring for the forms)."""
    import redis
    from redis.cluster import RedisCluster
    from redis.sentinel import Sentinel

    validate_url(url)
    if urlsplit(url).scheme.endswith("+sentinel"):
        spec = parse_sentinel_url(url)
        auth = {"username": spec.username, "password": spec.password}
        # Keyword by keyword: redis-py 8.2 types Sentinel's and master_for's parameters, and a
        # ``**dict`` could fill a positional one (min_other_sentinels, redis_class).
        sentinel = Sentinel(
            spec.sentinels,
            sentinel_kwargs={**auth, "socket_timeout": _TIMEOUTS["socket_timeout"]},
            socket_timeout=_TIMEOUTS["socket_timeout"],
            socket_connect_timeout=_TIMEOUTS["socket_connect_timeout"],
            health_check_interval=_TIMEOUTS["health_check_interval"],
        )
        return sentinel.master_for(
            spec.master,
            db=spec.db,
            ssl=spec.ssl,
            username=spec.username,
            password=spec.password,
        )
    if cluster:
        return RedisCluster.from_url(url, **_TIMEOUTS)
    return redis.Redis.from_url(url, **_TIMEOUTS)


_lock = threading.Lock()
_client: Any = None
_client_pid = 0
_client_url = ""
_local = threading.local()


def _shared_client(url: str) -> Any:
    """The process-wide client for ``url`` (thread-safe, fork-aware)."""
    global _client, _client_pid, _client_url
    pid = os.getpid()
    client = _client
    if client is not None and _client_pid == pid and _client_url == url:
        return client
    with _lock:
        if _client is None or _client_pid != pid or _client_url != url:
            _client = build_client(url, cluster=getattr(settings, "SOCLE_REDIS_CLUSTER", False))
            _client_pid, _client_url = pid, url
        return _client


def thread_view(shared: Any) -> Any:
    """A client on ``shared``'s pool that keeps one connection for the calling thread.

    A cluster client (its own routing, no single pool) is returned as it is.
    """
    import redis

    if not isinstance(shared, redis.Redis):
        return shared
    return redis.Redis(connection_pool=shared.connection_pool, single_connection_client=True)


def get_client() -> Any:
    """The client for ``settings.SOCLE_REDIS_URL``: the process-wide one seen through this
    thread's own connection (see the module docstring)."""
    url = settings.SOCLE_REDIS_URL
    if not url:
        raise RuntimeError("SOCLE_REDIS_URL n'est pas défini")
    shared = _shared_client(url)
    view = getattr(_local, "view", None)
    if view is not None and _local.shared is shared:
        return view
    view = thread_view(shared)
    _local.view, _local.shared = view, shared
    return view


_others: dict[tuple[int, str], Any] = {}


def get_client_for(url: str) -> Any:
    """A process-wide client for another URL than ``SOCLE_REDIS_URL`` (fork-aware)."""
    key = (os.getpid(), url)
    client = _others.get(key)
    if client is None:
        with _lock:
            client = _others.get(key)
            if client is None:
                client = build_client(url, cluster=getattr(settings, "SOCLE_REDIS_CLUSTER", False))
                _others[key] = client
    return client


def reset_client() -> None:
    """Forgets the process-wide client (tests, or before forking workers)."""
    global _client, _client_pid, _client_url
    with _lock:
        if _client is not None:
            with suppress(Exception):  # closing a broken client must not fail the caller
                _client.close()
        _client, _client_pid, _client_url = None, 0, ""
        _local.__dict__.clear()  # other threads see their shared client change
        _others.clear()
