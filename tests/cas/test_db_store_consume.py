"""The database store's validation: one conditional ``UPDATE … RETURNING`` under the SQLite
write turn, and nothing else under it (socle/cas/tickets/db.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socle.cas.tickets import db
from socle.cas.tickets.db import DatabaseStore
from socle.directory.models import Person
from socle.portal.models import Service
from tests.cas.conftest import SERVICE_URL, issue_ticket

pytestmark = pytest.mark.db_store


def test_it_reads_back_the_consumed_ticket_as_the_orm_would(
    pupil: Person, service: Service
) -> None:
    store = DatabaseStore()
    session = store.create_session(pupil.pk)
    ticket = issue_ticket(
        store,
        pupil,
        service,
        session_id=session.id,
        proxies=["https://a.example/pgt"],
        authenticated_at=session.authenticated_at,
    )
    issued = store.consume_ticket(ticket)
    assert issued is not None
    assert (issued.id, issued.person_id, issued.service_id) == (ticket, pupil.pk, service.pk)
    assert issued.service_url == SERVICE_URL and issued.session_id == session.id
    assert issued.from_new_login is True and issued.proxies == ["https://a.example/pgt"]
    assert isinstance(issued.created_at, dt.datetime) and issued.created_at.tzinfo is not None
    assert issued.authenticated_at == session.authenticated_at
    assert store.consume_ticket(ticket) is None  # single use


def test_its_write_turn_covers_the_statement_alone(
    pupil: Person, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DatabaseStore()
    ticket = issue_ticket(store, pupil, service)
    inside: list[int] = []

    @contextlib.contextmanager
    def watched_turn() -> Iterator[None]:
        before = len(context.captured_queries)
        yield
        inside.append(len(context.captured_queries) - before)

    monkeypatch.setattr(db, "write_turn", watched_turn)
    with CaptureQueriesContext(connection) as context:
        assert store.consume_ticket(ticket) is not None
    statements = [query["sql"].split()[0] for query in context.captured_queries]
    if connection.vendor == "sqlite":  # read before the turn, the conditional UPDATE in it
        assert statements == ["SELECT", "UPDATE"]
        assert inside == [1]
    else:  # UPDATE … RETURNING: no turn on PostgreSQL
        assert statements == ["UPDATE"]
        assert "RETURNING" in context.captured_queries[0]["sql"]


def test_it_takes_no_write_turn_for_a_ticket_already_consumed(
    pupil: Person, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DatabaseStore()
    ticket = issue_ticket(store, pupil, service)
    assert store.consume_ticket(ticket) is not None
    turns: list[bool] = []

    @contextlib.contextmanager
    def counted_turn() -> Iterator[None]:
        turns.append(True)
        yield

    monkeypatch.setattr(db, "write_turn", counted_turn)
    assert store.consume_ticket(ticket) is None
    assert store.consume_ticket("ST-unknown") is None
    assert turns == []


def test_it_gives_the_ticket_to_the_validation_whose_update_wins_only(
    pupil: Person, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two validations of one ticket that both read it unconsumed (SQLite reads it before its
    write turn): the one whose conditional UPDATE comes second changes no row and gets
    nothing, whatever it read."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite reads before its write turn")
    store = DatabaseStore()
    ticket = issue_ticket(store, pupil, service)
    winner: list[object] = []

    @contextlib.contextmanager
    def turn_after_another_validation() -> Iterator[None]:
        monkeypatch.setattr(db, "write_turn", contextlib.nullcontext)
        winner.append(store.consume_ticket(ticket))  # between the read and the UPDATE
        yield

    monkeypatch.setattr(db, "write_turn", turn_after_another_validation)
    assert store.consume_ticket(ticket) is None
    assert winner and winner[0] is not None


@pytest.mark.parametrize(
    "unusable", ["ST-\x00abc", "TGC-\x00", "ST-é", "ST-a\nb", "ST-" + "x" * 78, ""]
)
def test_it_refuses_ids_no_store_could_have_issued_without_querying(
    pupil: Person, unusable: str
) -> None:
    """PostgreSQL refuses a NUL in a string parameter (an error, not "no row"): such ids are
    answered "unknown" before any query, on every engine."""
    store = DatabaseStore()
    with CaptureQueriesContext(connection) as queries:
        assert store.consume_ticket(unusable) is None
        assert store.get_session(unusable) is None
        assert store.get_pgt(unusable) is None
        assert store.end_session(unusable) == []
    assert len(queries) == 0
