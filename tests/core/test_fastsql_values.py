"""What the plain-SQL writers store for each kind of field, on SQLite and on PostgreSQL alike.

Three callers write rows without the ORM through ``socle.core.fastsql``: the AAF import and
the trace writer (dicts of values), the PRONOTE importer (tuples in the order of a list of
fields) and the CAS ticket store (one statement's parameters, each adapted by ``adapter``).
Each case below is written by each of them (``writer``) and read back through the ORM and as
raw SQL, so that they keep storing what the ORM's ``save`` would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from socle.core.fastsql import adapter, insert_rows
from socle.directory.models import Person
from socle.portal.models import Trace

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
PARIS_SUMMER = dt.timezone(dt.timedelta(hours=2))

Row = dict[str, Any]


def full_row(model: type[models.Model], **given: Any) -> Row:
    """Every column but the key, as an unsaved instance holds them (the PRONOTE importer's
    inserts give no default: every column is listed)."""
    instance = model(**given)
    fields = [f for f in instance._meta.concrete_fields if not f.primary_key]
    return {f.attname: getattr(instance, f.attname) for f in fields}


def write_aaf(model: type[models.Model], rows: list[Row]) -> None:
    insert_rows(model, rows)


def write_pronote(model: type[models.Model], rows: list[Row]) -> None:
    fields = list(rows[0])
    insert_rows(model, (tuple(row[f] for f in fields) for row in rows), fields)


def write_cas(model: type[models.Model], rows: list[Row]) -> None:
    """As ``socle.cas.tickets.db`` writes a ticket: a statement whose parameters are each
    value as the field would write it on this thread's connection."""
    conn = connections[DEFAULT_DB_ALIAS]
    quote = conn.ops.quote_name
    for row in rows:
        columns = [model._meta.get_field(name) for name in row]
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(f.column) for f in columns)}) "  # type: ignore[union-attr]
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        adapters = [adapter(field, conn) for field in columns]
        params = [
            value if adapt is None else adapt(value)
            for value, adapt in zip(row.values(), adapters, strict=True)
        ]
        with conn.cursor() as cursor:
            cursor.execute(sql, params)


WRITERS: dict[str, Callable[[type[models.Model], list[Row]], None]] = {
    "aaf": write_aaf,
    "pronote": write_pronote,
    "cas": write_cas,
}


@pytest.fixture(params=sorted(WRITERS))
def writer(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def write(writer: str, model: type[models.Model], rows: list[Row]) -> None:
    WRITERS[writer](model, rows)


def trace(detail: str, **fields: Any) -> Row:
    return full_row(Trace, **{"at": AT, "event": "login", "detail": detail, **fields})


def person(login: str, **fields: Any) -> Row:
    return full_row(Person, login=login, last_name="Martin", updated_at=AT, **fields)


def raw(sql: str, params: list[Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_it_writes_an_aware_datetime_as_the_same_instant(writer: str) -> None:
    """SQLite keeps text: the instant in UTC, without offset (as the ORM writes it);
    PostgreSQL a ``timestamptz``."""
    write(writer, Trace, [trace("summer", at=dt.datetime(2026, 9, 1, 10, 0, tzinfo=PARIS_SUMMER))])
    assert Trace.objects.get().at == AT
    stored = raw("SELECT CAST(at AS TEXT) FROM portal_trace WHERE detail = %s", ["summer"])
    if connection.vendor == "sqlite":
        assert stored == "2026-09-01 08:00:00"
    else:
        assert stored.startswith("2026-09-01 08:00:00+00")


def test_it_writes_a_naive_datetime_as_given(writer: str) -> None:
    """No conversion from the current time zone (the ORM's would warn and convert): SQLite
    stores its text, PostgreSQL reads it in the connection's zone (UTC)."""
    write(writer, Trace, [trace("naive", at=dt.datetime(2026, 9, 1, 8, 0))])
    assert Trace.objects.get().at == AT
    if connection.vendor == "sqlite":
        assert raw("SELECT CAST(at AS TEXT) FROM portal_trace", []) == "2026-09-01 08:00:00"


def test_it_writes_none_as_null_in_date_and_datetime_fields(writer: str) -> None:
    write(writer, Person, [person("sans.dates", birth_date=None, activated_at=None)])
    assert raw("SELECT birth_date IS NULL AND activated_at IS NULL FROM directory_person", [])


def test_it_writes_dates(writer: str) -> None:
    write(writer, Person, [person("avec.date", birth_date=dt.date(2011, 2, 28))])
    assert Person.objects.get().birth_date == dt.date(2011, 2, 28)
    if connection.vendor == "sqlite":
        assert raw("SELECT CAST(birth_date AS TEXT) FROM directory_person", []) == "2011-02-28"


def test_it_passes_a_datetime_given_as_text_through(writer: str) -> None:
    """Anything but a datetime goes to the database as it is, which reads the text (before
    ``socle.core.fastsql``, the PRONOTE and CAS writers handed it to SQLite's adapter, which
    raised ``AttributeError``: none of them writes text there)."""
    write(writer, Trace, [trace("text", at="2026-09-01 08:00:00")])
    assert Trace.objects.get().at == AT


def test_it_writes_json_values(writer: str) -> None:
    nested = {"uid": ["é", None, 3], "vide": []}
    write(writer, Person, [person("json.1", aaf_staff_inputs=nested)])
    assert Person.objects.get().aaf_staff_inputs == nested


def test_it_writes_empty_lists_row_after_row(writer: str) -> None:
    """Most rows of a PRONOTE import hold ``[]`` in four JSON fields: its writer adapts it
    once and hands the same adapted value to every row."""
    write(writer, Person, [person(f"vide.{i}", aaf_staff_inputs=[]) for i in range(3)])
    assert list(Person.objects.values_list("aaf_staff_inputs", flat=True)) == [[], [], []]


def test_it_writes_a_json_none_as_sql_null(writer: str) -> None:
    """As the ORM's ``save`` does (before ``socle.core.fastsql``, the PRONOTE importer's writer
    stored JSON ``null``; its rows never hold ``None``)."""
    write(writer, Person, [person("json.none", aaf_staff_inputs=None)])
    assert raw("SELECT aaf_staff_inputs IS NULL FROM directory_person", [])
    assert Person.objects.get().aaf_staff_inputs is None


def test_it_reuses_the_adapted_empty_list() -> None:
    adapt = adapter(Person._meta.get_field("aaf_staff_inputs"), connections[DEFAULT_DB_ALIAS])
    assert adapt is not None
    assert adapt([]) is adapt([])
    assert adapt(["x"]) is not adapt([])


def test_it_writes_ip_addresses_as_the_orm_does(writer: str) -> None:
    """A blank address is NULL (PostgreSQL's inet refuses ""), an IPv6 one in its short
    form."""
    given = ["", "2001:0DB8:0000:0000:0000:0000:0000:0001", "192.0.2.7", None]
    write(writer, Trace, [trace(f"fast {i}", client_ip=ip) for i, ip in enumerate(given)])
    for i, ip in enumerate(given):
        Trace(**trace(f"orm {i}", client_ip=ip)).save()
    stored = dict(Trace.objects.values_list("detail", "client_ip"))
    assert [stored[f"fast {i}"] for i in range(4)] == [stored[f"orm {i}"] for i in range(4)]
    assert stored["fast 0"] is None and stored["fast 1"] == "2001:db8::1"
