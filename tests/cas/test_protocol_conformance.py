"""Points of the CAS 3.0 specification found by the protocol review of 2026-12-04, one test each."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from lxml import etree

from socle.cas.tickets import get_store
from socle.cas.tickets.base import new_ticket_id
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.cas.test_saml import NS as SAML
from tests.cas.test_saml import saml_request
from tests.factories import make_person

CAS = {"cas": "http://www.yale.edu/tp/cas"}


def test_it_issues_tickets_of_letters_digits_and_the_prefix_hyphen_only(
    client, pupil, service
) -> None:
    # §3.7: "all CAS tickets and the value of the ticket-granting cookie MUST contain only
    # characters from the set {A-Z, a-z, 0-9}, and the hyphen character -"; never "_".
    drawn = [new_ticket_id("ST") for _ in range(2000)]
    assert all(re.fullmatch(r"ST-[A-Za-z0-9]{40}", ticket) for ticket in drawn)
    assert len(set(drawn)) == len(drawn)
    response = cas_login(client, pupil, SERVICE_URL)
    session = get_store().get_session(client.cookies["socle_tgc"].value)
    assert session is not None
    for value in (ticket_from(response), session.id):
        assert re.fullmatch(r"(ST|TGC)-[A-Za-z0-9]{40}", value)


def test_it_answers_well_formed_xml_when_a_value_holds_a_character_xml_forbids(
    client, school, service
) -> None:
    # A vertical tab (a soft line break of a spreadsheet cell) and a C0 control in a name made
    # the whole CAS 3 and SAML answers ill-formed: no client could read them.
    person = make_person("Camille", "Mar\x0btin\x01", establishment=school)
    service.released_attributes = ["nom"]
    service.save()
    ticket = ticket_from(cas_login(client, person, SERVICE_URL))
    response = Client().get("/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    root = etree.fromstring(response.content)
    assert root.findtext(".//cas:nom", namespaces=CAS) == "Mar\ufffdtin\ufffd"

    ticket = ticket_from(cas_login(client, person, SERVICE_URL))
    response = Client().post(
        f"/cas/samlValidate?TARGET={SERVICE_URL}", saml_request(ticket), content_type="text/xml"
    )
    root = etree.fromstring(response.content)
    value = root.findtext(".//saml:Attribute[@AttributeName='nom']/saml:AttributeValue", None, SAML)
    assert value == "Mar\ufffdtin\ufffd"


def test_it_answers_well_formed_xml_when_a_parameter_holds_a_control_character() -> None:
    failure = Client().get("/cas/serviceValidate", {"ticket": "ST-\x01", "service": SERVICE_URL})
    root = etree.fromstring(failure.content)
    assert root.find("cas:authenticationFailure", CAS).get("code") == "INVALID_TICKET"

    response = Client().post(
        "/cas/samlValidate?TARGET=https://appli.example.org/%01", b"<x/>", content_type="text/xml"
    )
    root = etree.fromstring(response.content)
    assert (
        root.find(".//samlp:Response", SAML).get("Recipient") == "https://appli.example.org/\ufffd"
    )


@pytest.mark.parametrize("path", ["/cas/serviceValidate", "/cas/p3/proxyValidate"])
def test_it_refuses_a_format_it_does_not_support_and_spends_the_ticket(
    client, pupil, service, path
) -> None:
    # §2.5.1: "If the parameter value is not supported by the CAS server, an error code MUST be
    # returned"; it used to answer a success in XML.
    cas_login(client, pupil)
    ticket = ticket_from(client.get("/cas/login", {"service": SERVICE_URL}))
    query = {"ticket": ticket, "service": SERVICE_URL, "format": "YAML"}
    response = Client().get(path, query)
    assert response["Content-Type"].startswith("application/xml")
    failure = etree.fromstring(response.content).find("cas:authenticationFailure", CAS)
    assert failure.get("code") == "INVALID_REQUEST"
    again = Client().get(path, {"ticket": ticket, "service": SERVICE_URL})
    failure = etree.fromstring(again.content).find("cas:authenticationFailure", CAS)
    assert failure.get("code") == "INVALID_TICKET"  # one validation attempt per ticket (§3.1.1)


@pytest.mark.parametrize("value", ["", "XML", "xml", "JSON", "json"])
def test_it_accepts_the_formats_it_supports_in_any_case(client, pupil, service, value) -> None:
    cas_login(client, pupil)
    ticket = ticket_from(client.get("/cas/login", {"service": SERVICE_URL}))
    query = {"ticket": ticket, "service": SERVICE_URL, "format": value}
    response = Client().get("/cas/serviceValidate", query)
    if value.upper() == "JSON":
        assert "authenticationSuccess" in json.loads(response.content)["serviceResponse"]
    else:
        assert etree.fromstring(response.content).find("cas:authenticationSuccess", CAS) is not None


def test_it_lists_the_standard_attributes_first_in_the_order_of_the_schema(
    client, pupil, service
) -> None:
    # Appendix A: AttributesType is a sequence, authenticationDate,
    # longTermAuthenticationRequestTokenUsed, isFromNewLogin, then any other element.
    service.released_attributes = ["nom", "prenom", "profils"]
    service.save()
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get("/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    attributes = etree.fromstring(response.content).find(".//cas:attributes", CAS)
    names = [etree.QName(element).localname for element in attributes]
    assert names == [
        "authenticationDate",
        "longTermAuthenticationRequestTokenUsed",
        "isFromNewLogin",
        "nom",
        "prenom",
        "profils",
    ]


def test_a_proxy_ticket_tells_when_the_password_was_typed_not_when_it_was_issued(
    client, pupil, service, monkeypatch
) -> None:
    # authenticationDate is the authentication's: a PT gave its own issue time, so a back-end
    # asking for a recent authentication took a two-hour-old login for a fresh one.
    service.proxy_callback_allowed = True
    service.save()
    delivered: list[str] = []
    monkeypatch.setattr(
        "socle.cas.answers.deliver_pgt", lambda url, pgt, iou: delivered.append(pgt) or True
    )
    cas_login(client, pupil)
    session = get_store().get_session(client.cookies["socle_tgc"].value)
    assert session is not None
    ticket = ticket_from(client.get("/cas/login", {"service": SERVICE_URL}))
    query = {"ticket": ticket, "service": SERVICE_URL, "pgtUrl": "https://appli.example.org/pgt"}
    Client().get("/cas/serviceValidate", query)
    target = "https://appli.example.org/backend"
    answer = Client().get("/cas/proxy", {"pgt": delivered[0], "targetService": target})
    pt = etree.fromstring(answer.content).findtext(".//cas:proxyTicket", namespaces=CAS)
    response = Client().get("/cas/p3/proxyValidate", {"ticket": pt, "service": target})
    date = etree.fromstring(response.content).findtext(".//cas:authenticationDate", namespaces=CAS)
    assert dt.datetime.fromisoformat(date) == session.authenticated_at
