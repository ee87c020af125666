"""Successful validations in every protocol version, proxying and the race."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from lxml import etree

from socle.cas.tickets import get_store
from socle.cas.tickets.db import DatabaseStore
from tests.cas.conftest import SERVICE_URL, cas_login, issue_ticket, ticket_from
from tests.factories import make_person, make_service

NS = {"cas": "http://www.yale.edu/tp/cas"}


def test_it_answers_yes_and_the_user_for_cas1(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get("/cas/validate", {"ticket": ticket, "service": SERVICE_URL})
    assert response.content.decode() == f"yes\n{pupil.uid}\n"


def test_it_releases_listed_attributes_through_cas3(client, pupil, service) -> None:
    service.released_attributes = ["nom", "prenom", "profils", "uai", "classes"]
    service.save()
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get("/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    root = etree.fromstring(response.content)
    attrs = root.find("cas:authenticationSuccess/cas:attributes", NS)
    assert attrs.findtext("cas:nom", namespaces=NS) == "Martin"
    assert attrs.findtext("cas:uai", namespaces=NS) == "0312609T"
    assert attrs.findtext("cas:classes", namespaces=NS) == "4A"
    assert attrs.findtext("cas:profils", namespaces=NS) == "National_ELV"
    assert attrs.find("cas:login", NS) is None  # not listed, not released


def test_it_sends_no_attributes_through_cas2(client, pupil, service) -> None:
    service.released_attributes = ["nom"]
    service.save()
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    root = etree.fromstring(response.content)
    assert root.find(".//cas:attributes", NS) is None


def test_it_answers_json_successes(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get(
        "/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE_URL, "format": "json"}
    )
    body = json.loads(response.content)["serviceResponse"]["authenticationSuccess"]
    assert body["user"] == pupil.uid
    assert body["attributes"]["isFromNewLogin"] == ["true"]


def test_it_sends_the_login_or_a_pairwise_id_when_configured(client, pupil, service) -> None:
    service.username_mode = "login"
    service.save()
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get("/cas/validate", {"ticket": ticket, "service": SERVICE_URL})
    assert response.content.decode() == f"yes\n{pupil.login}\n"
    service.username_mode = "pairwise"
    service.save()

    def validated_after_a_hop() -> bytes:
        hop = ticket_from(client.get("/cas/login", {"service": SERVICE_URL}))
        return Client().get("/cas/validate", {"ticket": hop, "service": SERVICE_URL}).content

    first, second = validated_after_a_hop(), validated_after_a_hop()
    assert first == second and pupil.uid.encode() not in first


def test_it_accepts_the_service_url_in_another_normal_form(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, "https://appli.example.org:443/accueil"))
    response = Client().get(
        "/cas/serviceValidate", {"ticket": ticket, "service": "https://APPLI.example.org/accueil"}
    )
    assert etree.fromstring(response.content).find("cas:authenticationSuccess", NS) is not None


def test_it_delivers_a_pgt_and_issues_proxy_tickets(client, pupil, service, monkeypatch):
    service.proxy_callback_allowed = True
    service.save()
    backend = make_service("backend", patterns=("https://backend.example.org/**",))
    delivered: dict[str, str] = {}

    def deliver(url: str, pgt_id: str, iou: str) -> bool:
        delivered.update(url=url, pgt=pgt_id, iou=iou)
        return True

    monkeypatch.setattr("socle.cas.answers.deliver_pgt", deliver)
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get(
        "/cas/serviceValidate",
        {"ticket": ticket, "service": SERVICE_URL, "pgtUrl": "https://appli.example.org/pgt"},
    )
    root = etree.fromstring(response.content)
    iou = root.findtext(".//cas:proxyGrantingTicket", namespaces=NS)
    assert iou == delivered["iou"] and iou.startswith("PGTIOU-")
    assert delivered["pgt"].startswith("PGT-")

    proxied = Client().get(
        "/cas/proxy", {"pgt": delivered["pgt"], "targetService": "https://backend.example.org/api"}
    )
    pt = etree.fromstring(proxied.content).findtext(".//cas:proxyTicket", namespaces=NS)
    assert pt.startswith("PT-")
    validated = Client().get(
        "/cas/p3/proxyValidate", {"ticket": pt, "service": "https://backend.example.org/api"}
    )
    root = etree.fromstring(validated.content)
    assert root.findtext(".//cas:user", namespaces=NS) == pupil.uid
    assert root.findtext(".//cas:proxies/cas:proxy", namespaces=NS) == (
        "https://appli.example.org/pgt"
    )
    assert backend.code == "backend"


def test_it_validates_without_pgt_when_the_callback_fails(client, pupil, service, monkeypatch):
    service.proxy_callback_allowed = True
    service.save()
    monkeypatch.setattr("socle.cas.answers.deliver_pgt", lambda *a: False)
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get(
        "/cas/serviceValidate",
        {"ticket": ticket, "service": SERVICE_URL, "pgtUrl": "https://appli.example.org/pgt"},
    )
    root = etree.fromstring(response.content)
    assert root.find("cas:authenticationSuccess", NS) is not None
    assert root.find(".//cas:proxyGrantingTicket", NS) is None


def race(store: DatabaseStore, ticket: str, contenders: int) -> tuple[list, list]:
    """Lets ``contenders`` threads consume one ticket at the same instant."""
    barrier = threading.Barrier(contenders)
    wins: list[object] = []
    failures: list[BaseException] = []

    def attempt() -> None:
        barrier.wait()
        try:
            result = store.consume_ticket(ticket)
            if result is not None:
                wins.append(result)
        except BaseException as exc:  # surfaced by the caller: a lock error is a failure too
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return wins, failures


@pytest.mark.django_db(transaction=True)
def test_it_validates_a_ticket_once_when_two_validations_race() -> None:
    person = make_person("Léa", "Durand")
    service = make_service("course", patterns=("https://course.example.org/**",))
    store = DatabaseStore()
    session = store.create_session(person.pk)
    for _round in range(5):
        ticket = issue_ticket(
            store, person, service, service_url="https://course.example.org/", session_id=session.id
        )
        wins, failures = race(store, ticket, 6)
        assert failures == [] and len(wins) == 1


def test_it_uses_the_database_store_without_redis() -> None:
    assert isinstance(get_store(), DatabaseStore)


@pytest.mark.parametrize("deferred", [False, True])
def test_it_traces_a_refused_ticket_holding_a_nul_character(
    settings, service, deferred: bool
) -> None:
    """``ticket=ST-%00abc``: PostgreSQL refuses a NUL in text, which lost the trace (deferred)
    or answered INTERNAL_ERROR (not deferred). The CAS failure is answered and traced, the
    NUL replaced."""
    from socle.portal import trace_buffer
    from socle.portal.models import Trace

    settings.SOCLE_TRACES_DEFERRED = deferred
    response = Client().get("/cas/serviceValidate?ticket=ST-%00abc&service=" + SERVICE_URL)
    assert response.status_code == 200
    assert b"INVALID_TICKET" in response.content
    trace_buffer.flush()
    assert Trace.objects.get(event="ticket_refused").detail == "INVALID_TICKET ST-\ufffdabc"
