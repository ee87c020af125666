"""The deployment marker (``socle.core.deployment``): a node on another Redis database, or on
another SQL database, than the latest ``socle serve`` start is told at its start, and
``/healthz`` and ``socle.W078`` say it on the node left behind. Redis here is two in-memory
databases (tests/scale/test_deployment_marker.py: the same on a real Redis, two databases)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from socle.core import deployment
from socle.core.checks import check_deployment_marker
from socle.core.models import DeploymentMarker


class FakeRedis:
    """What the marker uses of a Redis database: SET (NX), MGET."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def set(self, key: str, value: str, nx: bool = False) -> bool:
        if nx and key in self.data:
            return False
        self.data[key] = value
        return True

    def mget(self, *keys: str) -> list[str | None]:
        return [self.data.get(key) for key in keys]


@pytest.fixture
def redis_dbs(settings, monkeypatch) -> dict[str, Any]:
    """Two Redis databases; ``use(name)`` points this node at one of them."""
    settings.SOCLE_REDIS_URL = "redis://127.0.0.1:6379/0"
    dbs: dict[str, Any] = {"0": FakeRedis(), "1": FakeRedis(), "current": "0"}
    monkeypatch.setattr(deployment, "_redis", lambda: dbs[dbs["current"]])
    return dbs


def use(dbs: dict[str, Any], name: str) -> None:
    dbs["current"] = name


def test_it_says_nothing_for_nodes_on_one_database_and_one_redis(redis_dbs, db) -> None:
    assert deployment.record_at_start() == ""
    assert deployment.record_at_start() == ""  # another node, or a restart
    assert deployment.state().ok
    assert check_deployment_marker() == []
    [row] = DeploymentMarker.objects.all()
    assert (
        len(row.marker) == 32 and row.redis_marker == redis_dbs["0"].data[deployment.REDIS_MARKER]
    )


def test_it_tells_a_node_started_on_another_redis_database(redis_dbs, db) -> None:
    deployment.record_at_start()  # node A, on /0
    use(redis_dbs, "1")
    assert deployment.record_at_start() == deployment.OTHER_REDIS  # node B, on /1
    assert deployment.state().ok  # B is the pair the latest start recorded
    use(redis_dbs, "0")
    found = deployment.state()  # A is not any more
    assert not found.ok and "SOCLE_REDIS_URL" in found.detail
    [warning] = check_deployment_marker()
    assert warning.id == "socle.W078" and "sessions SSO sont séparées" in warning.msg
    # A restarted on /1: one deployment again.
    use(redis_dbs, "1")
    assert deployment.record_at_start() == ""
    assert deployment.state().ok


def test_it_tells_a_node_started_on_another_sql_database(redis_dbs, db) -> None:
    deployment.record_at_start()
    DeploymentMarker.objects.update(marker="f" * 32)  # the other database's row
    found = deployment.state()
    assert not found.ok and "SOCLE_DATABASE_URL" in found.detail
    assert deployment.record_at_start() == deployment.OTHER_DATABASE


def test_it_says_a_redis_emptied_since_until_the_next_start(redis_dbs, db) -> None:
    deployment.record_at_start()
    redis_dbs["0"].data.clear()  # FLUSHALL, or a restart without persistence
    found = deployment.state()
    assert not found.ok and "vidé" in found.detail
    assert deployment.record_at_start() == deployment.OTHER_REDIS  # said once, at a start
    assert deployment.state().ok


def test_it_gives_healthz_a_deployment_field_that_leaves_its_status_alone(
    redis_dbs, db, monkeypatch
):
    monkeypatch.setattr("socle.core.views.run_checks", lambda: [])
    deployment.record_at_start()
    use(redis_dbs, "1")
    deployment.record_at_start()
    answer = Client().get("/healthz")
    assert answer.status_code == 200
    assert json.loads(answer.content)["deployment"] == {"ok": True, "detail": "ok"}
    use(redis_dbs, "0")
    answer = Client().get("/healthz")
    body = json.loads(answer.content)
    assert answer.status_code == 200 and body["status"] == "ok"
    assert body["deployment"]["ok"] is False
    assert "SOCLE_REDIS_URL" in body["deployment"]["detail"]


def test_it_writes_nothing_before_the_first_start(redis_dbs, db) -> None:
    """``socle migrate`` runs the check on a database copy_database must find empty."""
    assert deployment.state().ok
    assert check_deployment_marker() == []
    assert not DeploymentMarker.objects.exists() and not redis_dbs["0"].data


def test_it_compares_nothing_without_redis(settings, db) -> None:
    settings.SOCLE_REDIS_URL = ""
    assert deployment.record_at_start() == ""
    assert deployment.state().ok
    assert not DeploymentMarker.objects.exists()


def test_it_stays_quiet_when_redis_cannot_be_reached(settings, db, monkeypatch) -> None:
    settings.SOCLE_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    from socle.core.redis import reset_client

    reset_client()
    try:
        assert deployment.record_at_start() == ""
        assert deployment.state().ok
    finally:
        reset_client()


def test_it_has_serve_say_it_in_one_start_line(redis_dbs, db, monkeypatch, caplog) -> None:
    from django.core.management import call_command

    command = "socle.core.management.commands.serve"
    monkeypatch.setattr(f"{command}.prepare_node", lambda **_: None)
    monkeypatch.setattr(f"{command}.redis_at_start", lambda: None)
    monkeypatch.setattr(f"{command}.another_key_at_start", lambda: False)
    served: list[object] = []
    monkeypatch.setattr(f"{command}.run", served.append)
    call_command("serve", "--workers", "1")  # node A, on /0
    use(redis_dbs, "1")
    with caplog.at_level("WARNING", logger="socle.core"):
        call_command("serve", "--workers", "1")  # node B, on /1
    assert len(served) == 2  # B starts all the same
    [line] = [r.getMessage() for r in caplog.records if "Redis database" in r.getMessage()]
    assert "SSO sessions are split" in line and "SOCLE_REDIS_URL" in line
