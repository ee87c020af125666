"""The keep-alive address of the warning before a session ends (WCAG 2.2.1), and where the
warning is drawn: portal and account pages of a logged-in person, never a visitor's page nor the
CAS pages."""

from __future__ import annotations

from typing import Any

from django.test import Client
from lxml import etree

from socle.cas.middleware import SESSION_KEY
from socle.cas.tickets import get_store
from tests.factories import make_person


def _logged_in() -> Client:
    client = Client()
    client.force_login(make_person("Camille", "Martin"))
    return client


def test_it_answers_204_while_logged_in_and_401_once_the_session_has_ended() -> None:
    client = _logged_in()
    response = client.get("/session/prolonger")
    assert response.status_code == 204 and "no-store" in response["Cache-Control"]
    client.logout()
    assert client.get("/session/prolonger").status_code == 401
    assert client.post("/session/prolonger").status_code == 405


def _warning(client: Client, path: str) -> dict[str, str] | None:
    page = etree.HTML(client.get(path).content)
    found = page.xpath("//*[@id='session-timeout']")
    return dict(found[0].attrib) if found else None


def test_it_draws_the_warning_on_a_logged_in_persons_pages_only() -> None:
    client = _logged_in()
    for path in ("/", "/compte/mot-de-passe"):
        warning = _warning(client, path)
        assert warning is not None, path
        assert warning["role"] == "alert" and warning["data-idle"] == "7200"
        assert warning["data-keep-alive"] == "/session/prolonger"
    assert _warning(client, "/compte/mot-de-passe")["data-login-url"] == (  # type: ignore[index]
        "/cas/login?next=%2Fcompte%2Fmot-de-passe"
    )
    assert _warning(client, "/cas/login") is None
    assert _warning(Client(), "/") is None


def test_it_gives_the_warning_the_seconds_left_before_the_sso_sessions_hard_end(
    settings: Any,
) -> None:
    settings.SOCLE_CAS_SESSION_MAX = 900
    person = make_person("Camille", "Martin")
    client = Client()
    client.force_login(person)
    session = client.session
    session[SESSION_KEY] = get_store().create_session(person.id).id
    session.save()
    warning = _warning(client, "/")
    assert warning is not None
    assert 890 <= int(warning["data-hard-end-in"]) <= 900
    assert _warning(_logged_in(), "/")["data-hard-end-in"] == ""  # type: ignore[index]
