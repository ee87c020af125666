"""A database that refuses every write (a SQLite file or folder read-only, its disk full): logging
in, at the portal or at the CAS, and browsing with an existing session answer a French 503 with
``Retry-After``, never the 500 page, nor the 400 « Demande refusée » Django's session middleware
answers when it cannot save a session (socle.core.db_sessions, socle.core.outage).

The refusal is simulated on the test's own connection: every INSERT, UPDATE or DELETE raises the
error SQLite raises for a read-only file. The tests run outside a transaction (``transaction=True``)
as the server does: a refused write inside the test's transaction would break it for the rest."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session as DjangoSession
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.utils import timezone
from lxml import html

from socle.cas.models import SsoSession, Ticket
from socle.core.db_sessions import SessionStore
from socle.directory.models import Person
from socle.directory.profiles import Profile
from tests.cas.wsgi import run
from tests.core.test_logfilters import console_lines
from tests.factories import DEFAULT_PASSWORD, make_establishment, make_person, make_service

pytestmark = pytest.mark.django_db(transaction=True)

SERVICE_URL = "https://appli.example.org/accueil"
READ_ONLY = "attempt to write a readonly database"  # SQLite's words, chmod 444 on the file
WRITES = ("INSERT", "UPDATE", "DELETE")


@contextlib.contextmanager
def read_only(table: str = "") -> Iterator[None]:
    """Every write refused as by a read-only SQLite file (only those naming ``table``, if given)."""

    def refuse(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        named = not table or f'"{table}"' in sql
        if named and sql.lstrip().upper().startswith(WRITES):
            raise OperationalError(READ_ONLY)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


@pytest.fixture(autouse=True)
def _everything_in_the_database(settings: Any) -> None:
    """A node without Redis (SQLite's case): the sessions and the CAS's tickets in the database,
    also in the PostgreSQL + Redis pass of the suite."""
    settings.SESSION_ENGINE = "socle.core.db_sessions"
    settings.SOCLE_CAS_TICKET_REDIS_URL = ""


@pytest.fixture
def pupil() -> Person:
    school = make_establishment(uai="0312609T")
    make_service("appli", patterns=("https://appli.example.org/**",))
    return make_person("Camille", "Martin", establishment=school, class_name="4A")


def browser() -> Client:
    return Client(raise_request_exception=False)


def log_in(client: Client, person: Person, **extra: str) -> Any:
    return client.post(
        "/cas/login", {"username": person.login, "password": DEFAULT_PASSWORD, **extra}
    )


def assert_unavailable(answer: Any, body: bytes) -> str:
    """A 503 in French with ``Retry-After``; its text."""
    assert answer.status_code == 503
    text = html.fromstring(body).text_content()
    assert "Service momentanément indisponible" in text
    assert "Une erreur s'est produite" not in text and "Demande refusée" not in text
    return text


@pytest.mark.parametrize("service", ["", SERVICE_URL])
def test_it_answers_a_login_at_the_cas_with_its_503_page(pupil, service, caplog):
    client = browser()
    with read_only():
        answer = log_in(client, pupil, **({"service": service} if service else {}))
    assert_unavailable(answer, answer.content)
    assert answer["Retry-After"] == "30"
    assert "socle_tgc" not in answer.cookies and "socle_session" not in answer.cookies
    assert not SsoSession.objects.exists()
    # One line, Socle's, without traceback; no « Internal Server Error »
    errors = [r for r in console_lines(caplog.records) if r.levelno >= logging.ERROR]
    assert [(r.name, bool(r.exc_info)) for r in errors] == [("socle.cas", False)]


def test_it_answers_the_same_through_the_servers_lean_login_chain(pupil):
    """``socle.wsgi.application`` (what gunicorn serves) sends a newcomer's login POST to the
    lean handler (socle.cas.lean); its errors go to the same handlers."""
    from socle.wsgi import application

    secret = "a" * 32  # an unmasked CSRF secret, as the form's token may be
    form = {"username": pupil.login, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": secret}
    request = RequestFactory().post(
        "/cas/login", form, HTTP_COOKIE=f"socle_csrftoken={secret}", HTTP_ACCEPT_LANGUAGE="fr"
    )
    with read_only():
        answer = run(application, request.environ)
    assert_unavailable(answer, answer.body)
    assert answer.headers["retry-after"] == "30"
    assert not any(cookie.startswith("socle_tgc=") for cookie in answer.cookies)


def test_it_answers_the_portal_page_of_a_session_whose_sso_session_is_due_a_touch(pupil):
    client = browser()
    assert log_in(client, pupil).status_code == 200
    SsoSession.objects.update(last_used_at=timezone.now() - dt.timedelta(minutes=10))
    with read_only():
        answer = client.get("/")
    text = assert_unavailable(answer, answer.content)
    assert answer["Retry-After"] == "30"
    assert "base en lecture seule" in text


def test_it_answers_a_browser_with_an_sso_session_and_no_portal_session_with_a_503(pupil):
    """``/cas/login`` opens the portal's session again for the SSO session's person: it cannot
    be written."""
    first = browser()
    assert log_in(first, pupil).status_code == 200
    client = browser()
    client.cookies["socle_tgc"] = first.cookies["socle_tgc"].value
    with read_only():
        answer = client.get("/cas/login")
    assert_unavailable(answer, answer.content)
    assert "socle_session" not in answer.cookies


def test_it_answers_an_administrators_page_whose_session_cannot_be_saved_with_the_outage_page(
    caplog,
):
    """The « site courant » of the administration pages is kept in the session, saved by the
    session middleware after the view: Django answered 400 « Demande refusée » and logged that
    the session had been deleted by a concurrent request."""
    school = make_establishment("0312609T")
    admin = make_person(
        "Claire", "Dupuis", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )
    client = browser()
    assert log_in(client, admin).status_code == 200
    assert client.get("/gestion/acces/").status_code == 200
    with caplog.at_level(logging.WARNING), read_only():
        answer = client.get("/gestion/acces/")
    text = assert_unavailable(answer, answer.content)
    assert answer["Retry-After"] == "30"
    assert "base en lecture seule" in text
    assert "session was deleted" not in caplog.text
    assert not [r for r in console_lines(caplog.records) if r.exc_info]


@pytest.mark.parametrize("service", ["", SERVICE_URL])
def test_it_answers_a_login_whose_portal_session_alone_cannot_be_written_with_a_503(pupil, service):
    """The portal's session is written after the view, by the session middleware (the disk full
    at that very moment): the outage page, not the 500 page. The SSO session the view opened,
    and the ticket it issued, are ended with it: their cookie and redirect never left."""
    client = browser()
    with read_only(table="django_session"):
        answer = log_in(client, pupil, **({"service": service} if service else {}))
    text = assert_unavailable(answer, answer.content)
    assert answer["Retry-After"] == "30"
    assert "base en lecture seule" in text
    assert "socle_tgc" not in answer.cookies
    assert not DjangoSession.objects.exists()
    assert not SsoSession.objects.exists()
    assert not Ticket.objects.exists()


def test_it_keeps_the_sso_session_of_a_login_that_succeeded(pupil):
    client = browser()
    assert log_in(client, pupil, service=SERVICE_URL).status_code == 302
    assert SsoSession.objects.count() == 1 and Ticket.objects.count() == 1


def test_it_still_refuses_to_save_a_session_deleted_meanwhile():
    """A session row deleted by another request (a logout elsewhere) is Django's ``UpdateError``
    (400) as before: only a database that cannot write is an outage."""
    store = SessionStore()
    store["seen"] = 1
    store.save()
    DjangoSession.objects.all().delete()
    store["seen"] = 2
    with pytest.raises(UpdateError):
        store.save()


def test_it_raises_the_databases_own_error_when_an_existing_session_cannot_be_written():
    store = SessionStore()
    store["seen"] = 1
    store.save()
    store["seen"] = 2
    with read_only(), pytest.raises(OperationalError, match="readonly"):
        store.save()
