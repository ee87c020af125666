"""socle.core.rows: the ORM's converters for rows read with plain SQL, kept per connection."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from socle.core.rows import convert, converters_for, per_connection
from socle.directory.models import Person
from tests.factories import make_person


def test_it_builds_once_per_connection():
    conn = connections[DEFAULT_DB_ALIAS]  # this thread's, as the hot paths pass it
    built: list[object] = []
    cached = per_connection(lambda conn: built.append(conn) or len(built))
    assert cached(conn) == cached(conn) == 1
    assert built == [conn]


@pytest.mark.django_db
def test_it_reads_a_row_as_the_orm_does():
    person = make_person(birth_date=dt.date(2012, 3, 4))
    columns = [
        Person._meta.get_field(name).get_col(Person._meta.db_table)
        for name in ("id", "birth_date", "is_active")
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, birth_date, is_active FROM directory_person WHERE id = %s", [person.pk]
        )
        row = cursor.fetchone()
    conn = connections[DEFAULT_DB_ALIAS]
    assert convert(row, converters_for(columns, conn), conn) == [
        person.pk,
        dt.date(2012, 3, 4),
        True,
    ]
