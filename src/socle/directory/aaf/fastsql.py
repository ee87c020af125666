"""Plain multi-row INSERTs for bulk imports.

Django's ``bulk_create`` prepares every value of every field through the ORM, which costs more
than the database work itself at 200,000 rows. :func:`insert_rows` builds one parametrised
``INSERT`` per model (SQLite and PostgreSQL alike) and sends rows with ``executemany``: values
are given as Python objects; only dates and datetimes need the backend's adaptation. Fields not
given get their model default, so a new field with a default never breaks the import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models

CHUNK = 2000


def _adapter(field: models.Field) -> Callable[[Any], Any]:  # type: ignore[type-arg]
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda v: ops.adapt_datetimefield_value(v) if isinstance(v, dt.datetime) else v
    if isinstance(field, models.DateField):
        return lambda v: ops.adapt_datefield_value(v) if isinstance(v, dt.date) else v
    return lambda v: v


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """Inserts ``rows`` (``attname → value`` dicts) into ``model``'s table; returns the count."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    plan = [(f.attname, f.get_default, _adapter(f)) for f in fields]
    count = 0
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(
                [adapt(row[name] if name in row else default()) for name, default, adapt in plan]
            )
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
