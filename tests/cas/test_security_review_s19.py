"""Attacks tried by the security review of 2026-12-04 on what the day added to the CAS: the
``warn`` question, ``without_ticket`` and the service URL comparison at validation, SAML's
version check, the pgtUrl's fragment. One test each; those that hold document it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from lxml import etree

from socle.cas.detail_forms import THROTTLED
from socle.cas.services import same_service_url, without_ticket
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.cas.session_aging import end_sessions_at_their_hard_end
from tests.cas.test_saml import NS as SAML
from tests.cas.test_saml import saml_request

CAS = {"cas": "http://www.yale.edu/tp/cas"}


def _validate(ticket: str, service: str) -> etree._Element:
    query = {"ticket": ticket, "service": service}
    return etree.fromstring(Client().get("/cas/p3/serviceValidate", query).content)


def _warn_login(client: Client, pupil: object) -> None:
    cas_login(client, pupil, SERVICE_URL, warn="true")  # type: ignore[arg-type]
    assert client.cookies["socle_warn"].value == "1"


def test_it_answers_version_mismatch_not_an_internal_error_to_a_major_version_in_other_digits(
    client, pupil, service
) -> None:
    # « ² » is a digit to str.isdigit() but not to int(): the check raised ValueError, answered
    # samlp:Responder (an internal error, logged with its traceback) and left the ticket unspent.
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    body = saml_request(ticket).replace(b'MajorVersion="1"', 'MajorVersion="²"'.encode())
    path = f"/cas/samlValidate?TARGET={SERVICE_URL}"
    root = etree.fromstring(Client().post(path, body, content_type="text/xml").content)
    top = root.find(".//samlp:Status/samlp:StatusCode", SAML)
    assert top.get("Value") == "samlp:VersionMismatch"
    assert [code.get("Value") for code in top] == ["samlp:RequestVersionTooHigh"]
    again = Client().post(path, saml_request(ticket), content_type="text/xml")
    top = etree.fromstring(again.content).find(".//samlp:Status/samlp:StatusCode", SAML)
    assert top.get("Value") == "samlp:Requester"  # spent


def test_the_warn_question_cannot_be_framed_by_another_site(client, pupil, service) -> None:
    # Its « Continuer » is one click: a page framing it under a decoy would answer it.
    _warn_login(client, pupil)
    response = client.get("/cas/login", {"service": SERVICE_URL})
    assert b'name="warn_confirmed"' in response.content
    assert response["X-Frame-Options"] == "DENY"


def test_a_forged_warn_answer_without_a_session_issues_no_ticket(client, pupil, service) -> None:
    # The answer is only an answer: without a live SSO session it is the login form.
    _warn_login(client, pupil)
    client.get("/cas/logout")
    response = client.post("/cas/login", {"service": SERVICE_URL, "warn_confirmed": "1"})
    assert "Location" not in response and b'name="password"' in response.content


def test_a_warn_answer_after_the_session_s_hard_end_issues_no_ticket(
    client, pupil, service
) -> None:
    _warn_login(client, pupil)
    form = etree.HTML(client.get("/cas/login", {"service": SERVICE_URL}).content).find(".//form")
    fields = {field.get("name"): field.get("value") for field in form.findall(".//input")}
    end_sessions_at_their_hard_end()
    response = client.post("/cas/login", fields)
    assert "Location" not in response and b'name="password"' in response.content


def test_the_warn_question_cannot_be_skipped_by_another_value_of_the_cookie(
    client, pupil, service
) -> None:
    # A page cannot write an HttpOnly cookie of /cas/; the question is also asked of a browser
    # whose cookie is "1" only, and the fast hop leaves any value of it to the view.
    _warn_login(client, pupil)
    assert client.get("/cas/login", {"service": SERVICE_URL}).status_code == 200
    cookie = client.cookies["socle_warn"]
    assert cookie["httponly"] and cookie["path"] == "/cas/" and cookie["samesite"] == "Lax"


@pytest.mark.parametrize(
    "other",
    [
        "https://appli.example.org/autre",
        "https://appli.example.org/accueil/",
        "https://appli.example.org/accueil?x=1",
        "https://appli.example.org/accueil?ticket=1&x=1",
        "https://appli.example.org/accueil?tick%65t%3Dx=1",
        "https://appli.example.org/accueil;ticket=1",
        "https://appli.example.org:8443/accueil",
        "http://appli.example.org/accueil",
        "https://APPLI.example.org.evil.example/accueil",
    ],
)
def test_a_ticket_does_not_validate_for_another_url_of_the_same_service(
    client, pupil, service, other
) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    root = _validate(ticket, other)
    assert root.find("cas:authenticationSuccess", CAS) is None


@pytest.mark.parametrize(
    ("issued", "validated", "same"),
    [
        # Percent-encoding of an unreserved character, case of scheme and host, default port,
        # and the fragment (never sent to the server) are the same address (RFC 3986 §6.2.2).
        ("https://a.example/p?x=%41", "https://a.example/p?x=A", True),
        ("https://a.example/p#frag", "HTTPS://A.EXAMPLE:443/p", True),
        # A ticket parameter however spelt is no part of the address …
        ("https://a.example/p?tick%65t=ST-old&x=1", "https://a.example/p?x=1", True),
        ("https://a.example/p?x=1&ticket=a&ticket=b", "https://a.example/p?x=1", True),
        # … but a reserved character's encoding, another order or number of duplicate
        # parameters, an encoded « & » inside a value, another case of the name are.
        ("https://a.example/p?next=%2F", "https://a.example/p?next=/", False),
        ("https://a.example/p?a=1&a=2", "https://a.example/p?a=2&a=1", False),
        ("https://a.example/p?a=1&a=1", "https://a.example/p?a=1", False),
        ("https://a.example/p?a=1%26ticket%3Dx", "https://a.example/p?a=1", False),
        ("https://a.example/p?TICKET=1", "https://a.example/p", False),
        ("https://a.example/p?ticket=1#x", "https://a.example/p?x", False),
        # Removing a ticket never changes the host the URL names.
        ("https://a.example?ticket=@b.example/", "https://b.example/", False),
    ],
)
def test_it_compares_service_urls_by_their_normalised_address_without_ticket(
    issued: str, validated: str, same: bool
) -> None:
    assert same_service_url(issued, validated) is same


def test_without_ticket_keeps_the_fragment_and_the_rest_byte_for_byte() -> None:
    url = "https://a.example/p?b=%2f&ticket=ST-1&a=1#ticket=x"
    assert without_ticket(url) == "https://a.example/p?b=%2f&a=1#ticket=x"


def test_the_redirect_carries_one_ticket_whatever_the_stale_one_s_spelling(
    client, pupil, service
) -> None:
    stale = f"{SERVICE_URL}?tick%65t=ST-stale&x=1"
    response = cas_login(client, pupil, stale)
    query = parse_qs(urlsplit(response["Location"]).query)
    assert list(query) == ["x", "ticket"] and query["ticket"][0] != "ST-stale"
    root = _validate(query["ticket"][0], f"{SERVICE_URL}?x=1")
    assert root.findtext(".//cas:user", namespaces=CAS) == pupil.uid


def test_a_throttled_attempt_does_not_record_a_login_no_account_has(pupil, settings) -> None:
    # A school's NAT address locked by its pupils' mistakes: the next pupil who types their
    # password in the login field is refused before any lookup, and the trace kept what was typed.
    from socle.portal.models import Trace

    settings.SOCLE_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    for _ in range(2):
        cas_login(Client(), pupil, password="pas-le-bon")  # type: ignore[arg-type]
    Client().post("/cas/login", {"username": "Soleil-2026!", "password": "camille"})
    Client().post("/cas/login", {"username": pupil.login, "password": "pas-le-bon"})  # type: ignore[attr-defined]
    throttled = Trace.objects.filter(event="login_failed", detail=THROTTLED).order_by("pk")
    assert list(throttled.values_list("actor_login", flat=True)) == ["", pupil.login]  # type: ignore[attr-defined]


def test_a_login_longer_than_any_account_s_is_not_recorded(client) -> None:
    from socle.portal.models import Trace

    typed = "Un mot de passe très long tapé dans le champ identifiant " * 3
    client.post("/cas/login", {"username": typed, "password": "x"})  # refused by the form
    assert not Trace.objects.filter(actor_login__startswith="Un mot").exists()
