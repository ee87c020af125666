"""Points of the CAS 3.0 specification (and SAML 1.1) found by the second protocol review,
of 2026-12-04: one test each, the answers parsed before anything is asserted."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.test import Client
from lxml import etree

from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.cas.test_saml import NS as SAML
from tests.cas.test_saml import saml_request

CAS = {"cas": "http://www.yale.edu/tp/cas"}


def _validate(path: str, **query: str) -> etree._Element:
    return etree.fromstring(Client().get(path, query).content)


def test_it_asks_the_password_on_renew_despite_the_session_and_the_ticket_passes_renew(
    client, pupil, service
) -> None:
    # §2.1.1 renew: credentials are required "regardless of the existence of a single sign-on
    # session"; the ticket of that login then passes a validation with renew=true (§2.5.1).
    cas_login(client, pupil)
    page = etree.HTML(client.get("/cas/login", {"service": SERVICE_URL, "renew": "true"}).content)
    form = page.find(".//form")
    assert form.find(".//input[@name='password']") is not None
    assert form.find(".//input[@name='renew']").get("value") == "true"
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL, renew="true"))
    root = _validate("/cas/p3/serviceValidate", ticket=ticket, service=SERVICE_URL, renew="true")
    assert root.find("cas:authenticationSuccess", CAS) is not None
    assert root.findtext(".//cas:isFromNewLogin", namespaces=CAS) == "true"


def test_it_answers_no_and_one_line_feed_to_a_failed_cas1_validation(pupil, service) -> None:
    # §2.4.2: "On ticket validation failure: no<LF>".
    response = Client().get("/cas/validate", {"ticket": "ST-unknown", "service": SERVICE_URL})
    assert response.content.decode().split("\n") == ["no", ""]


def test_it_answers_yes_and_the_user_to_a_cas1_validation(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get("/cas/validate", {"ticket": ticket, "service": SERVICE_URL})
    assert response.content.decode().split("\n") == ["yes", pupil.uid, ""]


def test_it_nests_request_denied_under_the_top_level_requester_status(pupil, service) -> None:
    # SAML 1.1 core §3.4.3.1: the topmost StatusCode is Success, VersionMismatch, Requester or
    # Responder; RequestDenied is a second-level code inside it.
    response = Client().post(
        f"/cas/samlValidate?TARGET={SERVICE_URL}",
        saml_request("ST-unknown"),
        content_type="text/xml",
    )
    top = etree.fromstring(response.content).find(".//samlp:Status/samlp:StatusCode", SAML)
    assert top.get("Value") == "samlp:Requester"
    assert [code.get("Value") for code in top] == ["samlp:RequestDenied"]
    message = etree.fromstring(response.content).findtext(".//samlp:StatusMessage", None, SAML)
    assert message.startswith("INVALID_TICKET: ")


def test_it_replaces_a_ticket_the_service_url_already_holds(client, pupil, service) -> None:
    # The service comes back with the stale ticket it was given before: the redirect carries
    # the new ticket alone, and the service validates it with its address without ticket (what
    # CAS clients send) or with the address it gave /login.
    cas_login(client, pupil)
    stale = f"{SERVICE_URL}?ticket=ST-stale&page=2#notes"
    for validated_with in (f"{SERVICE_URL}?page=2", stale):
        location = client.get("/cas/login", {"service": stale})["Location"]
        parts = urlsplit(location)
        query = parse_qs(parts.query)
        assert sorted(query) == ["page", "ticket"] and query["page"] == ["2"]
        assert parts.fragment == "notes"
        (ticket,) = query["ticket"]
        assert ticket != "ST-stale"
        root = _validate("/cas/serviceValidate", ticket=ticket, service=validated_with)
        assert root.findtext(".//cas:user", namespaces=CAS) == pupil.uid


def test_it_keeps_the_query_fragment_and_encoded_characters_of_the_service(
    client, pupil, service
) -> None:
    cas_login(client, pupil)
    url = f"{SERVICE_URL}/caf%C3%A9?q=a%2Fb&x=%26#top"
    location = client.get("/cas/login", {"service": url})["Location"]
    assert location.startswith(f"{SERVICE_URL}/caf%C3%A9?q=a%2Fb&x=%26&ticket=ST-")
    assert location.endswith("#top")
    (ticket,) = parse_qs(urlsplit(location).query)["ticket"]
    root = _validate("/cas/serviceValidate", ticket=ticket, service=url)
    assert root.findtext(".//cas:user", namespaces=CAS) == pupil.uid
