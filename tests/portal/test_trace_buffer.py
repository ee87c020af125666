"""Traces written off the request path (SOCLE_TRACES_DEFERRED, the servers' default)."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from socle.core import fastsql_keys
from socle.directory.models import Person
from socle.directory.profiles import Profile
from socle.portal import trace_buffer
from socle.portal.models import Trace, TraceScope
from socle.portal.traces import record
from tests.factories import make_establishment, make_membership, make_person


@pytest.fixture
def deferred(settings: Any) -> Any:
    """Deferred traces, flushed by the test itself (no writer thread: tests/conftest.py)."""
    settings.SOCLE_TRACES_DEFERRED = True
    trace_buffer.flush()
    yield
    trace_buffer.flush()


def test_it_writes_nothing_during_the_request_and_everything_at_the_flush(
    deferred: Any, django_assert_num_queries: Any
) -> None:
    person = make_person()
    with django_assert_num_queries(0):
        for _ in range(3):
            record("ticket_issued", person=person, service_code="pronote", detail="ST-abc…")
    assert Trace.objects.count() == 0
    # The person's establishments, the batch (no TraceScope row: a person of no school), and
    # the savepoint of its transaction inside the test's; on SQLite the batch's first key too.
    with django_assert_num_queries(5 if connection.vendor == "sqlite" else 4):
        assert trace_buffer.flush() == 3
    traces = Trace.objects.filter(event="ticket_issued", service_code="pronote", detail="ST-abc…")
    assert traces.count() == 3
    assert {(t.person, t.actor_login) for t in traces} == {(person, person.login)}


def test_its_flush_writes_under_the_sqlite_write_turn(
    deferred: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts: list[int] = []

    @contextlib.contextmanager
    def watched_turn() -> Iterator[None]:
        counts.append(Trace.objects.count())
        yield
        counts.append(Trace.objects.count())

    monkeypatch.setattr(trace_buffer, "write_turn", watched_turn)
    record("login")
    record("logout")
    assert trace_buffer.flush() == 2
    assert counts == [0, 2]  # the batch written within the turn, so validations wait for it


def test_it_keeps_the_time_of_the_event_not_of_the_write(deferred: Any) -> None:
    record("login")
    recorded_at = timezone.now()
    trace_buffer.flush()
    assert abs(Trace.objects.get().at - recorded_at) < dt.timedelta(seconds=1)


def test_it_keeps_the_rows_when_the_database_refuses_them(
    deferred: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    record("login")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("database down")

    monkeypatch.setattr(trace_buffer, "insert_prepared_returning_ids", broken)
    with pytest.raises(OperationalError):
        trace_buffer.flush()
    monkeypatch.undo()
    assert trace_buffer.flush() == 1
    assert Trace.objects.filter(event="login").count() == 1


def test_it_writes_the_rows_one_by_one_when_the_plain_insert_fails_otherwise(
    deferred: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug of the batch's plain inserts (not the database's answer) would otherwise queue the
    same rows again at every flush until the bound drops them."""
    record("login")

    def buggy(*args: Any, **kwargs: Any) -> None:
        raise TypeError("int() argument must be … not 'NoneType'")

    monkeypatch.setattr(trace_buffer, "insert_prepared_returning_ids", buggy)
    assert trace_buffer.flush() == 1
    assert Trace.objects.filter(event="login").count() == 1
    assert trace_buffer.flush() == 0  # nothing left queued


def test_it_drops_the_oldest_rows_beyond_the_bound(
    deferred: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trace_buffer, "MAX_PENDING", 3)
    for i in range(5):
        record("login", detail=str(i))
    trace_buffer.flush()
    assert sorted(Trace.objects.values_list("detail", flat=True)) == ["2", "3", "4"]


def test_it_writes_each_trace_at_once_when_not_deferred(settings: Any) -> None:
    settings.SOCLE_TRACES_DEFERRED = False
    record("login")
    assert Trace.objects.filter(event="login").exists()


@pytest.mark.django_db(transaction=True)  # foreign keys are checked when a write commits
def test_it_keeps_a_trace_whose_person_was_deleted_meanwhile(deferred: Any) -> None:
    person = make_person()
    record("login", person=person)
    record("logout")
    Person.objects.filter(pk=person.pk).delete()
    assert trace_buffer.flush() == 2
    trace = Trace.objects.get(event="login")
    assert trace.person is None and trace.actor_login == person.login


@pytest.mark.django_db(transaction=True)  # foreign keys are checked when a write commits
def test_it_keeps_the_school_of_a_trace_whose_person_was_deleted_meanwhile(deferred: Any) -> None:
    """The batch fails at its commit (PostgreSQL's COPY, SQLite's INSERT alike), the trace is
    written again one by one without its person: its school's « Traces » still show it."""
    school = make_establishment("0312609T")
    person = make_person(establishment=school, profile=Profile.PUPIL)
    record("ticket_issued", person=person, uai=school.uai)
    trace_buffer._add_memberships(trace_buffer._pending)  # read before the deletion
    Person.objects.filter(pk=person.pk).delete()
    assert trace_buffer.flush() == 1
    trace = Trace.objects.get()
    assert trace.person is None
    scopes = TraceScope.objects.values_list("trace_id", "uai", "profile")
    assert list(scopes) == [(trace.pk, "0312609T", Profile.PUPIL)]


@pytest.mark.django_db(transaction=True)
def test_it_writes_a_batch_holding_a_nul_or_a_lone_surrogate(deferred: Any) -> None:
    """A NUL (PostgreSQL refuses it in text) or a lone surrogate (no UTF-8 for it: a file name
    read with ``surrogateescape``) in a field: lost the trace, or, for the surrogate, stalled
    the writer (the batch queued again and refused at every flush). Replaced by U+FFFD."""
    record("login", detail="first")
    record("login", detail="nul\x00", actor_login="a\x00b")
    record("pronote_import", detail="fichier \udcff.xml")
    record("login", detail="last")
    assert trace_buffer.flush() == 4
    details = set(Trace.objects.values_list("detail", flat=True))
    assert details == {"first", "nul\ufffd", "fichier \ufffd.xml", "last"}
    assert Trace.objects.filter(actor_login="a\ufffdb").count() == 1
    assert not trace_buffer._pending


# Last of the file: the writer thread it starts lives on in this process (conftest.py).
@pytest.mark.writer_threads
@pytest.mark.django_db(transaction=True)
def test_its_writer_thread_writes_the_rows_by_itself(settings: Any) -> None:
    settings.SOCLE_TRACES_DEFERRED = True
    record("login", detail="from the writer thread")
    for _ in range(100):  # the thread writes within FLUSH_EVERY (1 s); wait up to 10 s
        if Trace.objects.filter(detail="from the writer thread").exists():
            break
        time.sleep(0.1)
    assert Trace.objects.filter(detail="from the writer thread").count() == 1


def test_it_reads_the_establishments_of_a_whole_batch_in_one_query(
    deferred: Any, django_assert_num_queries: Any
) -> None:
    school = make_establishment("0312609T")
    other = make_establishment("0310001H")
    pupil = make_person("Jean", "Roux", establishment=school)
    teacher = make_person("Hélène", "Le Gall", establishment=school, profile=Profile.TEACHER)
    make_membership(teacher, other, profile=Profile.TEACHER)
    with django_assert_num_queries(0):
        record("login", person=pupil)
        record("logout", person=teacher)
        record("ticket_issued", person=pupil, uai=school.uai)  # that school's by its UAI
        record("login_failed", actor_login="inconnu")
    # The people's establishments, the batch, its TraceScope rows, the savepoint (two queries)
    # of their transaction inside the test's: 3 in production. On SQLite the batch's first key
    # is read before it; on PostgreSQL the batch's keys come from its sequence and both tables
    # are written by COPY, which no capture sees.
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 6):
        assert trace_buffer.flush() == 4
    stored = {t.event: t.member_uais for t in Trace.objects.all()}
    assert stored == {
        "login": "0312609T",
        "logout": "0310001H 0312609T",
        "ticket_issued": "",
        "login_failed": "",
    }


@pytest.fixture
def trace_ids_without_sequence() -> Iterator[None]:
    """``portal_trace.id`` as a restored dump may leave it (PostgreSQL): its default draws from
    a sequence the column does not own, so ``pg_get_serial_sequence`` finds none. The test's
    transaction undoes it; this process forgets having seen it."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's sequences")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE portal_trace ALTER COLUMN id DROP IDENTITY IF EXISTS")
        cursor.execute("CREATE SEQUENCE trace_restored_seq START 5000")
        cursor.execute(
            "ALTER TABLE portal_trace ALTER COLUMN id SET DEFAULT nextval('trace_restored_seq')"
        )
        cursor.execute("SELECT pg_get_serial_sequence('portal_trace', 'id')")
        assert cursor.fetchone() == (None,)
    fastsql_keys.forget_sequences()
    yield
    fastsql_keys.forget_sequences()


def test_it_writes_batches_by_insert_returning_when_the_keys_own_no_sequence(
    deferred: Any,
    trace_ids_without_sequence: None,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Noticed at the first batch and logged once; every batch of the process is then written
    at once by ``INSERT … RETURNING`` (no ``COPY``), with its establishments, never row by
    row through the ORM."""
    school = make_establishment()
    person = make_person(establishment=school, profile=Profile.PUPIL)

    def one_by_one(rows: Any) -> int:
        raise AssertionError("written one by one")

    monkeypatch.setattr(trace_buffer, "_one_by_one", one_by_one)
    for batch in range(3):
        for i in range(3):
            record("login", person=person, detail=f"batch {batch} row {i}")
        with caplog.at_level("WARNING", logger="socle.core.fastsql"):
            assert trace_buffer.flush() == 3
    warnings = [r for r in caplog.records if r.name == "socle.core.fastsql"]
    assert len(warnings) == 1 and "portal_trace.id" in warnings[0].getMessage()
    traces = Trace.objects.order_by("pk")
    assert [t.detail for t in traces] == [f"batch {b} row {i}" for b in range(3) for i in range(3)]
    assert traces[0].pk >= 5000
    scopes = TraceScope.objects.filter(uai=school.uai)
    assert sorted(s.trace_id for s in scopes) == [t.pk for t in traces]


def test_it_holds_the_write_turn_for_a_few_statements_whatever_the_batch(
    deferred: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite every writer of the node waits while a batch holds the turn: its values are
    computed before, and its 600 traces and their establishments go in a few statements, not
    one per row (``executemany``, ``RETURNING``: each row a step that gives up the GIL)."""
    school = make_establishment()
    person = make_person(establishment=school, profile=Profile.PUPIL)
    for i in range(600):
        record("ticket_issued", person=person, service_code="pronote", detail=f"ST-{i}…")
    held: list[tuple[str, bool]] = []
    in_turn = False

    @contextlib.contextmanager
    def turn() -> Iterator[None]:
        nonlocal in_turn
        in_turn = True
        try:
            yield
        finally:
            in_turn = False

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if in_turn:
            held.append((sql.split()[0], many))
        return execute(sql, params, many, context)

    monkeypatch.setattr(trace_buffer, "write_turn", turn)
    with connection.execute_wrapper(watch):
        assert trace_buffer.flush() == 600
    assert TraceScope.objects.filter(uai=school.uai).count() == 600
    assert not any(many for _, many in held)
    if connection.vendor == "sqlite":  # the savepoint, the first key, 2 INSERT, the release
        assert [verb for verb, _ in held] == ["SAVEPOINT", "SELECT", "INSERT", "INSERT", "RELEASE"]
