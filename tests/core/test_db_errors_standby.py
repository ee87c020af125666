"""A PostgreSQL standby refuses every write with « cannot execute … in a read-only transaction »
(SQLSTATE 25006, psycopg's ``ReadOnlySqlTransaction``): after a failover, while the nodes still
reach the former primary, or on a server set read-only. It was said as a read-only SQLite file
(« droits du fichier de la base ou de son dossier ? »), which sent the operator to the file
system of a server that has no database file; it has its own reason now
(``socle.core.db_errors.write_refused_reason``). The last tests make PostgreSQL refuse for real
(``default_transaction_read_only``): run by the PostgreSQL pass."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.db.utils import InternalError
from django.test import Client
from django.utils import timezone
from lxml import html

from socle.cas.models import SsoSession
from socle.core.db_errors import interrupted_reason, write_refused_reason
from socle.directory.models import Person
from tests.directory.helpers import write_csv
from tests.factories import DEFAULT_PASSWORD, make_establishment, make_person

STANDBY = "base en lecture seule : serveur PostgreSQL de secours ou basculement en cours ?"
SQLITE_FILE = "base en lecture seule (droits du fichier de la base ou de son dossier ?)"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's own refusal"
)


class DriverError(Exception):
    """psycopg's error as Django wraps it: its SQLSTATE on ``sqlstate``."""

    def __init__(self, text: str, sqlstate: str) -> None:
        super().__init__(text)
        self.sqlstate = sqlstate


def wrapped(text: str, sqlstate: str) -> InternalError:
    """Django's ``InternalError`` (psycopg's class for SQLSTATE 25xxx) around the driver's."""
    error = InternalError(text)
    error.__cause__ = DriverError(text, sqlstate)
    return error


def test_it_says_a_standby_refusing_a_write_by_its_sqlstate() -> None:
    error = wrapped("cannot execute INSERT in a read-only transaction", "25006")
    assert write_refused_reason(error) == STANDBY
    assert interrupted_reason(error) is None  # not cut short: refused until mended


def test_it_says_it_by_its_text_without_sqlstate() -> None:
    error = OperationalError("cannot execute UPDATE in a read-only transaction")
    assert write_refused_reason(error) == STANDBY


def test_it_still_says_a_read_only_sqlite_file_as_before() -> None:
    assert write_refused_reason(OperationalError("attempt to write a readonly database")) == (
        SQLITE_FILE
    )


@contextlib.contextmanager
def read_only_server() -> Iterator[None]:
    """Every transaction of the test's connection read-only from now on, as on a standby
    (``default_transaction_read_only``: the setting an operator also uses to freeze a
    primary); the connection set back at the end."""
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET default_transaction_read_only")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_it_says_postgresqls_own_refusal() -> None:
    with read_only_server(), pytest.raises(InternalError) as refused:
        make_establishment("0312609T")
    assert "read-only transaction" in str(refused.value)
    assert write_refused_reason(refused.value) == STANDBY


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_import_on_a_standby_stops_with_that_reason(tmp_path: Path) -> None:
    make_establishment("0312609T")
    source = write_csv(
        tmp_path,
        "profil;nom;prenom;date_naissance;classe;external_id;enfants\n"
        "élève;Martin;Camille;2012-02-01;4A;1;",
    )
    with read_only_server(), pytest.raises(CommandError) as stopped:
        call_command(
            "directory_import",
            str(source),
            uai="0312609T",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    message = str(stopped.value)
    assert message.startswith("Écriture dans la base de données ")
    assert f"impossible : {STANDBY}." in message
    assert "droits du fichier" not in message
    assert not Person.objects.exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_portal_page_on_a_standby_answers_the_503_page_with_that_reason(settings) -> None:
    """A logged-in person's page touches the SSO session (``last_used_at``) once in a while:
    refused by the standby, the outage page says why (``socle.core.outage``)."""
    settings.SESSION_ENGINE = "socle.core.db_sessions"
    settings.SOCLE_CAS_TICKET_REDIS_URL = ""
    person = make_person("Camille", "Martin", establishment=make_establishment("0312609T"))
    client = Client(raise_request_exception=False)
    answer = client.post("/cas/login", {"username": person.login, "password": DEFAULT_PASSWORD})
    assert answer.status_code == 200
    SsoSession.objects.update(last_used_at=timezone.now() - dt.timedelta(minutes=10))
    with read_only_server():
        answer = client.get("/")
    assert answer.status_code == 503
    assert answer["Retry-After"] == "30"
    text = html.fromstring(answer.content).text_content()
    assert "Service momentanément indisponible" in text
    assert STANDBY in text
    assert "droits du fichier" not in text
