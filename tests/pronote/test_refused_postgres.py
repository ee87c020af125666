"""The PRONOTE import page and command on PostgreSQL when the server cuts a step short: its
real errors (a statement timeout, a deadlock, the connection terminated), recognised by their
SQLSTATE or text, said in French, the import left as it was. Run by the PostgreSQL pass."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.urls import reverse

from socle.pronote.importer import steps as steps_module
from socle.pronote.models import SessionStatus
from tests.pronote.helpers import ids_of, page_text
from tests.pronote.test_views_refused_writes import at_step_1

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own errors")


def _raising(sql: str):  # type: ignore[no-untyped-def]
    def run(*_args: object, **_kwargs: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    return run


def _raise(code: str) -> str:
    """A PL/pgSQL error of SQLSTATE ``code`` whose text names nothing the code could guess."""
    return f"DO $$ BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '{code}'; END $$"


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("57014", "délai dépassé sur le serveur de base de données"),  # statement timeout
        ("55P03", "délai dépassé sur le serveur de base de données"),  # lock timeout
        ("40P01", "conflit avec une autre écriture au même moment"),  # deadlock
        ("40001", "conflit avec une autre écriture au même moment"),  # serialization failure
    ],
)
def test_it_recognises_postgresql_errors_by_their_sqlstate(
    admin_client, school, monkeypatch, code, said
):
    session, step1 = at_step_1(admin_client, school)
    monkeypatch.setattr(steps_module, "_record_outcomes", _raising(_raise(code)))
    text = page_text(admin_client.post(step1, {"action": "validate"}))
    assert f"La base de données a interrompu l'opération ({said}" in text
    session.refresh_from_db()
    assert session.current_step == 1 and not ids_of(school.est)


@pytest.fixture
def reconnects() -> Iterator[None]:
    yield
    connection.close()  # the test's connection was terminated: the next one opens anew


@pytest.mark.django_db(transaction=True)
def test_it_says_the_connection_was_lost_when_the_server_ends_it_mid_step(
    admin_client, school, monkeypatch, reconnects
):
    """The server ends the connection in the step's transaction (a restart, an administrator's
    pg_terminate_backend): Django reconnects after the rolled-back transaction, the step page
    is shown again saying so, and the step is resumable."""
    session, step1 = at_step_1(admin_client, school)
    monkeypatch.setattr(
        steps_module, "_record_outcomes", _raising("SELECT pg_terminate_backend(pg_backend_pid())")
    )
    response = admin_client.post(step1, {"action": "validate"})
    assert response.status_code == 200
    text = page_text(response)
    assert "(connexion au serveur de base de données perdue" in text
    assert "Étape 1/6 : rapprochement des enseignants" in text
    monkeypatch.undo()
    session.refresh_from_db()
    assert session.current_step == 1 and session.status == SessionStatus.IN_PROGRESS
    assert not ids_of(school.est)
    response = admin_client.post(step1, {"action": "validate"})
    assert response["Location"] == reverse("pronote:step", args=[session.pk, 2])
