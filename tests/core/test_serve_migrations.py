"""An upgrade's start: the node's log says what it migrates, and that it waits for another node."""

from __future__ import annotations

import fcntl
import hashlib
import logging
from pathlib import Path

import pytest
from django.db import connection, connections

from socle.core import server


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "socle.core"]


@pytest.mark.django_db
def test_it_logs_the_migrations_a_start_applies_and_how_long_they_took(
    settings, tmp_path, monkeypatch, caplog
):
    settings.SOCLE_DATA_DIR = tmp_path
    ran: list[str] = []
    monkeypatch.setattr(server, "pending_migrations", lambda: 6)
    monkeypatch.setattr(server, "call_command", lambda name, **kwargs: ran.append(name))
    monkeypatch.setattr(server, "collect_static_if_needed", lambda verbosity=0: False)

    with caplog.at_level(logging.INFO, logger="socle.core"):
        server.prepare_node()

    assert ran == ["migrate", "createcachetable"]
    said = messages(caplog)
    assert said[0] == (
        "Applying 6 migration(s) before serving (this may take a while on a large "
        "database: do not stop the node)"
    )
    assert said[1].startswith("6 migration(s) applied in ")
    assert len(said) == 2


@pytest.mark.django_db
def test_it_says_nothing_when_the_database_is_up_to_date(settings, tmp_path, monkeypatch, caplog):
    settings.SOCLE_DATA_DIR = tmp_path
    monkeypatch.setattr(server, "call_command", lambda name, **kwargs: None)
    monkeypatch.setattr(server, "collect_static_if_needed", lambda verbosity=0: False)

    with caplog.at_level(logging.INFO, logger="socle.core"):
        server.prepare_node()

    assert messages(caplog) == []


@pytest.mark.django_db(transaction=True)
def test_it_logs_the_wait_for_the_lock_another_node_holds(settings, tmp_path, monkeypatch, caplog):
    settings.SOCLE_DATA_DIR = tmp_path
    if connection.vendor == "postgresql":
        holder = connections.create_connection("default")
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [server.MIGRATION_LOCK_ID])

        def release() -> None:
            with holder.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [server.MIGRATION_LOCK_ID])
    else:
        name = str(settings.DATABASES["default"].get("NAME") or "socle")
        digest = hashlib.sha256(name.encode()).hexdigest()[:12]
        handle = open(Path(tmp_path) / f".migrate-{digest}.lock", "a+")  # noqa: SIM115
        fcntl.flock(handle, fcntl.LOCK_EX)

        def release() -> None:
            fcntl.flock(handle, fcntl.LOCK_UN)

    said_waiting = server._say_waiting

    def waiting_then_released() -> None:
        said_waiting()
        release()  # the other node is done: the blocking wait that follows returns

    monkeypatch.setattr(server, "_say_waiting", waiting_then_released)
    try:
        with caplog.at_level(logging.INFO, logger="socle.core"), server.migration_lock():
            entered = True
    finally:
        if connection.vendor == "postgresql":
            holder.close()
        else:
            handle.close()

    assert entered
    assert messages(caplog) == [
        "Waiting for the migration lock: another node or command holds it (checking or applying "
        "migrations)"
    ]


def test_it_takes_a_free_lock_without_a_word(settings, tmp_path, caplog, db):
    settings.SOCLE_DATA_DIR = tmp_path
    with caplog.at_level(logging.INFO, logger="socle.core"), server.migration_lock():
        pass
    assert messages(caplog) == []
