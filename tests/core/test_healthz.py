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
