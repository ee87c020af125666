"""Server-to-server calls made for real: PGT delivery to a proxy callback and back-channel
single logout, received by a local HTTP server and read with python-cas's own parsers."""

from __future__ import annotations

import pytest
from cas import CASClientV3
from django.test import Client
from lxml import etree

from socle.cas import outbound
from socle.cas.tickets.base import IssuedTicket
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.cas.test_python_cas import browser_login
from tests.factories import make_establishment, make_person, make_service

NS = {"cas": "http://www.yale.edu/tp/cas"}
BACKEND_URL = "https://backend.example.org/api"


class ProxyValidatingClient(CASClientV3):
    """python-cas validates on p3/serviceValidate; a proxied back end uses p3/proxyValidate."""

    url_suffix = "p3/proxyValidate"


@pytest.fixture
def proxy_world(transactional_db, sink, settings):
    settings.SOCLE_CAS_ALLOW_HTTP_PROXY_CALLBACK = True
    school = make_establishment(uai="0312609T")
    person = make_person("Camille", "Martin", establishment=school, class_name="4A")
    make_service(
        "appli",
        patterns=("https://appli.example.org/**",),
        proxy_callback_allowed=True,
        released_attributes=["nom"],
    )
    make_service("callback", patterns=(f"{sink.url}/**",), proxy_callback_allowed=True)
    make_service("backend", patterns=("https://backend.example.org/**",))
    return person


def test_it_delivers_the_pgt_to_the_callback_and_python_cas_proxies_with_it(
    live_server, proxy_world, sink
) -> None:
    server = f"{live_server.url}/cas/"
    _browser, ticket = browser_login(live_server.url, SERVICE_URL, proxy_world.login)
    front = CASClientV3(
        service_url=SERVICE_URL, server_url=server, proxy_callback=f"{sink.url}/pgt"
    )
    user, attributes, pgt_iou = front.verify_ticket(ticket)
    assert user == proxy_world.uid and attributes["nom"] == "Martin"
    callback = sink.requests[-1]
    assert callback["method"] == "GET" and callback["path"] == "/pgt"
    assert callback["query"]["pgtIou"] == pgt_iou and pgt_iou.startswith("PGTIOU-")
    pgt = callback["query"]["pgtId"]
    assert pgt.startswith("PGT-") and len(pgt) >= 4 + 32

    back = ProxyValidatingClient(service_url=BACKEND_URL, server_url=server)
    proxy_ticket = back.get_proxy_ticket(pgt)
    assert proxy_ticket.startswith("PT-")
    user, _attributes, _ = back.verify_ticket(proxy_ticket)
    assert user == proxy_world.uid
    assert back.verify_ticket(proxy_ticket)[0] is None  # single use


def test_it_refuses_a_plain_http_callback_to_another_host_even_in_tests(
    client, pupil, service, settings
) -> None:
    settings.SOCLE_CAS_ALLOW_HTTP_PROXY_CALLBACK = True
    service.proxy_callback_allowed = True
    service.save()
    make_service("plain", patterns=("http://appli.example.org/**",), proxy_callback_allowed=True)
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get(
        "/cas/serviceValidate",
        {"ticket": ticket, "service": SERVICE_URL, "pgtUrl": "http://appli.example.org/pgt"},
    )
    failure = etree.fromstring(response.content).find("cas:authenticationFailure", NS)
    assert failure.get("code") == "INVALID_PROXY_CALLBACK"


def test_it_refuses_a_plain_http_loopback_callback_in_production(
    client, pupil, service, sink, settings
) -> None:
    settings.DEBUG = False
    service.proxy_callback_allowed = True
    service.save()
    make_service("callback", patterns=(f"{sink.url}/**",), proxy_callback_allowed=True)
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get(
        "/cas/serviceValidate",
        {"ticket": ticket, "service": SERVICE_URL, "pgtUrl": f"{sink.url}/pgt"},
    )
    failure = etree.fromstring(response.content).find("cas:authenticationFailure", NS)
    assert failure.get("code") == "INVALID_PROXY_CALLBACK"
    assert sink.requests == []


def test_it_posts_single_logout_that_python_cas_accepts(sink) -> None:
    ticket = IssuedTicket(
        id="ST-" + "a" * 40,
        person_id=1,
        service_url=f"{sink.url}/app/",
        service_id=1,
        session_id=None,
        created_at=None,  # type: ignore[arg-type]
        from_new_login=True,
    )
    outbound.send_single_logout([ticket])  # background thread, like at logout
    assert sink.received.wait(timeout=10)
    request = sink.requests[0]
    assert request["method"] == "POST" and request["path"] == "/app/"
    logout_request = request["form"]["logoutRequest"]
    assert CASClientV3.verify_logout_request(logout_request, ticket.id)


def test_it_logs_out_even_when_a_service_is_unreachable(client, pupil, settings) -> None:
    settings.SOCLE_CAS_OUTBOUND_PRIVATE = True  # really try the unreachable local port
    make_service("gone", patterns=("http://127.0.0.1:9/**",))  # discard port: nobody listens
    cas_login(client, pupil, "http://127.0.0.1:9/app")
    response = client.get("/cas/logout")
    assert response.status_code == 200
    outbound.send_single_logout(
        [
            IssuedTicket(
                id="ST-x",
                person_id=pupil.pk,
                service_url="http://127.0.0.1:9/app",
                service_id=None,
                session_id=None,
                created_at=None,  # type: ignore[arg-type]
                from_new_login=True,
            )
        ],
        wait=True,
    )  # returns quietly


def _tickets(url: str, count: int) -> list:
    import datetime as dt

    from socle.cas.tickets.base import IssuedTicket

    start = dt.datetime(2026, 9, 7, 8, tzinfo=dt.UTC)
    return [
        IssuedTicket(f"ST-{i:04d}", 1, url, 1, "TGC-x", start + dt.timedelta(seconds=i), False)
        for i in range(count)
    ]


def test_single_logout_posts_to_the_newest_tickets_only_when_there_are_very_many(sink) -> None:
    outbound.send_single_logout(_tickets(sink.url + "/slo", 150), wait=True)
    assert len(sink.requests) == outbound.MAX_LOGOUT_REQUESTS
    assert "ST-0149" in sink.requests[0]["form"]["logoutRequest"]


def test_single_logout_gives_up_on_a_host_that_does_not_answer(monkeypatch, settings) -> None:
    import socket

    settings.SOCLE_CAS_OUTBOUND_PRIVATE = True
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    tries: list[str] = []
    real = outbound._post_logout

    def counting(ticket):  # noqa: ANN001, ANN202
        tries.append(ticket.id)
        return real(ticket)

    monkeypatch.setattr(outbound, "_post_logout", counting)
    outbound.send_single_logout(_tickets(f"http://127.0.0.1:{port}/slo", 5), wait=True)
    assert len(tries) == 1
