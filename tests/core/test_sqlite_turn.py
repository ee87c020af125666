"""SQLite writers of one node take turns on a file lock instead of SQLite's sleeping busy handler
(socle.core.sqlite_turn)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from socle.core import sqlite_turn


@pytest.fixture
def turn_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "socle.sqlite3.write-turn"
    monkeypatch.setattr(sqlite_turn, "_lock_path", lambda: str(path))
    return path


def test_it_lets_one_thread_write_at_a_time(turn_file: Path) -> None:
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        with sqlite_turn.write_turn():
            order.append("first in")
            inside.set()
            release.wait(5)
            order.append("first out")

    def second() -> None:
        inside.wait(5)
        with sqlite_turn.write_turn():
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inside.wait(5)
    time.sleep(0.2)  # the second thread is now waiting for the turn
    assert order == ["first in"]
    release.set()
    for thread in threads:
        thread.join(5)
    assert order == ["first in", "first out", "second in"]
    assert turn_file.exists()


def test_it_hands_the_turn_on_when_the_block_raises(turn_file: Path) -> None:
    with pytest.raises(RuntimeError), sqlite_turn.write_turn():
        raise RuntimeError("the statement failed")
    taken = threading.Event()

    def other() -> None:
        with sqlite_turn.write_turn():
            taken.set()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(5)
    assert taken.is_set()


def test_a_forked_process_waits_for_the_turn_of_its_parent(
    turn_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_turn, "_in_transaction", lambda: False)  # as under gunicorn
    with sqlite_turn.write_turn():
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # the child: its own descriptor, so it must wait for the parent's turn
            os.close(read)
            with sqlite_turn.write_turn():
                taken_at = time.monotonic()  # one clock for both processes
            os.write(write, repr(taken_at).encode())
            os._exit(0)
        os.close(write)
        time.sleep(0.3)  # time for the child to ask (it may ask later: the check holds anyway)
        given_back_at = time.monotonic()
    taken_at = float(os.read(read, 64).decode())
    os.waitpid(child, 0)
    assert taken_at >= given_back_at


@pytest.mark.django_db
def test_it_takes_no_turn_inside_a_transaction(turn_file: Path) -> None:
    assert sqlite_turn._in_transaction()  # the test's own transaction
    with sqlite_turn.write_turn():
        pass
    assert not turn_file.exists()


def test_it_takes_no_turn_without_a_database_file(settings) -> None:  # noqa: ANN001
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        assert sqlite_turn._lock_path() == (
            None if name.startswith("file:") or name == ":memory:" else name + ".write-turn"
        )
    else:
        assert sqlite_turn._lock_path() is None
