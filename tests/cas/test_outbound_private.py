"""Back-channel calls (single logout, proxy callbacks) do not reach internal addresses unless
SOCLE_CAS_OUTBOUND_PRIVATE is on: blind SSRF from a service registered on 127.0.0.1 or on the
cloud metadata address."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import socket

import pytest

from socle.cas import outbound
from socle.cas.tickets.base import IssuedTicket
from socle.core.addresses import is_internal, is_internal_host

TICKET = "ST-" + "s" * 40


def _ticket(url: str) -> IssuedTicket:
    start = dt.datetime(2026, 9, 7, 8, tzinfo=dt.UTC)
    return IssuedTicket(TICKET, 1, url, 1, "TGC-x", start, False)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0"]
    + ["224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::"]
    + ["100.64.1.1", "198.18.0.1"],  # carrier-grade NAT, benchmarking: not global
)
def test_internal_addresses(address: str) -> None:
    assert is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1"])
def test_public_addresses(address: str) -> None:
    assert not is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize("host", ["localhost", "a.localhost", "127.1", "2130706433", "[::1]"])
def test_internal_host_literals(host: str) -> None:
    assert is_internal_host(host)


def test_single_logout_to_loopback_is_refused_by_default(sink, settings, caplog) -> None:
    settings.SOCLE_CAS_OUTBOUND_PRIVATE = False
    with caplog.at_level(logging.WARNING, logger="socle.cas"):
        outbound.send_single_logout([_ticket(f"{sink.url}/admin/action?cmd=x")], wait=True)
    assert sink.requests == []
    refused = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(refused) == 1 and "127.0.0.1" in refused[0].getMessage()
    assert TICKET not in caplog.text and "cmd=x" not in caplog.text


def test_a_name_resolving_to_loopback_is_refused_too(sink, settings) -> None:
    settings.SOCLE_CAS_OUTBOUND_PRIVATE = False
    port = sink.url.rsplit(":", 1)[1]
    outbound.send_single_logout([_ticket(f"http://localhost:{port}/slo")], wait=True)
    assert sink.requests == []


@pytest.mark.parametrize("host", ["10.0.0.1", "169.254.169.254", "[fd00::1]"])
def test_private_and_link_local_are_refused_before_any_connection(
    host: str, settings, monkeypatch, caplog
) -> None:
    settings.SOCLE_CAS_OUTBOUND_PRIVATE = False

    def no_socket(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", no_socket)
    with caplog.at_level(logging.WARNING, logger="socle.cas"):
        outbound.send_single_logout([_ticket(f"http://{host}/latest/meta-data/")], wait=True)
        assert not outbound.deliver_pgt(f"https://{host}/pgt", "PGT-x", "PGTIOU-x")
    assert "single logout refused" in caplog.text and "proxy callback refused" in caplog.text
    assert "PGT-x" not in caplog.text and TICKET not in caplog.text


def test_the_proxy_callback_to_loopback_is_refused_by_default(sink, settings) -> None:
    settings.SOCLE_CAS_OUTBOUND_PRIVATE = False
    assert not outbound.deliver_pgt(f"{sink.url}/pgt", "PGT-x", "PGTIOU-x")
    assert sink.requests == []


def test_the_setting_lets_single_logout_and_callbacks_reach_local_services(sink) -> None:
    # the sink fixture turns SOCLE_CAS_OUTBOUND_PRIVATE on, as the demo and e2e harness do
    outbound.send_single_logout([_ticket(f"{sink.url}/slo")], wait=True)
    assert outbound.deliver_pgt(f"{sink.url}/pgt", "PGT-x", "PGTIOU-x")
    assert [r["path"] for r in sink.requests] == ["/slo", "/pgt"]


def test_the_setting_is_off_by_default() -> None:
    from django.conf import settings

    assert settings.SOCLE_CAS_OUTBOUND_PRIVATE is False
