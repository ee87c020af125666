"""Plain multi-row INSERTs for bulk imports.

Django's ``bulk_create`` prepares every value of every field through the ORM, which costs more
than the database work itself at 200,000 rows. :func:`insert_rows` builds one parametrised
``INSERT`` per call (SQLite and PostgreSQL alike) and sends rows with ``executemany``: values
are given as Python objects; only dates, datetimes and JSON need the backend's adaptation.
Fields not given get their model default (computed once, or per row for a callable default such
as the person's random uid), so a new field with a default never breaks the import.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

CHUNK = 2000


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:  # type: ignore[type-arg]
    ops = connection.ops
    if isinstance(field, models.JSONField):  # None stays SQL NULL
        return lambda v: field.get_db_prep_save(v, connection)
    if isinstance(field, models.DateTimeField):
        return lambda v: ops.adapt_datetimefield_value(v) if isinstance(v, dt.datetime) else v
    if isinstance(field, models.DateField):
        return lambda v: ops.adapt_datefield_value(v) if isinstance(v, dt.date) else v
    return None


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> int:
    """Inserts ``rows`` (``attname → value`` dicts, all with the same keys) into ``model``'s
    table; returns the count."""
    if not rows:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = [f for f in fields if f.attname in rows[0]]
    missing = [f for f in fields if f.attname not in rows[0]]
    constant = [f for f in missing if not callable(f.default)]
    per_row = [f for f in missing if callable(f.default)]
    ordered = given + constant + per_row
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(f.column) for f in ordered)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(ordered))})"
    )
    names = [f.attname for f in given]
    adapters = [(i, a) for i, f in enumerate(given) if (a := _adapter(f)) is not None]
    constants = []
    for field in constant:
        value = field.get_default()
        adapt = _adapter(field)
        constants.append(adapt(value) if adapt else value)
    factories = [f.get_default for f in per_row]
    count = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            batch = []
            for row in rows[start : start + CHUNK]:
                values = [row[name] for name in names]
                for index, adapt in adapters:
                    values[index] = adapt(values[index])
                values.extend(constants)
                values.extend(factory() for factory in factories)
                batch.append(values)
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def delete_rows(model: type[models.Model], pks: Sequence[int]) -> int:
    """``DELETE FROM model WHERE pk IN (pks)``, in chunks, for a model nothing refers to: no
    signals, no collection of related rows (the import's writes send none; the CAS copies
    expire, see ``socle.portal.access_cache``). Returns the count."""
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(model._meta.pk.column)
    count = 0
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 900):
            chunk = list(pks[start : start + 900])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)  # noqa: S608
            count += len(chunk)
    return count


def rows_in(
    model: type[models.Model],
    columns: Sequence[str],
    key: str,
    values: Sequence[Any],
    *,
    where: str = "",
    params: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """``SELECT columns FROM model WHERE key IN (values) [AND where]``, in chunks: the ORM spends
    more time preparing a 1,000-value ``IN`` list than the database spends answering it.
    ``columns``, ``key`` and the names in ``where`` are field names of ``model``, never input."""
    meta = model._meta
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        field = meta.pk if name == "pk" else meta.get_field(name)
        return quote(str(getattr(field, "column", name)))

    converters = [_converter(meta.pk if name == "pk" else meta.get_field(name)) for name in columns]
    convert = [(i, c) for i, c in enumerate(converters) if c is not None]
    selected = ", ".join(column(name) for name in columns)
    table = quote(meta.db_table)
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), 900):
            chunk = list(values[start : start + 900])
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT {selected} FROM {table} WHERE {column(key)} IN ({marks})"  # noqa: S608
            if where:
                sql += f" AND {where}"
            cursor.execute(sql, [*chunk, *params])
            for row in cursor.fetchall():
                if convert:
                    values_ = list(row)
                    for index, conv in convert:
                        values_[index] = conv(values_[index])
                    row = tuple(values_)
                found.append(row)
    return found


def _converter(field: Any) -> Callable[[Any], Any] | None:
    """Raw cursors return SQLite's storage types: give back what the ORM would."""
    if isinstance(field, models.JSONField):  # text on every backend (Django's own loaders)
        decoder = field.decoder
        return lambda v: json.loads(v, cls=decoder) if isinstance(v, str) else v
    if isinstance(field, models.BooleanField):
        return lambda v: v if v is None else bool(v)
    if isinstance(field, models.DateTimeField):
        return None  # not selected through rows_in
    if isinstance(field, models.DateField):
        return lambda v: dt.date.fromisoformat(v) if isinstance(v, str) else v
    return None
