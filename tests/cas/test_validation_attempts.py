"""One validation attempt per ticket (CAS 3.0 §3.1.1, §2.5): a request that names a ticket
spends it, whatever is wrong with the rest of the request — a missing ``service`` or ``TARGET``
included — through the views and through the WSGI fast path alike."""

from __future__ import annotations

from typing import Any

import pytest
from defusedxml import ElementTree
from django.test import Client

from socle.cas.fastpath import FastValidation
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.cas.test_fastpath import Spy, environ
from tests.cas.test_saml import saml_request
from tests.cas.wsgi import run

CAS = "{http://www.yale.edu/tp/cas}"
SAML_P = "{urn:oasis:names:tc:SAML:1.0:protocol}"
CAS2_PATHS = (
    "/cas/serviceValidate",
    "/cas/p3/serviceValidate",
    "/cas/proxyValidate",
    "/cas/p3/proxyValidate",
)


def fresh_ticket(pupil: Any) -> str:
    return ticket_from(cas_login(Client(), pupil, SERVICE_URL))


def cas2_code(body: bytes) -> str | None:
    failure = ElementTree.fromstring(body).find(f"{CAS}authenticationFailure")
    return None if failure is None else failure.get("code")


def saml_status(body: bytes) -> str:
    return ElementTree.fromstring(body).find(f".//{SAML_P}StatusCode").get("Value")


@pytest.mark.parametrize("path", CAS2_PATHS)
@pytest.mark.parametrize("service_param", [None, "", "   "])
def test_a_validation_without_service_spends_the_ticket(pupil, service, path, service_param):
    ticket = fresh_ticket(pupil)
    query = (
        {"ticket": ticket}
        if service_param is None
        else {"ticket": ticket, "service": service_param}
    )
    assert cas2_code(Client().get(path, query).content) == "INVALID_REQUEST"
    again = Client().get(path, {"ticket": ticket, "service": SERVICE_URL})
    assert cas2_code(again.content) == "INVALID_TICKET"


def test_a_cas1_validation_without_service_spends_the_ticket(pupil, service):
    ticket = fresh_ticket(pupil)
    assert Client().get("/cas/validate", {"ticket": ticket}).content == b"no\n"
    again = Client().get("/cas/validate", {"ticket": ticket, "service": SERVICE_URL})
    assert again.content == b"no\n"


def test_a_too_long_service_spends_the_ticket_too(pupil, service):
    ticket = fresh_ticket(pupil)
    long = SERVICE_URL + "x" * 3000
    answer = Client().get("/cas/serviceValidate", {"ticket": ticket, "service": long})
    assert cas2_code(answer.content) == "INVALID_REQUEST"
    again = Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    assert cas2_code(again.content) == "INVALID_TICKET"


@pytest.mark.parametrize("path", CAS2_PATHS)
def test_the_fast_path_spends_a_ticket_validated_without_service(pupil, service, path):
    ticket = fresh_ticket(pupil)
    spy = Spy()
    answer = run(FastValidation(spy), environ("GET", path, {"ticket": ticket}))
    assert spy.calls == 0 and cas2_code(answer.body) == "INVALID_REQUEST"
    again = run(
        FastValidation(spy), environ("GET", path, {"ticket": ticket, "service": SERVICE_URL})
    )
    assert cas2_code(again.body) == "INVALID_TICKET"


@pytest.mark.parametrize("fast", [True, False])
def test_a_saml_validation_without_target_spends_the_ticket(pupil, service, fast):
    ticket = fresh_ticket(pupil)
    app = FastValidation(Spy()) if fast else Spy()
    first = run(app, environ("POST", "/cas/samlValidate", {}, saml_request(ticket)))
    assert saml_status(first.body) == "samlp:Requester"
    again = run(
        app, environ("POST", "/cas/samlValidate", {"TARGET": SERVICE_URL}, saml_request(ticket))
    )
    top = ElementTree.fromstring(again.body).find(f".//{SAML_P}Status/{SAML_P}StatusCode")
    assert top.get("Value") == "samlp:Requester"
    assert top.find(f"{SAML_P}StatusCode").get("Value") == "samlp:RequestDenied"
    assert b"INVALID_TICKET" in again.body


def test_a_request_without_ticket_spends_nothing(pupil, service):
    ticket = fresh_ticket(pupil)
    assert cas2_code(Client().get("/cas/serviceValidate", {"service": SERVICE_URL}).content) == (
        "INVALID_REQUEST"
    )
    answer = Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    assert cas2_code(answer.content) is None
