"""Rows read with plain SQL, converted as the ORM converts them.

The hot paths that run their statement on a cursor instead of through the ORM's query machinery
(a validation's ``UPDATE … RETURNING`` in ``socle.cas.tickets.db``, a login's person lookup in
``socle.cas.authentication``) still read dates, booleans and JSON as the ORM would: with the
converters the ORM's compiler would apply (the backend's, then the field's), found once per
database connection (a thread's, kept across requests) rather than at every row.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.backends.base.base import BaseDatabaseWrapper

T = TypeVar("T")

# (position in the row, the column's expression, its converters), for the columns that have any
Converters = list[tuple[int, Any, list[Any]]]


def per_connection(
    build: Callable[[BaseDatabaseWrapper], T],
) -> Callable[[BaseDatabaseWrapper], T]:
    """``build(conn)``, computed at the first call for each connection and kept with it."""
    found: weakref.WeakKeyDictionary[BaseDatabaseWrapper, T] = weakref.WeakKeyDictionary()

    def get(conn: BaseDatabaseWrapper) -> T:
        value = found.get(conn)
        if value is None:
            value = found[conn] = build(conn)
        return value

    return get


def converters_for(columns: Sequence[Any], conn: BaseDatabaseWrapper) -> Converters:
    """The converters the ORM's compiler applies to each of ``columns`` on ``conn``."""
    found: Converters = []
    for position, column in enumerate(columns):
        converters = conn.ops.get_db_converters(column) + column.get_db_converters(conn)
        if converters:
            found.append((position, column, converters))
    return found


def convert(values: Sequence[Any], converters: Converters, conn: BaseDatabaseWrapper) -> list[Any]:
    """A row's raw ``values`` as the ORM would read them."""
    row = list(values)
    for position, column, functions in converters:
        value = row[position]
        for function in functions:
            value = function(value, column, conn)
        row[position] = value
    return row
