"""The ticket store cannot be reached (Redis down): the browser-facing CAS pages answer a French
503 with ``Retry-After``, never the generic 500, and a logout forgets this browser's sessions
all the same (a shared school computer)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from lxml import html

from socle.cas.fasthop import FastHop
from socle.cas.views import common
from socle.core import csp
from tests.cas.conftest import SERVICE_URL, cas_login
from tests.cas.test_fasthop import Spy, hop_environ
from tests.cas.wsgi import run
from tests.core.test_logfilters import console_lines

DOWN = "redis://127.0.0.1:1/0"  # nothing listens there: connection refused at once


@pytest.fixture
def store_down(settings) -> None:
    """The ticket store on an unreachable Redis (Django's sessions and cache stay as they are)."""
    settings.SOCLE_CAS_TICKET_REDIS_URL = DOWN


def assert_unavailable(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Service momentanément indisponible" in response.content.decode()


@pytest.mark.parametrize("query", ["", f"?service={SERVICE_URL}"])
def test_the_login_page_says_unavailable(store_down, service, query):
    client = Client(raise_request_exception=False)
    client.cookies["socle_tgc"] = "TGC-" + "a" * 40
    assert_unavailable(client.get(f"/cas/login{query}"))


def test_a_login_post_says_unavailable(store_down, pupil, service, caplog):
    client = Client(raise_request_exception=False)
    response = cas_login(client, pupil, SERVICE_URL)
    assert_unavailable(response)
    assert "socle_tgc" not in response.cookies
    assert "store unavailable" in caplog.text
    # One line, Socle's: not Django's « Service Unavailable: /cas/login » again at ERROR.
    assert [r.name for r in console_lines(caplog.records) if r.levelno >= 40] == ["socle.cas"]


def test_a_logout_forgets_the_browsers_sessions_although_the_store_is_down(
    pupil, service, settings, caplog
):
    client = Client(raise_request_exception=False)
    cas_login(client, pupil)
    tgc = client.cookies["socle_tgc"].value
    assert client.cookies["socle_session"].value
    settings.SOCLE_CAS_TICKET_REDIS_URL = DOWN

    response = client.get("/cas/logout")

    assert_unavailable(response)
    assert "Vous êtes déconnecté de ce navigateur" in response.content.decode()
    for name in ("socle_tgc", "socle_session"):
        assert response.cookies[name].value == ""
        assert response.cookies[name]["max-age"] == 0
    assert response.cookies["socle_tgc"]["path"] == "/cas/"
    assert "logout: sessions not ended in the store" in caplog.text
    assert tgc not in caplog.text and tgc[:12] not in caplog.text


def test_the_fast_hop_says_unavailable(store_down, service):
    spy = Spy()
    answer = run(FastHop(spy), hop_environ("TGC-" + "a" * 40))
    assert spy.calls == 0
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "30"
    page = html.fromstring(answer.body)
    assert "Service momentanément indisponible" in page.text_content()
    english = page.xpath("//p[@lang='en']/text()")  # no language chosen: both
    assert english == ["Service temporarily unavailable. Please try again in a few moments."]


def test_it_gives_the_fast_hops_503_page_the_policy_of_the_other_pages(store_down, service):
    """The hop's 503 page is served outside Django's middleware: the policy is one header,
    built with the route's application, the same as the login view's 503 page gets."""
    client = Client(raise_request_exception=False)
    client.cookies["socle_tgc"] = "TGC-" + "a" * 40
    page = client.get(f"/cas/login?service={SERVICE_URL}")
    answer = run(FastHop(Spy()), hop_environ("TGC-" + "a" * 40))
    assert answer.status_code == page.status_code == 503
    assert answer.headers["content-security-policy"] == page["Content-Security-Policy"]
    assert answer.headers["content-security-policy"] == csp.DEFAULT_POLICY


@pytest.mark.parametrize(
    ("setting", "sent"), [("off", None), ("default-src 'none'", "default-src 'none'")]
)
def test_it_follows_the_operators_policy_on_the_fast_hops_503_page(
    store_down, service, settings, setting, sent
):
    settings.SOCLE_CONTENT_SECURITY_POLICY = setting
    answer = run(FastHop(Spy()), hop_environ("TGC-" + "a" * 40))
    assert answer.status_code == 503
    assert answer.headers.get("content-security-policy") == sent


@pytest.mark.parametrize(
    ("path", "marker"),
    [
        ("/cas/serviceValidate", "INTERNAL_ERROR"),
        ("/cas/p3/serviceValidate", "INTERNAL_ERROR"),
        ("/cas/validate", "no\n"),
    ],
)
def test_it_logs_a_validation_on_an_unreachable_store_in_one_line(
    store_down, service, caplog, path, marker
):
    client = Client(raise_request_exception=False)
    answer = client.get(path, {"ticket": "ST-" + "b" * 30, "service": SERVICE_URL})
    assert marker in answer.content.decode()
    [record] = [r for r in caplog.records if "store unavailable" in r.getMessage()]
    assert record.levelname == "ERROR" and "127.0.0.1:1" in record.getMessage()
    assert record.exc_info is None and "Traceback" not in caplog.text


def test_it_says_unavailable_in_both_languages_when_even_the_page_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database down too")

    monkeypatch.setattr(common, "page", broken)
    response = common.unavailable(RequestFactory().get("/cas/login", HTTP_ACCEPT_LANGUAGE="en"))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.content.decode().splitlines() == [
        "Service momentanément indisponible. Réessayez dans quelques instants.",
        "Service temporarily unavailable. Please try again in a few moments.",
    ]


def test_it_answers_a_portal_page_of_a_logged_in_person_with_the_outage_page(
    pupil, settings, caplog
):
    """Every portal page of a session reads its SSO session in the store (socle.cas.middleware):
    Redis down was the 500 page and a traceback per request (socle.core.outage)."""
    client = Client(raise_request_exception=False)
    cas_login(client, pupil)
    settings.SOCLE_CAS_TICKET_REDIS_URL = DOWN
    response = client.get("/")
    assert_unavailable(response)
    assert "serveur des sessions (Redis) injoignable" in response.content.decode()
    assert not [r for r in console_lines(caplog.records) if r.exc_info]


def test_the_login_page_gives_the_reason_as_the_other_outage_pages_do(store_down, service):
    client = Client(raise_request_exception=False)
    client.cookies["socle_tgc"] = "TGC-" + "a" * 40
    response = client.get(f"/cas/login?service={SERVICE_URL}")
    assert_unavailable(response)
    text = html.fromstring(response.content).text_content()
    assert "serveur des sessions (Redis) injoignable ou en échec" in text
