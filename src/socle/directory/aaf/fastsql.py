"""Plain SQL for bulk imports: deletes and ``IN`` reads by chunks.

The ORM spends more time preparing a 1,000-value ``IN`` list, or collecting related rows before a
delete, than the database spends answering. The import's plain inserts are
``socle.core.fastsql.insert_rows`` (``COPY`` on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models


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
