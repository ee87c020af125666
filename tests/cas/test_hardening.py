"""Robustness: sessions that expire, purges, server-side failures that still answer in protocol,
cookies over https, the login page's details."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from socle.cas.authentication import profile_hint
from socle.cas.models import ProxyGrantingTicket, SsoSession, Ticket
from socle.cas.tickets import get_store
from socle.cas.tickets.db import DatabaseStore
from socle.cas.views.common import TGC_COOKIE
from tests.cas.conftest import SERVICE_URL, cas_login, issue_ticket, ticket_from
from tests.cas.test_saml import saml_request
from tests.factories import make_person

NS = {
    "cas": "http://www.yale.edu/tp/cas",
    "samlp": "urn:oasis:names:tc:SAML:1.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:1.0:assertion",
}


def test_it_keeps_method_post_through_the_credential_form(client, pupil, service) -> None:
    page = client.get("/cas/login", {"service": SERVICE_URL, "method": "POST"})
    field = etree.HTML(page.content).find(".//input[@name='method']")
    assert field.get("value") == "POST"
    response = cas_login(client, pupil, SERVICE_URL, method="POST")
    assert response.status_code == 200
    form = etree.HTML(response.content).find(".//form")
    assert form.get("action") == SERVICE_URL and form.get("method") == "post"
    ticket = form.find(".//input[@name='ticket']").get("value")
    validated = Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    assert etree.fromstring(validated.content).find("cas:authenticationSuccess", NS) is not None


def test_it_does_not_treat_an_empty_renew_as_renew(client, pupil, service) -> None:
    cas_login(client, pupil)
    response = client.get("/cas/login", {"service": SERVICE_URL, "renew": ""})
    assert response.status_code == 302


def test_it_shows_the_ent_name_on_the_login_page(client, settings) -> None:
    settings.SOCLE_ENT_NAME = "Mon ENT Occitanie"
    page = client.get("/cas/login").content.decode()
    assert "Connexion à Mon ENT Occitanie" in page


@pytest.mark.parametrize("limit", ["last_used_at", "expires_at"])
def test_it_asks_for_credentials_once_the_session_expired(client, pupil, service, limit) -> None:
    cas_login(client, pupil)
    long_ago = timezone.now() - dt.timedelta(days=2)
    SsoSession.objects.update(**{limit: long_ago})
    response = client.get("/cas/login", {"service": SERVICE_URL})
    assert response.status_code == 200 and b'name="password"' in response.content


def test_it_sets_a_secure_cookie_over_https(client, pupil, service, settings) -> None:
    settings.SOCLE_HTTPS = True
    cookie = cas_login(client, pupil, SERVICE_URL).cookies[TGC_COOKIE]
    assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/cas/"


def test_it_logs_out_of_the_portal_too(client, pupil) -> None:
    cas_login(client, pupil)
    assert client.get("/").wsgi_request.user.is_authenticated
    client.get("/cas/logout")
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert SsoSession.objects.count() == 0


def test_purge_removes_expired_tickets_and_sessions_but_keeps_live_ones(pupil, service) -> None:
    store = DatabaseStore()
    live = store.create_session(pupil.pk)
    dead = store.create_session(pupil.pk)
    SsoSession.objects.filter(id=dead.id).update(expires_at=timezone.now() - dt.timedelta(1))
    kept = issue_ticket(store, pupil, service, session_id=live.id)
    orphan = issue_ticket(store, pupil, service)
    Ticket.objects.filter(id=orphan).update(expires_at=timezone.now() - dt.timedelta(1))
    pgt = store.create_pgt(
        person_id=pupil.pk, session_id=None, service_id=service.pk, callback_url="", proxies=[]
    )
    ProxyGrantingTicket.objects.filter(id=pgt.id).update(
        expires_at=timezone.now() - dt.timedelta(1)
    )
    assert store.purge_expired() >= 3
    assert list(SsoSession.objects.values_list("id", flat=True)) == [live.id]
    assert list(Ticket.objects.values_list("id", flat=True)) == [kept]
    assert not ProxyGrantingTicket.objects.exists()


def _broken(monkeypatch) -> None:
    def explode(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(DatabaseStore, "consume_ticket", explode)
    monkeypatch.setattr(DatabaseStore, "get_pgt", explode)


def test_it_answers_no_on_cas1_when_the_server_fails(client, pupil, service, monkeypatch):
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    _broken(monkeypatch)
    response = Client().get("/cas/validate", {"ticket": ticket, "service": SERVICE_URL})
    assert response.status_code == 200 and response.content == b"no\n"


def test_it_answers_internal_error_in_json_when_asked(client, pupil, service, monkeypatch):
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    _broken(monkeypatch)
    response = Client().get(
        "/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE_URL, "format": "JSON"}
    )
    failure = json.loads(response.content)["serviceResponse"]["authenticationFailure"]
    assert failure["code"] == "INTERNAL_ERROR" and "database gone" not in failure["description"]


def test_it_answers_internal_error_on_proxy_when_the_server_fails(service, monkeypatch):
    _broken(monkeypatch)
    response = Client().get("/cas/proxy", {"pgt": "PGT-" + "x" * 40, "targetService": SERVICE_URL})
    failure = etree.fromstring(response.content).find("cas:proxyFailure", NS)
    assert response.status_code == 200 and failure.get("code") == "INTERNAL_ERROR"


def test_it_answers_saml_responder_when_the_server_fails(client, pupil, service, monkeypatch):
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    _broken(monkeypatch)
    response = Client().post(
        f"/cas/samlValidate?TARGET={SERVICE_URL}", saml_request(ticket, "_r1"), "text/xml"
    )
    root = etree.fromstring(response.content)
    assert root.find(".//samlp:StatusCode", NS).get("Value") == "samlp:Responder"
    assert root.find(".//samlp:Response", NS).get("InResponseTo") == "_r1"
    assert b"database gone" not in response.content


def test_it_answers_saml_requester_without_target(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().post("/cas/samlValidate", saml_request(ticket), "text/xml")
    root = etree.fromstring(response.content)
    assert root.find(".//samlp:StatusCode", NS).get("Value") == "samlp:Requester"
    assert "INVALID_REQUEST" in root.findtext(".//samlp:StatusMessage", namespaces=NS)


def test_it_answers_a_huge_saml_body_without_reading_it_all(service) -> None:
    body = b"<x>" + b"a" * (6 * 1024 * 1024) + b"</x>"  # beyond Django's upload limit too
    response = Client().post(f"/cas/samlValidate?TARGET={SERVICE_URL}", body, "text/xml")
    root = etree.fromstring(response.content)
    assert root.find(".//samlp:StatusCode", NS).get("Value") == "samlp:Requester"


def test_it_gives_the_assertion_a_clock_skew_allowance(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().post(
        f"/cas/samlValidate?TARGET={SERVICE_URL}", saml_request(ticket), "text/xml"
    )
    root = etree.fromstring(response.content)
    conditions = root.find(".//saml:Conditions", NS)
    issued = root.find(".//saml:Assertion", NS).get("IssueInstant")
    assert conditions.get("NotBefore") < issued < conditions.get("NotOnOrAfter")


def test_it_hints_the_admission_gate_about_deferred_profiles(settings, school) -> None:
    parent = make_person("Paul", "Martin", establishment=school, profile="National_TUT")
    teacher = make_person("Rose", "Martin", establishment=school, profile="National_TUT")
    teacher.memberships.create(establishment=school, profile="National_ENS")
    settings.SOCLE_ADMISSION_DEFERRED_PROFILES = []
    assert profile_hint(parent.login) is None
    settings.SOCLE_ADMISSION_DEFERRED_PROFILES = ["National_TUT"]
    assert profile_hint(parent.login) == "National_TUT"
    assert profile_hint(teacher.login) is None  # also a teacher: not deferred
    assert profile_hint("nobody") is None


def test_tickets_are_long_random_and_prefixed(pupil, service) -> None:
    store = get_store()
    session = store.create_session(pupil.pk)
    ticket = issue_ticket(store, pupil, service, session_id=session.id)
    pgt = store.create_pgt(
        person_id=pupil.pk,
        session_id=session.id,
        service_id=service.pk,
        callback_url="",
        proxies=[],
    )
    for value, prefix in (
        (ticket, "ST-"),
        (session.id, "TGC-"),
        (pgt.id, "PGT-"),
        (pgt.iou, "PGTIOU-"),
    ):
        assert value.startswith(prefix)
        assert re.fullmatch(r"[A-Za-z0-9]{40}", value[len(prefix) :])


def test_the_ticket_granting_cookie_ends_with_the_browser(client, pupil) -> None:
    cookie = cas_login(client, pupil).cookies[TGC_COOKIE]
    assert not cookie["max-age"] and not cookie["expires"]


def test_renew_by_the_same_person_keeps_the_session_and_the_services(
    client, pupil, service, monkeypatch
) -> None:
    sent: list[str] = []
    monkeypatch.setattr("socle.cas.sso.send_single_logout", lambda t: sent.extend(x.id for x in t))
    cas_login(client, pupil, SERVICE_URL)
    before = client.cookies[TGC_COOKIE].value
    renewed = cas_login(client, pupil, SERVICE_URL, renew="true")
    assert renewed.status_code == 302 and sent == []
    assert SsoSession.objects.get().id == before


def test_another_person_logging_in_ends_the_previous_session(client, pupil, service, school):
    other = make_person("Noé", "Bernard", establishment=school)
    cas_login(client, pupil, SERVICE_URL)
    cas_login(client, other, SERVICE_URL)
    assert list(SsoSession.objects.values_list("person_id", flat=True)) == [other.pk]


def test_it_ignores_the_cas2_url_parameter_of_logout(client, pupil, service):
    # CAS 3.0 §2.3.1: "CAS Servers MUST ignore given url parameters"; only service redirects.
    cas_login(client, pupil)
    response = client.get("/cas/logout", {"url": SERVICE_URL})
    assert response.status_code == 200 and "Location" not in response
    assert "socle_tgc" not in client.cookies or not client.cookies["socle_tgc"].value
    assert client.get("/cas/logout", {"service": SERVICE_URL})["Location"] == SERVICE_URL


def test_it_validates_by_post_without_a_csrf_token(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    assert etree.fromstring(response.content).find("cas:authenticationSuccess", NS) is not None


def test_the_login_form_still_requires_csrf(pupil, service) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/cas/login", {"username": pupil.login, "password": "x"})
    assert response.status_code == 403


def test_it_throttles_by_the_forwarded_address_behind_the_tls_proxy(client, settings, service):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SOCLE_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    for index in range(2):
        client.post(
            "/cas/login",
            {"username": f"u{index}", "password": "x"},
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    victim = make_person("Zoé", "Petit")
    # Another client behind the same proxy is not throttled...
    other = client.post(
        "/cas/login",
        {"username": victim.login, "password": "wrong"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert "Trop de tentatives" not in other.content.decode()
    # ...and a client cannot escape by prepending a forged address.
    same = client.post(
        "/cas/login",
        {"username": victim.login, "password": "x"},
        HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.7",
    )
    assert "Trop de tentatives" in same.content.decode()


def test_gateway_returns_to_the_service_without_a_ticket_when_access_is_refused(
    client, service, school
) -> None:
    service.establishment = school
    service.save()
    outsider = make_person("Jean", "Dehors")
    cas_login(client, outsider)
    response = client.get("/cas/login", {"service": SERVICE_URL, "gateway": "true"})
    assert response.status_code == 302 and response["Location"] == SERVICE_URL
    assert client.get("/cas/login", {"service": SERVICE_URL}).status_code == 403
