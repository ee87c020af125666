"""The WSGI fast path of the SSO hop (``socle.cas.fasthop``) redirects exactly as the login view
does behind the hop's middleware chain, and leaves every other outcome to it."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from defusedxml import ElementTree
from django.test import Client, RequestFactory

from socle.cas.fasthop import FastHop
from socle.cas.lean import HOP
from socle.cas.tickets import get_store
from socle.portal.models import Trace
from tests.cas.conftest import SERVICE_URL, cas_login
from tests.cas.wsgi import Answer, run
from tests.cas.wsgi import Spy as WsgiSpy

CAS = "{http://www.yale.edu/tp/cas}"


def Spy() -> WsgiSpy:  # noqa: N802
    return WsgiSpy(HOP)


def hop_environ(tgc: str, method: str = "GET", **query: str) -> dict[str, Any]:
    query = {"service": SERVICE_URL, **query}
    request = getattr(RequestFactory(), method.lower())(
        f"/cas/login?{urlencode(query)}", HTTP_COOKIE=f"socle_tgc={tgc}"
    )
    return dict(request.environ)


@pytest.fixture
def tgc(pupil, service) -> str:
    client = Client()
    cas_login(client, pupil)
    return client.cookies["socle_tgc"].value


def ticket_of(answer: Answer) -> str:
    location = answer.headers["location"]
    assert location.startswith(SERVICE_URL)
    return parse_qs(urlsplit(location).query)["ticket"][0]


def test_it_redirects_with_a_ticket_as_the_login_view_does(tgc, pupil):
    spy = Spy()
    fast = run(FastHop(spy), hop_environ(tgc))
    assert spy.calls == 0
    django = run(Spy(), hop_environ(tgc))
    assert fast.status_code == django.status_code == 302
    assert fast.body == django.body == b""
    fast_ticket, django_ticket = ticket_of(fast), ticket_of(django)
    assert fast_ticket != django_ticket
    for answer in (fast, django):
        answer.headers.pop("location")
        answer.headers.pop("content-length", None)
    assert fast.headers == django.headers
    assert fast.headers["x-frame-options"] == "DENY"
    assert fast.headers["cache-control"].startswith("max-age=0, no-cache, no-store")
    assert fast.cookies == django.cookies == []
    validated = Client().get(
        "/cas/serviceValidate", {"service": SERVICE_URL, "ticket": fast_ticket}
    )
    user = ElementTree.fromstring(validated.content).find(f"{CAS}authenticationSuccess/{CAS}user")
    assert user.text == pupil.uid
    assert Trace.objects.filter(event="ticket_issued", person=pupil).count() == 2  # one a hop


def test_it_keeps_the_query_string_of_the_service(tgc, service):
    service_url = f"{SERVICE_URL}?page=notes&eleve=12"
    answer = run(FastHop(Spy()), hop_environ(tgc, service=service_url))
    location = answer.headers["location"]
    assert location.startswith(f"{service_url}&ticket=ST-")


def test_a_ticket_already_in_the_service_url_is_replaced_on_the_hop_too(tgc, service):
    answer = run(FastHop(Spy()), hop_environ(tgc, service=f"{SERVICE_URL}?ticket=ST-spent&a=1"))
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["a"] == ["1"] and len(query["ticket"]) == 1
    assert query["ticket"][0].startswith("ST-") and query["ticket"] != ["ST-spent"]


def test_a_session_ended_elsewhere_gets_the_login_form(tgc):
    get_store().end_session(tgc)
    spy = Spy()
    answer = run(FastHop(spy), hop_environ(tgc))
    assert spy.calls == 1
    assert answer.status_code == 200
    assert 'name="password"' in answer.body.decode()


def test_a_refused_hop_is_traced_once_and_shown_by_the_view(service, school):
    from tests.factories import make_person

    service.establishment = school
    service.save()
    outsider = make_person("Jean", "Dehors")
    client = Client()
    cas_login(client, outsider)
    spy = Spy()
    answer = run(FastHop(spy), hop_environ(client.cookies["socle_tgc"].value))
    assert spy.calls == 1
    assert answer.status_code == 403
    assert Trace.objects.filter(event="access_denied", person=outsider).count() == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda tgc: hop_environ(tgc, renew="true"),
        lambda tgc: hop_environ(tgc, method="POST"),
        lambda tgc: hop_environ(tgc, "HEAD"),
        lambda tgc: hop_environ("TGC-unknown"),
        lambda tgc: hop_environ(tgc, service="https://inconnu.example.org/"),
        lambda tgc: dict(RequestFactory().get("/cas/login", {"service": SERVICE_URL}).environ),
    ],
    ids=["renew", "method-post", "head", "unknown-session", "unknown-service", "no-cookie"],
)
def test_other_requests_go_to_the_view(tgc, make):
    spy = Spy()
    run(FastHop(spy), make(tgc))
    assert spy.calls == 1


def test_it_can_be_switched_off(settings, tgc):
    settings.SOCLE_CAS_FAST_HOP = False
    spy = Spy()
    assert run(FastHop(spy), hop_environ(tgc)).status_code == 302
    assert spy.calls == 1
