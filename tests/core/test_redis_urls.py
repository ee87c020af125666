import pytest

from socle.core.redis import RedisURLError, build_client, parse_sentinel_url, validate_url


def test_it_reads_a_sentinel_url():
    spec = parse_sentinel_url(
        "redis+sentinel://:s3cret@10.0.0.1:26379,[::1]:26380,sent3/mymaster/2"
    )
    assert spec.sentinels == [("10.0.0.1", 26379), ("::1", 26380), ("sent3", 26379)]
    assert spec.master == "mymaster"
    assert spec.db == 2
    assert spec.password == "s3cret"
    assert spec.ssl is False


def test_it_reads_a_tls_sentinel_url():
    spec = parse_sentinel_url("rediss+sentinel://user:pw@h:26379/m")
    assert spec.ssl and spec.username == "user" and spec.db == 0


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0",
        "rediss://cache.example.org:6380/1",
        "unix:///run/redis.sock?db=0",
        "redis+sentinel://s1:26379,s2:26379/master",
        "redis://:s3cret@127.0.0.1",
        "redis://user:p%40ss@[::1]:6379/15",
    ],
)
def test_it_accepts_the_supported_forms(url):
    validate_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379",
        "redis://",
        "redis+sentinel://s1:26379",
        "redis+sentinel://s1:x/m",
        "memcached://h",
    ],
)
def test_it_rejects_other_forms(url):
    with pytest.raises(RedisURLError):
        validate_url(url)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("redis://127.0.0.1:63a9/1", "port invalide dans '127.0.0.1:63a9'"),
        ("redis://user:pw@127.0.0.1:99999/1", "port invalide dans '127.0.0.1:99999'"),
        ("redis://127.0.0.1:6379/abc", "numéro de base invalide : 'abc' (un entier, ex. /0)"),
        ("unix:///run/redis.sock?db=x", "numéro de base invalide : 'x' (un entier, ex. /0)"),
    ],
)
def test_it_names_a_bad_port_or_database_number_before_the_first_connection(url, said):
    # redis-py refused them only when connecting: the node started, every login answered 503.
    with pytest.raises(RedisURLError) as refusal:
        validate_url(url)
    assert str(refusal.value) == said and "pw" not in str(refusal.value)


def test_it_builds_the_right_client_without_connecting():
    from redis import Redis
    from redis.sentinel import SentinelManagedConnection

    assert isinstance(build_client("redis://127.0.0.1:1/0"), Redis)
    sentinel_client = build_client("redis+sentinel://127.0.0.1:1/m")
    assert sentinel_client.connection_pool.connection_class is SentinelManagedConnection
