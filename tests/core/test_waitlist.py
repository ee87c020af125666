"""A released password-hash slot wakes the login that has waited longest on the machine, in
whichever process it waits (``socle.core.waitlist``); the order survives dead processes and a
full table. Polling is slowed to a minute in these tests: only a wake-up can be what serves."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest

from socle.core import admission, waitlist
from socle.core.admission import Gate
from tests.core.test_admission import make_policy

SLOW_POLL = 60.0


@pytest.fixture(autouse=True)
def slow_polls(monkeypatch):
    monkeypatch.setattr(admission, "_POLL_SECONDS", SLOW_POLL)


@pytest.fixture
def fork():
    return multiprocessing.get_context("fork")


def make_gate(directory: Path) -> Gate:
    return Gate(make_policy(directory, max_wait=120))


def _entries(directory: Path) -> list[tuple[int, int, int]]:
    data = (directory / "waitlist").read_bytes()
    size = waitlist._ENTRY.size
    return [waitlist._ENTRY.unpack_from(data, i * size) for i in range(waitlist.ENTRIES)]


def _until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def _waiter(gate: Gate, name: str, order: list[str]) -> threading.Thread:
    def wait() -> None:
        with gate.slot():
            order.append(name)

    thread = threading.Thread(target=wait, name=name)
    thread.start()
    _until(lambda: len(gate._waiting) >= 1 and thread.name in _names_waiting(gate))
    return thread


def _names_waiting(gate: Gate) -> set[str]:
    by_ident = {t.ident: t.name for t in threading.enumerate()}
    return {by_ident.get(token, "") for token in gate._waiting}


def test_a_release_wakes_the_longest_waiter_of_another_process_first(tmp_path):
    here, there = make_gate(tmp_path), make_gate(tmp_path)  # two entries, as two workers
    order: list[str] = []
    with here.slot():
        older = _waiter(there, "there", order)  # waits first, in the other process
        newer = _waiter(here, "here", order)  # waits next, in the releasing one
    older.join(10)
    newer.join(10)
    assert order == ["there", "here"]  # and the second was woken by the first one's release


def test_it_serves_the_waiters_of_one_process_oldest_first(tmp_path):
    gate = make_gate(tmp_path)
    order: list[str] = []
    with gate.slot():
        threads = [_waiter(gate, name, order) for name in ("first", "second", "third")]
    for thread in threads:
        thread.join(10)
    assert order == ["first", "second", "third"]


def _wait_in_child(directory: str, polls: float, served) -> None:
    admission._POLL_SECONDS = polls
    with Gate(make_policy(Path(directory), max_wait=120)).slot():
        served.put(("child", time.monotonic()))


def test_a_real_process_that_waited_longest_is_served_first(tmp_path, fork):
    gate = make_gate(tmp_path)
    served = fork.Queue()
    order: list[str] = []
    with gate.slot():
        child = fork.Process(target=_wait_in_child, args=(str(tmp_path), SLOW_POLL, served))
        child.start()
        _until(lambda: any(pid == child.pid and since for pid, since, _ in _entries(tmp_path)))
        newer = _waiter(gate, "parent", order)
    name, child_served_at = served.get(timeout=10)
    newer.join(10)
    child.join(10)
    assert name == "child" and order == ["parent"]
    assert child.exitcode == 0


def test_an_entry_left_by_a_dead_process_is_skipped_and_cleared(tmp_path, fork):
    gate = make_gate(tmp_path)
    dead = fork.Process(target=os.getpid)
    dead.start()
    dead.join(10)
    size = waitlist._ENTRY.size
    stale = next(i for i, (pid, _, _) in enumerate(_entries(tmp_path)) if pid == 0)
    with open(tmp_path / "waitlist", "r+b") as table:  # it "waits" since the machine started
        table.seek(stale * size)
        table.write(waitlist._ENTRY.pack(dead.pid, 1, 1))
    order: list[str] = []
    with gate.slot():
        waiter = _waiter(gate, "alive", order)
    waiter.join(10)
    assert order == ["alive"]  # woken at once, not at its next poll
    assert _entries(tmp_path)[stale] == (dead.pid, 0, 1)
    other = make_gate(tmp_path)  # a dead process's entry is claimed again, with a new pipe
    assert other.waitlist is not None and other.waitlist.index in {stale, stale + 1}


def test_with_a_full_table_a_process_still_wakes_its_own_waiters(tmp_path, caplog):
    gates = [make_gate(tmp_path) for _ in range(waitlist.ENTRIES)]
    assert all(g.waitlist is not None for g in gates)
    with caplog.at_level(logging.WARNING, logger="socle.admission"):
        last = make_gate(tmp_path)
    assert last.waitlist is None
    assert "no machine-wide waitlist" in caplog.text
    order: list[str] = []
    with last.slot():
        waiter = _waiter(last, "waiter", order)
    waiter.join(10)
    assert order == ["waiter"]


def test_a_closed_waitlist_gives_its_entry_back_and_stops_its_thread(tmp_path):
    gate = make_gate(tmp_path)
    assert gate.waitlist is not None
    index = gate.waitlist.index
    relays = {t for t in threading.enumerate() if t.name == "socle-waitlist"}
    gate.waitlist.close()
    gate.waitlist.close()  # twice: nothing more
    assert _entries(tmp_path)[index][0] == 0
    _until(lambda: {t for t in threading.enumerate() if t.name == "socle-waitlist"} < relays)


def test_a_wake_up_that_comes_with_a_slot_won_anyway_is_passed_on(tmp_path, monkeypatch):
    gate = make_gate(tmp_path)
    slot = gate.slots[0]
    assert slot.try_acquire()  # busy: the caller below has to wait
    younger: list = []

    def wait(me, deferred, still_wanted):  # woken while it takes the slot released meanwhile
        younger.append(gate._queue(threading.get_ident() + 1))
        slot.release()
        me.woken.set()
        return gate._try_any()

    monkeypatch.setattr(gate, "_wait", wait)
    with gate.slot():
        assert younger[0].woken.is_set()  # the next waiter tries again at once
