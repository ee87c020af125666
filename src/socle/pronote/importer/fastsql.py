"""Bulk row writes by ``executemany``. Django's ``bulk_update`` builds one ``CASE WHEN`` per row
and field, and ``bulk_create`` instantiates and prepares every model: seconds for a school's
1,600 rows. One prepared statement executed for many rows costs milliseconds, on SQLite and
PostgreSQL alike. Values still go through each field's ``get_db_prep_save``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

BATCH = 2000


_PLAIN = {
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
    "BooleanField",
}


def _preparers(columns: Sequence[models.Field[Any, Any]]) -> list[Any]:
    """Per column, ``None`` when the Python value is already what the driver takes (text,
    integers, booleans, foreign-key ids), else a one-argument adapter. Dates, datetimes and JSON
    go straight to the backend's ``ops`` adapters (what their fields' ``get_db_prep_value`` ends
    with); anything else through the field itself."""
    real = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the thread-local proxy
    ops = real.ops
    preparers: list[Any] = []
    for field in columns:
        target = getattr(field, "target_field", field) if field.is_relation else field
        kind = target.get_internal_type()
        if kind in _PLAIN:
            preparers.append(None)
        elif kind == "DateField":
            preparers.append(ops.adapt_datefield_value)
        elif kind == "DateTimeField":
            preparers.append(ops.adapt_datetimefield_value)
        elif kind == "JSONField":
            encoder = field.encoder  # type: ignore[attr-defined]
            empty = ops.adapt_json_value([], encoder)  # most rows: adapted once, reused

            def adapt_json(value: Any, encoder: Any = encoder, empty: Any = empty) -> Any:
                return empty if value == [] else ops.adapt_json_value(value, encoder)

            preparers.append(adapt_json)
        else:
            preparers.append(lambda value, field=field: field.get_db_prep_save(value, real))
    return preparers


def _values(
    source: Any, columns: Sequence[models.Field[Any, Any]], preparers: list[Any], get: Any
) -> list[Any]:
    return [
        get(source, f.attname) if prep is None else prep(get(source, f.attname))
        for f, prep in zip(columns, preparers, strict=True)
    ]


def _executemany(sql: str, params: list[list[Any]]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start : start + BATCH])


def update_rows(model: type[models.Model], objects: Iterable[Any], fields: Sequence[str]) -> None:
    """``UPDATE … SET fields WHERE pk`` for each object (like ``bulk_update``); the objects may
    be model instances or any objects with the fields' attribute names and ``pk``."""
    objects = list(objects)
    if not objects:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [cast("models.Field[Any, Any]", meta.get_field(name)) for name in fields]
    preparers = _preparers(columns)
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    # identifiers come from the model's metadata (quoted); every value is a parameter
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    _executemany(
        sql,
        [_values(obj, columns, preparers, getattr) + [obj.pk] for obj in objects],
    )


def insert_rows(
    model: type[models.Model], rows: Iterable[Sequence[Any]], fields: Sequence[str]
) -> None:
    """``INSERT INTO … (fields)`` for each row, a sequence of values in ``fields`` order
    (attribute names, e.g. ``person_id``); fields not listed take no default, so list every
    non-null one."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [next(f for f in meta.concrete_fields if f.attname == name) for name in fields]
    # identifiers from the model's metadata (quoted); every value is a parameter
    names = ", ".join(quote(f.column) for f in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    preparers = _preparers(columns)
    _executemany(
        sql,
        [
            [v if prep is None else prep(v) for v, prep in zip(row, preparers, strict=True)]
            for row in rows
        ],
    )
