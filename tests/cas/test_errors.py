"""Every CAS 3.0 error code, as real clients see it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client, override_settings
from lxml import etree

from socle.cas.models import Ticket
from socle.cas.tickets import get_store
from socle.cas.tickets.db import DatabaseStore
from tests.cas.conftest import SERVICE_URL, cas_login, issue_ticket, ticket_from
from tests.factories import make_service

NS = {"cas": "http://www.yale.edu/tp/cas"}


def failure_code(response) -> str:
    root = etree.fromstring(response.content)
    failure = root.find("cas:authenticationFailure", NS)
    if failure is None:
        failure = root.find("cas:proxyFailure", NS)
    assert failure is not None, response.content
    return failure.get("code")


def fresh_ticket(client: Client, pupil, service_url: str = SERVICE_URL) -> str:
    return ticket_from(cas_login(client, pupil, service_url))


@pytest.mark.parametrize("params", [{}, {"ticket": "ST-x"}, {"service": SERVICE_URL}])
def test_it_answers_invalid_request_when_a_parameter_is_missing(params, service) -> None:
    assert failure_code(Client().get("/cas/serviceValidate", params)) == "INVALID_REQUEST"


def test_it_answers_invalid_ticket_for_an_unknown_ticket(service) -> None:
    response = Client().get("/cas/serviceValidate", {"ticket": "ST-nope", "service": SERVICE_URL})
    assert failure_code(response) == "INVALID_TICKET"


def test_it_answers_invalid_ticket_for_an_expired_ticket(client, pupil, service) -> None:
    ticket = fresh_ticket(client, pupil)
    Ticket.objects.filter(id=ticket).update(
        expires_at=Ticket.objects.get(id=ticket).created_at - dt.timedelta(seconds=1)
    )
    response = Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    assert failure_code(response) == "INVALID_TICKET"


def test_it_answers_invalid_service_for_a_ticket_of_another_service(client, pupil, service):
    make_service("autre", patterns=("https://autre.example.org/**",))
    ticket = fresh_ticket(client, pupil)
    response = Client().get(
        "/cas/serviceValidate", {"ticket": ticket, "service": "https://autre.example.org/"}
    )
    assert failure_code(response) == "INVALID_SERVICE"
    # The failed attempt consumed it: the right service cannot use it either.
    again = Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    assert failure_code(again) == "INVALID_TICKET"


def test_it_answers_invalid_ticket_spec_for_a_proxy_ticket_on_service_validate(pupil, service):
    store = get_store()
    session = store.create_session(pupil.pk)
    pt = issue_ticket(
        store, pupil, service, prefix="PT", session_id=session.id, from_new_login=False
    )
    response = Client().get("/cas/serviceValidate", {"ticket": pt, "service": SERVICE_URL})
    assert failure_code(response) == "INVALID_TICKET_SPEC"


def test_it_answers_invalid_ticket_when_renew_meets_an_sso_ticket(client, pupil, service):
    # §2.5.3: INVALID_TICKET covers "the ticket did not come from an initial login and renew
    # was set on validation".
    cas_login(client, pupil)
    sso_ticket = ticket_from(client.get("/cas/login", {"service": SERVICE_URL}))
    response = Client().get(
        "/cas/serviceValidate", {"ticket": sso_ticket, "service": SERVICE_URL, "renew": "true"}
    )
    assert failure_code(response) == "INVALID_TICKET"


def test_it_accepts_renew_with_a_ticket_from_a_fresh_login(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL, renew="true"))
    response = Client().get(
        "/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE_URL, "renew": "true"}
    )
    root = etree.fromstring(response.content)
    assert root.findtext(".//cas:isFromNewLogin", namespaces=NS) == "true"


def test_it_answers_unauthorized_service_proxy_when_the_service_may_not_proxy(
    client, pupil, service
) -> None:
    ticket = fresh_ticket(client, pupil)
    response = Client().get(
        "/cas/serviceValidate",
        {"ticket": ticket, "service": SERVICE_URL, "pgtUrl": "https://appli.example.org/pgt"},
    )
    assert failure_code(response) == "UNAUTHORIZED_SERVICE_PROXY"


def test_it_answers_invalid_proxy_callback_for_a_plain_http_callback(client, pupil, service):
    service.proxy_callback_allowed = True
    service.save()
    ticket = fresh_ticket(client, pupil)
    response = Client().get(
        "/cas/serviceValidate",
        {"ticket": ticket, "service": SERVICE_URL, "pgtUrl": "http://appli.example.org/pgt"},
    )
    assert failure_code(response) == "INVALID_PROXY_CALLBACK"


def test_it_answers_invalid_proxy_callback_for_an_unregistered_callback(client, pupil, service):
    service.proxy_callback_allowed = True
    service.save()
    ticket = fresh_ticket(client, pupil)
    response = Client().get(
        "/cas/serviceValidate",
        {"ticket": ticket, "service": SERVICE_URL, "pgtUrl": "https://evil.example.com/pgt"},
    )
    assert failure_code(response) == "INVALID_PROXY_CALLBACK"


def test_it_answers_internal_error_when_the_store_breaks(client, pupil, service, monkeypatch):
    ticket = fresh_ticket(client, pupil)

    def broken(self, ticket_id):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(DatabaseStore, "consume_ticket", broken)
    response = Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    assert failure_code(response) == "INTERNAL_ERROR"
    assert b"disk on fire" not in response.content


def test_it_answers_unauthorized_service_for_a_proxy_to_an_unknown_target(pupil, service):
    pgt = get_store().create_pgt(
        person_id=pupil.pk,
        session_id=None,
        service_id=service.pk,
        callback_url="https://appli.example.org/pgt",
        proxies=[],
    )
    response = Client().get("/cas/proxy", {"pgt": pgt.id, "targetService": "https://x.test/"})
    assert failure_code(response) == "UNAUTHORIZED_SERVICE"


def test_it_answers_invalid_ticket_for_an_unknown_pgt(service) -> None:
    response = Client().get("/cas/proxy", {"pgt": "PGT-nope", "targetService": SERVICE_URL})
    assert failure_code(response) == "INVALID_TICKET"


def test_it_answers_json_failures_when_asked(service) -> None:
    response = Client().get("/cas/serviceValidate", {"service": SERVICE_URL, "format": "JSON"})
    body = json.loads(response.content)
    assert body["serviceResponse"]["authenticationFailure"]["code"] == "INVALID_REQUEST"


def test_it_answers_no_for_cas1_failures(service) -> None:
    response = Client().get("/cas/validate", {"ticket": "ST-x", "service": SERVICE_URL})
    assert response.content == b"no\n"


@override_settings(SOCLE_CAS_ST_LIFETIME=1)
def test_it_never_returns_500_for_absurdly_long_values(service) -> None:
    long = "A" * 100_000
    for path in ("/cas/serviceValidate", "/cas/p3/serviceValidate", "/cas/proxyValidate"):
        response = Client().get(path, {"ticket": long, "service": long})
        assert response.status_code == 200
        assert failure_code(response) in {"INVALID_REQUEST", "INVALID_TICKET"}
    assert Client().get("/cas/login", {"service": long}).status_code == 400
    assert Client().get("/cas/validate", {"ticket": long, "service": long}).status_code == 200
