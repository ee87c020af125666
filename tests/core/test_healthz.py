import json
import socket

import pytest

from socle.core.redis import reset_client


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _fresh_redis_client():
    reset_client()
    yield
    reset_client()


def test_it_answers_ok_when_the_database_answers(client, settings):
    settings.SOCLE_REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert "redis" not in body["checks"]
    assert "no-store" in response["Cache-Control"]


def test_it_answers_503_when_redis_is_configured_but_unreachable(client, settings, closed_port):
    settings.SOCLE_REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    # the public answer names the failure, not the address
    assert str(closed_port) not in response.content.decode()


def test_it_answers_503_when_the_database_fails(client, settings, monkeypatch):
    settings.SOCLE_REDIS_URL = ""

    def broken_database() -> None:
        raise RuntimeError("base injoignable")

    monkeypatch.setattr("socle.core.health._database", broken_database)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["database"]["ok"] is False


def test_it_refuses_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_it_says_once_at_serve_start_that_redis_does_not_answer(
    settings, closed_port, monkeypatch, caplog
):
    from django.core.management import call_command

    settings.SOCLE_REDIS_URL = f"redis://socle:s3cret@127.0.0.1:{closed_port}/0"
    monkeypatch.setattr("socle.core.management.commands.serve.prepare_node", lambda **_: None)
    served = []
    monkeypatch.setattr("socle.core.management.commands.serve.run", served.append)
    with caplog.at_level("WARNING", logger="socle.core"):
        call_command("serve", "--workers", "1")
    assert len(served) == 1  # the node starts all the same
    (line,) = [r.getMessage() for r in caplog.records if "does not answer" in r.getMessage()]
    assert line.startswith(f"Redis at redis://socle@127.0.0.1:{closed_port}/0 does not answer (")
    assert "s3cret" not in line and "SOCLE_REDIS_URL" in line


def test_it_says_nothing_at_start_without_redis(settings):
    from socle.core.health import redis_at_start

    settings.SOCLE_REDIS_URL = ""
    assert redis_at_start() is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:pw@h:6379/0", "redis://h:6379/0"),
        ("redis://user:pw@h:6379/0", "redis://user@h:6379/0"),
        (
            "redis+sentinel://u:p@s1:26379,s2:26379/mymaster/0",
            "redis+sentinel://u@s1:26379,s2:26379/mymaster/0",
        ),
        ("unix:///run/redis.sock?db=0", "unix:///run/redis.sock?db=0"),
        ("redis://h:6379/0", "redis://h:6379/0"),
    ],
)
def test_it_leaves_the_password_out_of_the_redis_address(url, shown):
    from socle.core.health import without_password

    assert without_password(url) == shown
