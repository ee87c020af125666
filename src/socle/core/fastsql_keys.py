"""Rows written with plain SQL that return their new primary keys (the trace writer's batches,
``socle.portal.trace_buffer``, whose establishments rows need them): the keys' part of
``socle.core.fastsql``, whose module docstring says how values are written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from socle.core.fastsql import (
    Prepared,
    copy_rows,
    default_connection,
    insert_values,
    prepare_rows,
    values_statements,
)

logger = logging.getLogger("socle.core.fastsql")

# Tables whose primary key draws from no sequence ``pg_get_serial_sequence`` finds, seen by
# this process: their rows go by multi-row ``INSERT … RETURNING`` (see below).
_without_sequence: set[str] = set()


def forget_sequences() -> None:
    """Forgets the tables seen without a sequence (tests: a rolled-back ``ALTER``)."""
    _without_sequence.clear()


def insert_rows_returning_ids(
    model: type[models.Model], rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Like :func:`insert_rows` (dicts), and returns the new rows' primary keys, in the rows'
    order: :func:`insert_prepared_returning_ids` of :func:`prepare_rows`."""
    return insert_prepared_returning_ids(prepare_rows(model, rows))


def insert_prepared_returning_ids(prepared: Prepared | None) -> list[int]:
    """Writes rows prepared by :func:`prepare_rows` and returns their new primary keys, in the
    rows' order. Needs an auto-incremented integer primary key; the caller holds a transaction.

    PostgreSQL: the keys are drawn from the table's sequence first (one query), then given
    with the rows to ``COPY``. A table whose key column owns no sequence (a restored database:
    a dump without ``OWNED BY``) draws ``NULL`` keys: noticed at the first batch, logged once,
    and from then on this process writes that table's rows by multi-row
    ``INSERT … RETURNING``.

    SQLite: the keys follow the largest the table ever gave (``AUTOINCREMENT``: its
    ``sqlite_sequence`` row, or its largest key), read in the caller's transaction, which holds
    SQLite's write lock (Django's SQLite transactions begin ``IMMEDIATE`` in Socle,
    ``socle.database_url``): no other writer can take them before the rows are written, with
    the keys, by :func:`insert_values` (no ``RETURNING``: one step per row returned).
    Outside a transaction, multi-row ``INSERT … RETURNING``, whose keys are sorted rather than
    trusted to come back in the order of the ``VALUES`` (neither database promises it)."""
    if prepared is None:
        return []
    model, columns, values = prepared
    conn = default_connection()
    meta = model._meta
    if conn.vendor == "postgresql" and meta.db_table not in _without_sequence:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(values)],
            )
            drawn = [r[0] for r in cursor.fetchall()]
        if None not in drawn:
            ids = sorted(int(pk) for pk in drawn)
            keyed = ([pk, *row] for pk, row in zip(ids, values, strict=True))
            copy_rows(model, [meta.pk, *columns], keyed, conn)
            return ids
        _without_sequence.add(meta.db_table)
        logger.warning(
            "%s.%s ne tire ses clés d'aucune séquence (base restaurée sans OWNED BY ?) : "
            "lignes écrites par INSERT … RETURNING plutôt que COPY dans ce processus",
            meta.db_table,
            meta.pk.column,
        )
    if conn.vendor == "sqlite" and conn.in_atomic_block:
        first = _next_sqlite_key(model, conn)
        ids = list(range(first, first + len(values)))
        keyed_rows = [[pk, *row] for pk, row in zip(ids, values, strict=True)]
        insert_values(model, [meta.pk, *columns], keyed_rows, conn)
        return ids
    return _insert_returning(model, columns, values, conn)


def _next_sqlite_key(model: type[models.Model], conn: BaseDatabaseWrapper) -> int:
    """The key SQLite would give the table's next row: one more than the largest it ever
    gave (Django's auto fields are ``AUTOINCREMENT`` on SQLite, so ``sqlite_sequence``
    exists), or than the largest present."""
    quote = conn.ops.quote_name
    table = model._meta.db_table
    sql = (
        f"SELECT max(coalesce(max({quote(model._meta.pk.column)}), 0),"  # noqa: S608
        " coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))"
        f" FROM {quote(table)}"
    )
    with conn.cursor() as cursor:
        cursor.execute(sql, [table])
        return int(cursor.fetchone()[0]) + 1


def _insert_returning(
    model: type[models.Model],
    columns: Sequence[Any],
    values: Sequence[Sequence[Any]],
    conn: BaseDatabaseWrapper,
) -> list[int]:
    returning = f" RETURNING {conn.ops.quote_name(model._meta.pk.column)}"
    ids: list[int] = []
    with conn.cursor() as cursor:
        for sql, params in values_statements(model, columns, values, conn, returning):
            cursor.execute(sql, params)
            ids.extend(sorted(int(r[0]) for r in cursor.fetchall()))
    return ids
