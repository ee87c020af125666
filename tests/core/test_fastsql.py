"""Plain inserts of socle.core.fastsql: COPY on PostgreSQL, INSERT on SQLite."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from socle.core import fastsql
from socle.core.fastsql import insert_rows
from socle.core.fastsql_keys import insert_prepared_returning_ids, insert_rows_returning_ids
from socle.portal.models import ServiceActivation, Trace
from tests.factories import make_establishment, make_service

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)


def make_row(detail: str, **fields: object) -> dict[str, object]:
    return {"at": AT, "event": "login", "detail": detail, "client_ip": None, **fields}


@pytest.mark.parametrize("in_transaction", [True, False])
def test_it_returns_the_keys_in_the_order_of_the_rows(
    in_transaction: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastsql, "CHUNK", 60)  # several statements
    rows = [make_row(f"row {i}") for i in range(250)]
    with transaction.atomic() if in_transaction else contextlib.nullcontext():
        ids = insert_rows_returning_ids(Trace, rows)
    assert len(set(ids)) == 250
    stored = dict(Trace.objects.values_list("pk", "detail"))
    assert [stored[pk] for pk in ids] == [f"row {i}" for i in range(250)]


def test_it_never_gives_again_the_key_of_a_deleted_row() -> None:
    """SQLite's ``AUTOINCREMENT``, which the keys read in the transaction follow, as
    PostgreSQL's sequences do."""
    first, last = insert_rows_returning_ids(Trace, [make_row("a"), make_row("b")])
    Trace.objects.filter(pk=last).delete()
    with transaction.atomic():
        (again,) = insert_rows_returning_ids(Trace, [make_row("c")])
    assert again > last
    assert Trace.objects.create(at=AT, event="login").pk > again  # the ORM follows on


def test_it_writes_prepared_rows_in_a_few_statements(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastsql, "CHUNK", 40)
    prepared = fastsql.prepare_rows(Trace, [make_row(f"row {i}") for i in range(100)])
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        ids = insert_prepared_returning_ids(prepared)
    assert sorted(Trace.objects.values_list("detail", flat=True)) == sorted(
        f"row {i}" for i in range(100)
    )
    assert ids == sorted(ids)
    if connection.vendor == "sqlite":  # the first key, three INSERT, the savepoint's two
        assert len(queries) == 6


def test_it_writes_text_that_copy_would_otherwise_read_as_separators() -> None:
    awkward = "tab\there, line\nbreak, back\\slash, \\N, « é »"
    insert_rows(Trace, [make_row(awkward, client_ip="192.0.2.7")])
    trace = Trace.objects.get()
    assert trace.detail == awkward
    assert trace.client_ip == "192.0.2.7"
    assert trace.outcome == "ok"  # a field not given takes its default
    assert trace.at == AT


def test_it_writes_json_values() -> None:
    service, school = make_service(), make_establishment()
    populations = ["eleves", {"nested": [None, "é"]}]
    insert_rows(
        ServiceActivation,
        [{"service_id": service.pk, "establishment_id": school.pk, "populations": populations}],
    )
    activation = ServiceActivation.objects.get()
    assert activation.populations == populations
    assert activation.enabled is True
    assert activation.updated_at is not None  # auto_now: the time of the insert


@pytest.mark.django_db(transaction=True)  # the foreign key is checked at the commit
def test_it_raises_djangos_integrity_error_for_a_refused_row() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows_returning_ids(Trace, [make_row("x", person_id=999_999)])


def test_it_writes_ip_addresses_as_the_orm_does() -> None:
    """A blank address is NULL (PostgreSQL's inet refuses ""), an IPv6 one in its short form
    (SQLite stores the text as given): what ``Trace.save`` stores."""
    given = ["", "2001:0DB8:0000:0000:0000:0000:0000:0001", "192.0.2.7"]
    insert_rows(Trace, [make_row(f"fast {i}", client_ip=ip) for i, ip in enumerate(given)])
    for i, ip in enumerate(given):
        Trace(**make_row(f"orm {i}", client_ip=ip)).save()
    stored = dict(Trace.objects.values_list("detail", "client_ip"))
    assert [stored[f"fast {i}"] for i in range(3)] == [stored[f"orm {i}"] for i in range(3)]
    assert stored["fast 0"] is None and stored["fast 1"] == "2001:db8::1"
