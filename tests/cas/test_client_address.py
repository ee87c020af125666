"""The client's address, one rule for every reader: ``X-Forwarded-For`` counts only behind the
TLS proxy and only from one of ``SOCLE_TRUSTED_PROXIES``; from anyone else it is the client's own
claim, and ``REMOTE_ADDR`` is the address (login throttling, traces, the WSGI fast paths)."""

from __future__ import annotations

import pytest
from django.test import Client

from socle.cas.fasthop import FastHop
from socle.cas.fastpath import FastValidation
from socle.cas.views.common import client_ip_of
from socle.core.middleware import apply_trusted_proxy, client_address_of, trusted_networks
from socle.portal.models import Trace
from tests.cas.conftest import SERVICE_URL, cas_login
from tests.cas.test_fasthop import Spy as HopSpy
from tests.cas.test_fasthop import hop_environ
from tests.cas.test_fastpath import Spy, environ, tickets  # noqa: F401 - a fixture
from tests.cas.wsgi import run
from tests.factories import DEFAULT_PASSWORD, make_person

OUTSIDER = "203.0.113.50"  # talks to the node directly, not through the proxy


@pytest.fixture
def behind_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SOCLE_TRUSTED_PROXIES = ["10.0.0.0/8"]


def forged(index: int) -> str:
    return f"198.51.100.{index}"


def attempt(client: Client, login: str, forwarded: str, password: str = "x") -> str:
    """A login POST whose ``X-Forwarded-For`` says ``forwarded``; the page's text."""
    data = {"username": login, "password": password}
    return client.post("/cas/login", data, HTTP_X_FORWARDED_FOR=forwarded).content.decode()


def test_a_sender_that_is_not_a_trusted_proxy_cannot_escape_the_address_throttle(
    behind_proxy, settings, service
):
    settings.SOCLE_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    client = Client(REMOTE_ADDR=OUTSIDER)
    for index in range(3):
        attempt(client, f"user{index}", forged(index))  # a new « address » at each attempt
    victim = make_person("Zoé", "Petit")
    answer = attempt(client, victim.login, forged(9), password=DEFAULT_PASSWORD)
    assert "Trop de tentatives" in answer
    failed = Trace.objects.filter(event="login_failed").values_list("client_ip", flat=True)
    assert set(failed) == {OUTSIDER}


def test_the_trusted_proxy_still_gives_each_client_its_own_address(behind_proxy, settings):
    settings.SOCLE_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    proxy = Client(REMOTE_ADDR="10.0.0.5")
    for index in range(2):
        attempt(proxy, f"u{index}", OUTSIDER)
    victim = make_person("Zoé", "Petit")
    assert "Trop de tentatives" not in attempt(proxy, victim.login, "203.0.113.9")
    assert "Trop de tentatives" in attempt(proxy, victim.login, f"1.2.3.4, {OUTSIDER}")


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (OUTSIDER, "198.51.100.7", OUTSIDER),  # not from a proxy: the header is a claim
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.5", "10.0.0.6", "10.0.0.5"),  # only proxies: the proxy's own address
        ("10.0.0.5", "garbage", "10.0.0.5"),
    ],
)
def test_every_reader_gets_the_address_the_middleware_decides(
    behind_proxy, remote, forwarded, expected
):
    meta = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
    apply_trusted_proxy(meta, trusted_networks())
    assert client_address_of(meta) == client_ip_of(meta) == expected


def test_the_validation_fast_path_traces_the_sender_not_its_claim(behind_proxy, tickets):  # noqa: F811
    for app in (FastValidation(Spy()), Spy()):
        run(
            app,
            environ(
                "GET",
                "/cas/serviceValidate",
                {"service": SERVICE_URL, "ticket": tickets()},
                REMOTE_ADDR=OUTSIDER,
                HTTP_X_FORWARDED_FOR="198.51.100.7",
            ),
        )
        trace = Trace.objects.filter(event="ticket_validated").latest("id")
        assert trace.client_ip == OUTSIDER


def test_the_hop_fast_path_traces_the_sender_not_its_claim(behind_proxy, pupil, service):
    browser = Client()
    cas_login(browser, pupil)
    tgc = browser.cookies["socle_tgc"].value
    for app in (FastHop(HopSpy()), HopSpy()):
        hop = hop_environ(tgc)
        hop.update(REMOTE_ADDR=OUTSIDER, HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert run(app, hop).status_code == 302
        trace = Trace.objects.filter(event="ticket_issued").latest("id")
        assert trace.client_ip == OUTSIDER


def test_the_portal_traces_the_same_address(behind_proxy, pupil, service):
    browser = Client(REMOTE_ADDR=OUTSIDER, HTTP_X_FORWARDED_FOR="198.51.100.7")
    cas_login(browser, pupil)
    browser.get("/cas/logout")
    assert set(Trace.objects.values_list("client_ip", flat=True)) == {OUTSIDER}
