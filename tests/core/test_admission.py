import datetime as dt
import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from django.utils import timezone

from socle.core import admission
from socle.core.admission import ClientGone, Gate, QueueFull, password_hash_slot
from socle.core.admission_policy import Policy, current_policy
from socle.core.schedule import parse_windows

# A Monday at 10:00 and a Saturday at 10:00, Paris time.
MONDAY_10 = timezone.make_aware(dt.datetime(2026, 9, 7, 10, 0))
SATURDAY_10 = timezone.make_aware(dt.datetime(2026, 9, 12, 10, 0))


def make_policy(directory: Path, **overrides) -> Policy:
    values = dict(
        directory=directory,
        slots=1,
        queue=4,
        max_wait=0.05,
        retry_after=5,
        deferred_profiles=frozenset({"National_TUT"}),
        deferred_windows=parse_windows("mon-fri 08:00-17:00"),
        deferred_share=25,
    )
    values.update(overrides)
    return Policy(**values)


def _hold_slot(directory: str, ready, release) -> None:
    gate = Gate(make_policy(Path(directory)))
    with gate.slot():
        ready.set()
        release.wait(30)


@pytest.fixture
def fork():
    return multiprocessing.get_context("fork")


def test_it_lets_one_caller_per_slot_in_at_once(tmp_path):
    gate = Gate(make_policy(tmp_path, slots=2))
    with gate.slot(), gate.slot(), pytest.raises(QueueFull) as raised, gate.slot():
        pass
    assert 5 <= raised.value.retry_after <= 10
    with gate.slot():  # released again
        pass


def test_it_shares_the_slots_between_processes(tmp_path, fork):
    ready, release = fork.Event(), fork.Event()
    child = fork.Process(target=_hold_slot, args=(str(tmp_path), ready, release))
    child.start()
    try:
        assert ready.wait(10)
        with pytest.raises(QueueFull), Gate(make_policy(tmp_path)).slot():
            pass
    finally:
        release.set()
        child.join(10)
    with Gate(make_policy(tmp_path)).slot():
        pass


def test_a_killed_process_does_not_keep_its_slot(tmp_path, fork):
    ready, release = fork.Event(), fork.Event()
    child = fork.Process(target=_hold_slot, args=(str(tmp_path), ready, release))
    child.start()
    assert ready.wait(10)
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    with Gate(make_policy(tmp_path, max_wait=5)).slot():
        pass


def test_a_waiting_caller_gets_the_slot_when_it_is_released(tmp_path):
    gate = Gate(make_policy(tmp_path, max_wait=10))
    entered = threading.Event()
    results: list[str] = []

    def second() -> None:
        with gate.slot():
            results.append("second")

    with gate.slot():
        waiter = threading.Thread(target=second)
        waiter.start()
        entered.wait(0.05)
        results.append("first")
    waiter.join(10)
    assert results == ["first", "second"]


def test_a_release_in_the_same_process_wakes_a_waiter_without_polling(tmp_path, monkeypatch):
    monkeypatch.setattr(admission, "_POLL_SECONDS", 60.0)  # polling alone would take a minute
    gate = Gate(make_policy(tmp_path, max_wait=120))
    waiting = threading.Event()
    done = threading.Event()

    def second() -> None:
        waiting.set()
        with gate.slot():
            done.set()

    with gate.slot():
        waiter = threading.Thread(target=second)
        waiter.start()
        waiting.wait(5)
    assert done.wait(10)  # woken by the release, not by the next poll
    waiter.join(10)


def test_a_slot_released_by_another_process_is_found_by_polling(tmp_path, fork, monkeypatch):
    monkeypatch.setattr(admission, "_POLL_SECONDS", 0.01)
    ready, release = fork.Event(), fork.Event()
    child = fork.Process(target=_hold_slot, args=(str(tmp_path), ready, release))
    child.start()
    try:
        assert ready.wait(10)
        threading.Timer(0.1, release.set).start()
        with Gate(make_policy(tmp_path, max_wait=10)).slot():
            pass
    finally:
        release.set()
        child.join(10)


def test_it_refuses_at_once_beyond_the_waiting_places(tmp_path):
    gate = Gate(make_policy(tmp_path, queue=2, max_wait=10))
    release = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with gate.slot():
            holding.set()
            release.wait(10)

    def wait_for_slot() -> None:
        with gate.slot():
            pass

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    waiter = threading.Thread(target=wait_for_slot)
    waiter.start()
    try:
        while gate.in_path < 2:
            threading.Event().wait(0.001)
        with pytest.raises(QueueFull), gate.slot():  # the third caller does not wait 10 s
            pass
    finally:
        release.set()
        holder.join(10)
        waiter.join(10)
    assert gate.in_path == 0


def test_it_releases_the_slot_when_the_body_raises(tmp_path):
    gate = Gate(make_policy(tmp_path))
    with pytest.raises(ZeroDivisionError), gate.slot():
        raise ZeroDivisionError
    with gate.slot():
        pass


def test_parents_get_a_smaller_share_during_school_hours(tmp_path):
    policy = make_policy(tmp_path, queue=8, deferred_share=25)
    assert policy.waiting_places("National_TUT", MONDAY_10) == 2
    assert policy.waiting_places("National_ELV", MONDAY_10) == 8
    assert policy.waiting_places(None, MONDAY_10) == 8
    assert policy.waiting_places("National_TUT", SATURDAY_10) == 8


def test_a_deferred_parent_is_refused_where_a_pupil_would_wait(tmp_path, monkeypatch):
    monkeypatch.setattr(admission.timezone, "localtime", lambda: MONDAY_10)
    gate = Gate(make_policy(tmp_path, slots=1, queue=4, deferred_share=25))
    # one place for parents, taken by the pupil
    with gate.slot("National_ELV"), pytest.raises(QueueFull), gate.slot("National_TUT"):
        pass


def test_the_interface_reads_the_settings(settings, tmp_path):
    settings.SOCLE_ADMISSION_DIR = str(tmp_path)
    settings.SOCLE_ADMISSION_SLOTS = 1
    settings.SOCLE_ADMISSION_MAX_WAIT_MS = 20
    with password_hash_slot("National_ELV"):
        assert (tmp_path / "slot-0.lock").exists()
        with pytest.raises(QueueFull), password_hash_slot():
            pass
    with password_hash_slot():
        pass


def test_the_policy_follows_a_settings_change_and_is_built_once_per_settings(settings, tmp_path):
    settings.SOCLE_ADMISSION_DIR = str(tmp_path)
    settings.SOCLE_ADMISSION_SLOTS = 3
    first = current_policy()
    assert first is current_policy()  # the same settings: the same object, not rebuilt
    settings.SOCLE_ADMISSION_SLOTS = 1
    settings.SOCLE_ADMISSION_DEFERRED_HOURS = "mon-fri 08:00-17:00"
    changed = current_policy()
    assert (changed.slots, len(changed.deferred_windows)) == (1, 1)
    assert changed.directory == tmp_path


def test_a_caller_served_at_once_is_not_asked_whether_its_client_still_waits(tmp_path):
    def never() -> bool:
        raise AssertionError("asked")

    with Gate(make_policy(tmp_path)).slot(still_wanted=never):
        pass


def test_a_waiter_whose_client_hangs_up_leaves_the_queue_without_a_slot(tmp_path, monkeypatch):
    monkeypatch.setattr(admission, "_POLL_SECONDS", 0.01)
    gate = Gate(make_policy(tmp_path, max_wait=30))
    hung_up = threading.Event()
    outcome: list[str] = []

    def waiter() -> None:
        try:
            with gate.slot(still_wanted=lambda: not hung_up.is_set()):
                outcome.append("hashed")
        except ClientGone:
            outcome.append("gone")

    with gate.slot():
        thread = threading.Thread(target=waiter)
        thread.start()
        time.sleep(0.05)
        hung_up.set()
        thread.join(10)  # leaves while the slot is still held: it did not wait for it
        assert outcome == ["gone"]
    assert gate.in_path == 0


def _until_in_path(gate: Gate, callers: int) -> None:
    """Until ``callers`` hold or wait for a slot, then a moment for the last one to wait."""
    deadline = time.monotonic() + 10
    while gate.in_path < callers and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(0.02)


def _abandoned_then_patient(gate: Gate, answers: list[bool]) -> list[str]:
    """One waiter whose client answers ``answers`` in turn, then one that always waits; the
    slot is held meanwhile, then released once."""
    replies = iter(answers)
    outcome: list[str] = []

    def abandoned() -> None:
        try:
            with gate.slot(still_wanted=lambda: next(replies)):
                outcome.append("abandoned hashed")
        except ClientGone:
            outcome.append("gone")

    def patient() -> None:
        with gate.slot():
            outcome.append("patient hashed")

    with gate.slot():
        first = threading.Thread(target=abandoned)
        first.start()
        _until_in_path(gate, 2)  # the abandoned login waits first, then the patient one
        second = threading.Thread(target=patient)
        second.start()
        _until_in_path(gate, 3)
    first.join(10)
    second.join(10)
    return outcome


def test_a_slot_won_for_a_client_that_hung_up_goes_to_the_next_waiter(tmp_path, monkeypatch):
    monkeypatch.setattr(admission, "_POLL_SECONDS", 60.0)  # only a release wakes the waiters
    gate = Gate(make_policy(tmp_path, max_wait=120))
    # Woken by the release: still wanted, wins the slot, then the client is gone.
    assert _abandoned_then_patient(gate, [True, False]) == ["gone", "patient hashed"]


def test_a_waiter_leaving_on_a_wake_up_passes_it_on(tmp_path, monkeypatch):
    monkeypatch.setattr(admission, "_POLL_SECONDS", 60.0)  # only a release wakes the waiters
    gate = Gate(make_policy(tmp_path, max_wait=120))
    # Woken by the release, the client is gone: the wake-up goes to the next waiter.
    assert _abandoned_then_patient(gate, [False]) == ["gone", "patient hashed"]
