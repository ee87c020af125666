"""SAML 1.1 validation as PRONOTE.net performs it."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.test import Client
from lxml import etree

from tests.cas.conftest import cas_login, ticket_from
from tests.factories import make_service

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS = {
    "soap": SOAP,
    "samlp": "urn:oasis:names:tc:SAML:1.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:1.0:assertion",
}
PRONOTE_URL = "https://0312609t.index-education.net/pronote/eleve.html"
# PRONOTE's console shows <cas>/saml/Validate while PRONOTE.net POSTs to <cas>/samlValidate: both
# must answer alike (tests/cas/test_fastpath.py compares the fast path with Django's on both).
SAML_PATHS = ["/cas/samlValidate", "/cas/saml/Validate"]


def saml_request(ticket: str, request_id: str = "_192.168.16.51.1024506224022") -> bytes:
    return (
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP}"><SOAP-ENV:Header/><SOAP-ENV:Body>'
        '<samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" MajorVersion="1" '
        f'MinorVersion="1" RequestID="{request_id}" IssueInstant="2026-11-23T08:00:00.000Z">'
        f"<samlp:AssertionArtifact>{ticket}</samlp:AssertionArtifact></samlp:Request>"
        "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


@pytest.fixture
def pronote(school):
    return make_service(
        "pronote",
        patterns=("https://0312609t.index-education.net/pronote/**",),
        sso_type="pronote",
        establishment=school,
        released_attributes=["nom", "prenom"],
    )


def post(path: str, body: bytes, target: str = PRONOTE_URL):
    return Client().post(f"{path}?TARGET={target}", body, content_type="text/xml")


def status(response) -> str:
    """The topmost status code, followed by its second-level code when there is one
    (``samlp:Requester/samlp:RequestDenied``)."""
    root = etree.fromstring(response.content)
    top = root.find(".//samlp:Status/samlp:StatusCode", NS)
    nested = top.find("samlp:StatusCode", NS)
    return top.get("Value") + (f"/{nested.get('Value')}" if nested is not None else "")


def test_it_validates_a_ticket_by_saml_with_attributes(client, pupil, pronote) -> None:
    ticket = ticket_from(cas_login(client, pupil, PRONOTE_URL))
    response = post("/cas/samlValidate", saml_request(ticket, "_req42"))
    root = etree.fromstring(response.content)
    saml_response = root.find(".//samlp:Response", NS)
    assert saml_response.get("InResponseTo") == "_req42"
    assert saml_response.get("Recipient") == PRONOTE_URL
    assert root.find(".//saml:Assertion", NS).get("Issuer") == "testserver"
    assert status(response) == "samlp:Success"
    assert root.findtext(".//saml:NameIdentifier", namespaces=NS) == pupil.uid
    attrs = {
        a.get("AttributeName"): [v.text for v in a.findall("saml:AttributeValue", NS)]
        for a in root.iterfind(".//saml:Attribute", NS)
    }
    assert attrs["nom"] == ["Martin"] and attrs["prenom"] == ["Camille"]
    assert root.find(".//saml:AuthenticationStatement", NS).get("AuthenticationMethod") == (
        "urn:oasis:names:tc:SAML:1.0:am:password"
    )


@pytest.mark.parametrize("path", ["/cas/saml/Validate", "/cas/SAML/validate", "/cas/saml/VALIDATE"])
def test_it_answers_on_the_alias_pronote_writes_in_any_case(client, pupil, pronote, path):
    ticket = ticket_from(cas_login(client, pupil, PRONOTE_URL))
    assert status(post(path, saml_request(ticket))) == "samlp:Success"


def comparable(response) -> tuple[int, str, bytes]:
    """Status, type and body of an answer, its random ids and instants blanked."""
    root = etree.fromstring(response.content)
    for element in root.iter():
        for name in list(element.attrib):
            if name.endswith(("ResponseID", "AssertionID", "Instant")) or name.startswith("Not"):
                element.set(name, "…")
    return response.status_code, response["Content-Type"], etree.tostring(root)


def test_the_alias_answers_exactly_as_saml_validate(client, pupil, pronote) -> None:
    answers = []
    for path in SAML_PATHS:
        ticket = ticket_from(cas_login(Client(), pupil, PRONOTE_URL))
        answers.append(comparable(post(path, saml_request(ticket, "_req42"))))
    assert answers[0] == answers[1]
    assert b"samlp:Success" in answers[0][2] and pupil.uid.encode() in answers[0][2]


@pytest.mark.parametrize("path", SAML_PATHS)
def test_it_denies_a_replayed_ticket_by_saml(client, pupil, pronote, path) -> None:
    ticket = ticket_from(cas_login(client, pupil, PRONOTE_URL))
    post(path, saml_request(ticket))
    replay = post(path, saml_request(ticket))
    assert status(replay) == "samlp:Requester/samlp:RequestDenied"
    assert etree.fromstring(replay.content).find(".//saml:Assertion", NS) is None


def test_a_ticket_validated_on_one_path_is_spent_on_the_other(client, pupil, pronote) -> None:
    ticket = ticket_from(cas_login(client, pupil, PRONOTE_URL))
    assert status(post("/cas/saml/Validate", saml_request(ticket))) == "samlp:Success"
    assert (
        status(post("/cas/samlValidate", saml_request(ticket)))
        == "samlp:Requester/samlp:RequestDenied"
    )


@pytest.mark.parametrize("path", SAML_PATHS)
def test_it_denies_a_ticket_for_another_target(client, pupil, pronote, path) -> None:
    ticket = ticket_from(cas_login(client, pupil, PRONOTE_URL))
    response = post(path, saml_request(ticket), target="https://other.test/")
    assert status(response) == "samlp:Requester/samlp:RequestDenied"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<not-xml",
        b"<a><b></a>",
        b"<x/>",
        saml_request("").replace(b"<samlp:AssertionArtifact></samlp:AssertionArtifact>", b""),
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        b"<a>" * 50_000,
    ],
)
@pytest.mark.parametrize("path", SAML_PATHS)
def test_it_answers_a_saml_error_for_malformed_requests(pronote, body: bytes, path: str) -> None:
    response = post(path, body)
    assert response.status_code == 200
    assert status(response) == "samlp:Requester"
    assert b"root:" not in response.content


@pytest.mark.parametrize("path", SAML_PATHS)
def test_it_refuses_get_on_saml_validate(pronote, path: str) -> None:
    assert Client().get(path).status_code == 405


def test_it_names_the_service_as_audience_and_recipient_within_a_validity_window(
    client, pupil, pronote
) -> None:
    """What a SAML 1.1 relying party (PRONOTE.net, pronotesim) checks: the answer is for the
    ``TARGET`` it sent — ``Recipient`` and ``AudienceRestrictionCondition/Audience``, the exact
    URL, query included — and the assertion is valid now (``NotBefore`` ≤ issue instant <
    ``NotOnOrAfter``)."""
    target = PRONOTE_URL + "?fd=1&login=false"
    ticket = ticket_from(cas_login(client, pupil, target))
    response = Client().post(
        "/cas/samlValidate?" + urlencode({"TARGET": target}),
        saml_request(ticket),
        content_type="text/xml",
    )
    root = etree.fromstring(response.content)
    assert status(response) == "samlp:Success"
    assert root.find(".//samlp:Response", NS).get("Recipient") == target
    audiences = root.findall(
        ".//saml:Conditions/saml:AudienceRestrictionCondition/saml:Audience", NS
    )
    assert [audience.text for audience in audiences] == [target]
    conditions = root.find(".//saml:Conditions", NS)
    issued = root.find(".//saml:Assertion", NS).get("IssueInstant")

    def instant(value: str) -> dt.datetime:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))

    not_before = instant(conditions.get("NotBefore"))
    not_after = instant(conditions.get("NotOnOrAfter"))
    assert not_before <= instant(issued) < not_after
