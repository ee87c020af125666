"""Rows written with plain SQL, each value adapted as the ORM's ``save`` would write it.

Django's ``bulk_create`` and ``bulk_update`` prepare every value of every field through the
ORM (and ``bulk_update`` builds one ``CASE WHEN`` per row and field), which costs more than the
database work itself at 200,000 rows. Four callers write without them:

- the AAF import: :func:`insert_rows` with dicts of values;
- the trace writer (``socle.portal.trace_buffer``): :func:`prepare_rows`, then
  ``socle.core.fastsql_keys.insert_prepared_returning_ids`` and :func:`insert_prepared`;
- the PRONOTE importer: :func:`insert_rows` with tuples in the order of a list of fields,
  :func:`update_rows`;
- the CAS ticket store (``socle.cas.tickets.db``): one statement's parameters, each adapted by
  :func:`adapter` (found once per connection).

:func:`adapter` decides, once per field (and connection), how its values are written: as they
are (text, numbers, booleans, foreign-key ids), or through the backend's own adapter (what the
field's ``get_db_prep_save`` ends with), without the chain of calls in between:

- datetimes: SQLite stores aware ones as text, the instant in UTC without offset; PostgreSQL
  takes them as they are. A naive datetime is written as given (no conversion from the current
  time zone), anything else (``None``, text) passed through;
- dates: the backend's adapter for a date, anything else passed through;
- JSON: ``None`` is SQL ``NULL`` (as ``save`` writes it), ``[]`` (most rows of an import)
  adapted once and the same value handed to every row;
- IP addresses: a blank one is ``NULL``, an IPv6 one in its short form;
- any other kind: the field's ``get_db_prep_save``.

PostgreSQL receives inserted rows by ``COPY`` (about 2 µs of client CPU a row against 14 for
``executemany``, measured on the trace writer's rows); SQLite by ``executemany``, or, for rows
prepared beforehand (:func:`prepare_rows`, :func:`insert_prepared`), by a few multi-row
``INSERT``: a writer holding SQLite's write turn (``socle.core.sqlite_turn``) prepares its
values before taking it and then runs one statement per chunk, each step of which gives up
the GIL once (``executemany`` or ``RETURNING`` step once a row, and the other threads of the
process, the CAS's validations, may then keep the GIL for Python's switch interval, 5 ms,
while every writer of the node waits for the turn). Fields not
given get their model default (computed once, or per row for a callable default such as the
person's random uid; ``auto_now`` and ``auto_now_add`` fields the time of the call), so a new
field with a default never breaks a writer.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple, cast

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

CHUNK = 2000

Adapt = Callable[[Any], Any]

# Fields whose Python values (str, int, bool) are what the drivers take, as the field's own
# ``get_db_prep_save`` would return them (a foreign key: its target's kind).
_AS_IS = frozenset(
    {
        "CharField",
        "TextField",
        "SlugField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "BigAutoField",
        "AutoField",
        "SmallAutoField",
        "BooleanField",
    }
)


def adapter(field: Any, conn: BaseDatabaseWrapper) -> Adapt | None:
    """How ``field``'s values are written on ``conn``: ``None`` when its Python values are what
    the drivers take, else a one-argument function (see the module's docstring)."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    ops = conn.ops
    if kind in _AS_IS:
        return None
    if kind == "DateTimeField":
        adapt_datetime = ops.adapt_datetimefield_value
        return lambda v: adapt_datetime(v) if isinstance(v, dt.datetime) else v
    if kind == "DateField":
        adapt_date = ops.adapt_datefield_value
        return lambda v: adapt_date(v) if isinstance(v, dt.date) else v
    if kind == "JSONField":
        adapt_json, encoder = ops.adapt_json_value, field.encoder
        empty = adapt_json([], encoder)  # SQLite: the text; PostgreSQL: psycopg's ``Jsonb``
        if hasattr(empty, "obj") and hasattr(empty, "dumps"):
            # dumped once, not at every row by the driver (half a PRONOTE row's COPY CPU)
            dumped = (empty.dumps or json.dumps)(empty.obj)
            data = dumped.encode() if isinstance(dumped, str) else dumped
            empty.dumps = lambda _obj: data

        def json_value(v: Any) -> Any:
            if v is None:
                return None
            if v.__class__ is list and not v:
                return empty
            return adapt_json(v, encoder)

        return json_value
    if kind == "GenericIPAddressField":
        prepare = field.get_prep_value
        return lambda v: prepare(v) or None
    return lambda v: field.get_db_prep_save(v, conn)


def default_connection() -> BaseDatabaseWrapper:
    return connections[DEFAULT_DB_ALIAS]  # this thread's wrapper, not the ``connection`` proxy


def _columns_and_values(
    model: type[models.Model], names: Sequence[str], conn: BaseDatabaseWrapper
) -> tuple[list[Any], Callable[[list[Any]], list[Any]]]:
    """The columns written, ``names``' own first then the defaults of the others (constant
    ones computed once), and a function completing one row's values of ``names`` with them."""
    meta = model._meta
    by_name = {f.attname: f for f in meta.concrete_fields}
    given = [by_name[name] for name in names]
    missing = [f for f in meta.concrete_fields if not f.primary_key and f.attname not in names]
    stamped = [f for f in missing if getattr(f, "auto_now", 0) or getattr(f, "auto_now_add", 0)]
    others = [f for f in missing if f not in stamped]
    per_row = [f for f in others if f.has_default() and callable(f.default)]
    constant = stamped + [f for f in others if f not in per_row]
    adapters = [(i, a) for i, f in enumerate(given) if (a := adapter(f, conn)) is not None]
    constants = []
    now = timezone.now()
    for field in constant:
        value = now if field in stamped else field.get_default()
        adapt = adapter(field, conn)
        constants.append(adapt(value) if adapt else value)
    factories = [f.get_default for f in per_row]

    def complete(values: list[Any]) -> list[Any]:
        for index, adapt in adapters:
            values[index] = adapt(values[index])
        values.extend(constants)
        values.extend(factory() for factory in factories)
        return values

    return given + constant + per_row, complete


def _prepared(
    model: type[models.Model],
    rows: Iterable[Any],
    fields: Sequence[str] | None,
    conn: BaseDatabaseWrapper,
) -> tuple[list[Any], Iterator[list[Any]]] | None:
    """The columns and each row's complete values; ``None`` for no rows."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return None
    every = itertools.chain([first], rows)
    if fields is None:  # dicts: the model's fields among their keys (not its key)
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key and f.attname in first
        ]
        columns, complete = _columns_and_values(model, names, conn)
        return columns, (complete([row[name] for name in names]) for row in every)
    columns, complete = _columns_and_values(model, fields, conn)
    return columns, (complete(list(row)) for row in every)


def column_list(columns: Sequence[Any], conn: BaseDatabaseWrapper) -> str:
    return ", ".join(conn.ops.quote_name(f.column) for f in columns)


class Prepared(NamedTuple):
    """Rows ready to be written: the columns and each row's complete, adapted values."""

    model: type[models.Model]
    columns: list[Any]
    values: list[list[Any]]


def prepare_rows(
    model: type[models.Model], rows: Iterable[Any], fields: Sequence[str] | None = None
) -> Prepared | None:
    """Every value of ``rows`` (as :func:`insert_rows` takes them) computed now, for
    :func:`insert_prepared` or :func:`insert_prepared_returning_ids` to write later with as
    little work as possible (see the module's docstring); ``None`` for no rows."""
    prepared = _prepared(model, rows, fields, default_connection())
    if prepared is None:
        return None
    columns, values = prepared
    return Prepared(model, columns, list(values))


def insert_prepared(prepared: Prepared | None) -> int:
    """Writes rows prepared by :func:`prepare_rows`: ``COPY`` on PostgreSQL, multi-row
    ``INSERT`` elsewhere; returns the count."""
    if prepared is None:
        return 0
    conn = default_connection()
    if conn.vendor == "postgresql":
        return copy_rows(prepared.model, prepared.columns, prepared.values, conn)
    return insert_values(prepared.model, prepared.columns, prepared.values, conn)


def insert_values(
    model: type[models.Model],
    columns: Sequence[Any],
    values: Sequence[Sequence[Any]],
    conn: BaseDatabaseWrapper,
) -> int:
    """``INSERT … VALUES (…), (…), …`` (:func:`values_statements`); returns the count."""
    with conn.cursor() as cursor:
        for sql, params in values_statements(model, columns, values, conn):
            cursor.execute(sql, params)
    return len(values)


def values_statements(
    model: type[models.Model],
    columns: Sequence[Any],
    values: Sequence[Sequence[Any]],
    conn: BaseDatabaseWrapper,
    suffix: str = "",
) -> Iterator[tuple[str, list[Any]]]:
    """Each ``INSERT … VALUES (…), (…), …`` statement (ended by ``suffix``: ``RETURNING …``)
    and its parameters, as many rows a statement as the database takes parameters
    (:func:`rows_per_statement`)."""
    one = f"({', '.join(['%s'] * len(columns))})"
    table = conn.ops.quote_name(model._meta.db_table)
    head = f"INSERT INTO {table} ({column_list(columns, conn)}) VALUES "  # noqa: S608
    step = rows_per_statement(len(columns), conn)
    for start in range(0, len(values), step):
        chunk = values[start : start + step]
        yield head + ", ".join([one] * len(chunk)) + suffix, [v for row in chunk for v in row]


def rows_per_statement(width: int, conn: BaseDatabaseWrapper) -> int:
    """How many rows of ``width`` values one statement may carry: SQLite's own limit on
    parameters when its driver tells it (32,766 since SQLite 3.32; Django's features say 999,
    the limit of older versions), else Django's."""
    limit = conn.features.max_query_params or 65535  # PostgreSQL's, per statement
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        getlimit = getattr(conn.connection, "getlimit", None)  # Python 3.11
        if getlimit is not None:
            import sqlite3

            limit = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(CHUNK, limit // max(1, width)))


def insert_rows(
    model: type[models.Model], rows: Iterable[Any], fields: Sequence[str] | None = None
) -> int:
    """Inserts ``rows`` into ``model``'s table; returns the count. Rows are ``attname → value``
    dicts, all with the same keys (keys that are not fields ignored), or, with ``fields``
    (attribute names, e.g. ``person_id``), sequences of values in that order. ``COPY`` on
    PostgreSQL, ``executemany`` by chunks elsewhere (the rows are read as they are written:
    an import's 200,000 rows are never all in memory at once)."""
    conn = default_connection()
    prepared = _prepared(model, rows, fields, conn)
    if prepared is None:
        return 0
    columns, values = prepared
    if conn.vendor == "postgresql":
        return copy_rows(model, columns, values, conn)
    table = conn.ops.quote_name(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({column_list(columns, conn)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    count = 0
    with conn.cursor() as cursor:
        while chunk := list(itertools.islice(values, CHUNK)):
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def copy_rows(
    model: type[models.Model],
    columns: Sequence[Any],
    values: Iterable[Sequence[Any]],
    conn: BaseDatabaseWrapper,
) -> int:
    """``COPY table (columns) FROM STDIN`` (PostgreSQL), errors raised as Django's; returns
    the count."""
    table = conn.ops.quote_name(model._meta.db_table)
    sql = f"COPY {table} ({column_list(columns, conn)}) FROM STDIN"
    count = 0
    with conn.cursor() as cursor, conn.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        write = copy.write_row
        for row in values:
            write(row)
            count += 1
    return count


def update_rows(model: type[models.Model], objects: Iterable[Any], fields: Sequence[str]) -> None:
    """``UPDATE … SET fields WHERE pk`` for each object (like ``bulk_update``), by
    ``executemany``; the objects may be model instances or any objects with the fields'
    attribute names and ``pk``."""
    objects = list(objects)
    if not objects:
        return
    conn = default_connection()
    meta = model._meta
    quote = conn.ops.quote_name
    columns = [cast("models.Field[Any, Any]", meta.get_field(name)) for name in fields]
    attnames = [f.attname for f in columns]
    adapters = [adapter(f, conn) for f in columns]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    # identifiers come from the model's metadata (quoted); every value is a parameter
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    params = [
        [
            getattr(obj, name) if adapt is None else adapt(getattr(obj, name))
            for name, adapt in zip(attnames, adapters, strict=True)
        ]
        + [obj.pk]
        for obj in objects
    ]
    with conn.cursor() as cursor:
        for start in range(0, len(params), CHUNK):
            cursor.executemany(sql, params[start : start + CHUNK])
