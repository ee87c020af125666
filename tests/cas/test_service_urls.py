"""Service URLs outside ASCII, or with control characters, at ``/cas/login``: the redirect's
``Location`` is always a URI gunicorn can send (RFC 3987 §3.1, Django's ``iri_to_uri``), and a
URL with a control, separator or invisible format character is refused before any ticket."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.test import Client, RequestFactory
from gunicorn.http.wsgi import HEADER_VALUE_RE
from lxml import etree

from socle.cas.fasthop import FastHop
from socle.cas.lean import HOP, lean_middleware
from socle.cas.services import find_service, normalise_url, same_service_url
from socle.core.lean import LeanHandler
from socle.portal.models import Trace
from tests.cas.test_fasthop import Spy as HopSpy
from tests.cas.wsgi import Answer, run
from tests.factories import make_service

BASE = "http://127.0.0.1:8001/pronote/"
NS = {"cas": "http://www.yale.edu/tp/cas"}
# The reviewer's reproductions: a fullwidth x, DEL, and U+2028 LINE SEPARATOR.
WIDE_X = BASE + "\uff58"
WIDE_X_URI = BASE + "%EF%BD%98"


@pytest.fixture
def pronote(school):
    return make_service("pronote", patterns=(BASE + "**",), establishment=school)


@pytest.fixture
def tgc(pupil, pronote) -> str:
    browser = Client()
    browser.post(
        "/cas/login", {"username": pupil.login, "password": "correct horse battery staple"}
    )
    return browser.cookies["socle_tgc"].value


def hop(tgc: str, raw_query: str, *, fast: bool = True) -> Answer:
    """``GET /cas/login?<raw_query>`` with the TGC, through socle.wsgi.application (what
    gunicorn serves: the router, the hop's fast path, its lean chain), or through the Django
    handler of the hop's chain alone (``fast=False``: the login view)."""
    from socle.wsgi import application

    request = RequestFactory().get("/cas/login", HTTP_COOKIE=f"socle_tgc={tgc}")
    environ = dict(request.environ, QUERY_STRING=raw_query)
    return run(application if fast else LeanHandler(lean_middleware(HOP)), environ)


def sendable(value: str) -> bool:
    """Whether gunicorn would send this header value (it raises InvalidHeader otherwise)."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return HEADER_VALUE_RE.fullmatch(value) is not None and value.isascii()


def validate(service_url: str, ticket: str) -> str | None:
    response = Client().get("/cas/serviceValidate", {"service": service_url, "ticket": ticket})
    return etree.fromstring(response.content).findtext(".//cas:user", namespaces=NS)


@pytest.mark.parametrize("fast", [True, False])
def test_a_service_url_outside_ascii_is_redirected_to_as_a_uri(tgc, pupil, fast):
    answer = hop(tgc, "service=" + quote(WIDE_X, safe=":/"), fast=fast)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert sendable(location), location
    assert location.startswith(WIDE_X_URI + "?ticket=ST-")
    ticket = parse_qs(urlsplit(location).query)["ticket"][0]
    # The service validates with the address the browser arrived at: the percent-encoded one.
    assert validate(WIDE_X_URI, ticket) == pupil.uid


def test_the_fast_path_itself_answers_that_hop(tgc):
    spy = HopSpy()
    request = RequestFactory().get("/cas/login", HTTP_COOKIE=f"socle_tgc={tgc}")
    environ = dict(request.environ, QUERY_STRING="service=" + quote(WIDE_X, safe=":/"))
    answer = run(FastHop(spy), environ)
    assert spy.calls == 0 and answer.status_code == 302
    assert sendable(answer.headers["location"])


def test_the_iri_and_its_uri_are_the_same_service_url(pronote):
    assert normalise_url(WIDE_X) == normalise_url(WIDE_X_URI.lower()) == WIDE_X_URI
    assert same_service_url(WIDE_X, WIDE_X_URI)
    assert normalise_url(BASE + "a|b?x={1}") == BASE + "a%7Cb?x=%7B1%7D"
    assert find_service(WIDE_X) == find_service(WIDE_X_URI) == pronote


@pytest.mark.parametrize(
    "char",
    [
        "\x7f",  # DEL
        "\x85",  # NEL, a C1 control
        "\u2028",  # LINE SEPARATOR
        "\u2029",  # PARAGRAPH SEPARATOR
        "\u00a0",  # NO-BREAK SPACE
        "\u202e",  # RIGHT-TO-LEFT OVERRIDE
        "\u200b",  # ZERO WIDTH SPACE
        "\x00",
    ],
)
def test_a_service_url_with_a_control_or_invisible_character_is_refused(char, pronote):
    with pytest.raises(ValueError, match="caractère interdit"):
        normalise_url(f"{BASE}x{char}y")
    assert find_service(f"{BASE}x{char}y") is None


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("encoded", ["x%7F", "x%E2%80%A8y", "x%C2%85y", "x%7Fy%EF%BD%98"])
def test_the_hop_refuses_them_with_its_page_and_issues_no_ticket(tgc, fast, encoded):
    answer = hop(tgc, "service=" + quote(BASE, safe=":/") + encoded, fast=fast)
    assert answer.status_code == 403
    assert "location" not in answer.headers
    assert "Service non autorisé" in answer.body.decode()
    assert not Trace.objects.filter(event="ticket_issued").exists()


def test_the_login_form_refuses_them_too(pupil, pronote):
    page = Client().get("/cas/login", {"service": f"{BASE}x\x7f"})
    assert page.status_code == 403 and "Service non autorisé" in page.content.decode()


def test_a_password_login_redirects_to_the_uri_too(pupil, pronote):
    response = Client().post(
        "/cas/login",
        {"username": pupil.login, "password": "correct horse battery staple", "service": WIDE_X},
    )
    assert response.status_code == 302 and sendable(response["Location"])
    assert response["Location"].startswith(WIDE_X_URI + "?ticket=ST-")


def test_a_validation_with_a_control_character_in_the_service_is_invalid_service(tgc):
    answer = hop(tgc, "service=" + quote(WIDE_X, safe=":/"))
    ticket = parse_qs(urlsplit(answer.headers["location"]).query)["ticket"][0]
    response = Client().get(
        "/cas/serviceValidate", {"service": WIDE_X_URI + "\x7f", "ticket": ticket}
    )
    failure = etree.fromstring(response.content).find("cas:authenticationFailure", NS)
    assert failure.get("code") == "INVALID_SERVICE"
