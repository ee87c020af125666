"""The WSGI fast path of validations (``socle.cas.fastpath``) answers exactly as Django's handler
of the validation chain does, and leaves every other request to it."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from defusedxml import ElementTree
from django.core import signals
from django.test import Client, RequestFactory

from socle.cas.fastpath import FastValidation
from socle.cas.lean import VALIDATION
from socle.portal.models import Trace
from tests.cas.conftest import SERVICE_URL, cas_login
from tests.cas.wsgi import Answer, run
from tests.cas.wsgi import Spy as WsgiSpy

CAS = "{http://www.yale.edu/tp/cas}"
SAML_P = "{urn:oasis:names:tc:SAML:1.0:protocol}"
SAML_A = "{urn:oasis:names:tc:SAML:1.0:assertion}"


def Spy() -> WsgiSpy:  # noqa: N802
    return WsgiSpy(VALIDATION)


def environ(method: str, path: str, query: dict[str, str], body: bytes = b"", **extra: Any):
    request = getattr(RequestFactory(), method.lower())(
        f"{path}?{urlencode(query)}" if query else path, **extra
    )
    env = dict(request.environ)
    if body:
        env["wsgi.input"] = io.BytesIO(body)
        env["CONTENT_LENGTH"] = str(len(body))
        env["CONTENT_TYPE"] = "text/xml; charset=utf-8"
    return env


@pytest.fixture
def tickets(pupil, service):
    browser = Client()
    cas_login(browser, pupil)

    def mint() -> str:
        hop = browser.get("/cas/login", {"service": SERVICE_URL})
        return parse_qs(urlsplit(hop["Location"]).query)["ticket"][0]

    return mint


def both(make_environ: Any) -> tuple[Answer, Answer, Spy]:
    """The same request, fresh each time, through the fast path and through Django alone."""
    spy = Spy()
    fast = run(FastValidation(spy), make_environ())
    assert spy.calls == 0, "the fast path handed this request to Django"
    django = run(Spy(), make_environ())
    return fast, django, spy


def same_headers(fast: Answer, django: Answer) -> None:
    assert fast.headers.pop("content-length") == str(len(fast.body))
    django.headers.pop("content-length", None)
    assert fast.headers == django.headers


@pytest.mark.parametrize(
    "path", ["/cas/serviceValidate", "/cas/p3/serviceValidate", "/cas/proxyValidate"]
)
def test_it_answers_a_cas2_validation_byte_for_byte_as_django(tickets, path):
    fast, django, _ = both(
        lambda: environ("GET", path, {"service": SERVICE_URL, "ticket": tickets()})
    )
    assert fast.status_code == django.status_code == 200
    assert fast.body == django.body
    same_headers(fast, django)
    assert ElementTree.fromstring(fast.body).find(f"{CAS}authenticationSuccess") is not None
    assert (
        fast.headers["cache-control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    )
    assert fast.headers["x-content-type-options"] == "nosniff"


def test_it_answers_json_as_django(tickets):
    fast, django, _ = both(
        lambda: environ(
            "GET",
            "/cas/p3/serviceValidate",
            {"service": SERVICE_URL, "ticket": tickets(), "format": "JSON"},
        )
    )
    assert fast.body == django.body
    same_headers(fast, django)
    assert "authenticationSuccess" in json.loads(fast.body)["serviceResponse"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"service": SERVICE_URL, "ticket": "ST-unknown"}, "INVALID_TICKET"),
        ({"ticket": "ST-unknown"}, "INVALID_REQUEST"),
        ({"service": "https://elsewhere.example.org/", "ticket": "ST-x"}, "INVALID_TICKET"),
        ({"service": SERVICE_URL, "ticket": "ST-x", "format": "YAML"}, "INVALID_REQUEST"),
    ],
)
def test_it_refuses_as_django(query, code):
    fast, django, _ = both(lambda: environ("GET", "/cas/serviceValidate", query))
    assert fast.body == django.body
    same_headers(fast, django)
    failure = ElementTree.fromstring(fast.body).find(f"{CAS}authenticationFailure")
    assert failure.get("code") == code


def test_a_ticket_for_another_service_is_refused_as_django(tickets):
    def make() -> dict[str, Any]:
        return environ(
            "GET",
            "/cas/serviceValidate",
            {"service": "https://app.example.org/autre/", "ticket": tickets()},
        )

    fast, django, _ = both(make)  # the message names each its own ticket
    codes = [
        ElementTree.fromstring(a.body).find(f"{CAS}authenticationFailure").get("code")
        for a in (fast, django)
    ]
    assert codes == ["INVALID_SERVICE", "INVALID_SERVICE"]
    same_headers(fast, django)


def test_it_answers_cas1_as_django(tickets):
    fast, django, _ = both(
        lambda: environ("GET", "/cas/validate", {"service": SERVICE_URL, "ticket": tickets()})
    )
    assert fast.body == django.body
    assert fast.body.startswith(b"yes\n")
    same_headers(fast, django)
    fast, django, _ = both(
        lambda: environ("GET", "/cas/validate", {"service": SERVICE_URL, "ticket": "ST-x"})
    )
    assert fast.body == django.body == b"no\n"


def saml_request(ticket: str) -> bytes:
    return (
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
        '<SOAP-ENV:Body><samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol"'
        ' MajorVersion="1" MinorVersion="1" RequestID="_r7" IssueInstant="2026-09-07T08:00:00Z">'
        f"<samlp:AssertionArtifact>{ticket}</samlp:AssertionArtifact></samlp:Request>"
        "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


def saml_facts(body: bytes) -> dict[str, Any]:
    """What a SAML answer says, without its random ids and instants."""
    root = ElementTree.fromstring(body)
    status = root.find(f".//{SAML_P}StatusCode")
    name = root.find(f".//{SAML_A}NameIdentifier")
    response = root.find(f".//{SAML_P}Response")
    return {
        "status": status.get("Value"),
        "in_response_to": response.get("InResponseTo"),
        "recipient": response.get("Recipient"),
        "user": name.text if name is not None else None,
        "attributes": sorted(
            (a.get("AttributeName"), tuple(v.text for v in a))
            for a in root.iter(f"{SAML_A}Attribute")
        ),
    }


@pytest.mark.parametrize("path", ["/cas/samlValidate", "/cas/SAML/Validate"])
def test_it_answers_saml_as_django(tickets, pupil, path):
    def make() -> dict[str, Any]:
        return environ("POST", path, {"TARGET": SERVICE_URL}, saml_request(tickets()))

    fast, django, _ = both(make)
    assert saml_facts(fast.body) == saml_facts(django.body)
    assert saml_facts(fast.body)["status"] == "samlp:Success"
    assert saml_facts(fast.body)["user"] == pupil.uid
    same_headers(fast, django)


def test_an_unreadable_saml_request_is_refused_as_django():
    fast, django, _ = both(
        lambda: environ("POST", "/cas/samlValidate", {"TARGET": SERVICE_URL}, b"<nope")
    )
    assert saml_facts(fast.body) == saml_facts(django.body)
    assert saml_facts(fast.body)["status"] == "samlp:Requester"


def test_a_saml_request_over_the_limit_is_not_read_past_it():
    huge = b"<" + b"x" * (200 * 1024)
    fast, django, _ = both(lambda: environ("POST", "/cas/samlValidate", {"TARGET": "x"}, huge))
    assert saml_facts(fast.body) == saml_facts(django.body)
    assert saml_facts(fast.body)["status"] == "samlp:Requester"


@pytest.mark.parametrize(
    "make",
    [
        lambda t: environ("POST", "/cas/serviceValidate", {}, **form(t)),  # a form body
        lambda t: environ("HEAD", "/cas/serviceValidate", {"service": SERVICE_URL, "ticket": t}),
        lambda t: environ("GET", "/cas/samlValidate", {"TARGET": SERVICE_URL}),  # 405
        lambda t: environ("GET", "/cas/proxy", {"pgt": "PGT-x", "targetService": SERVICE_URL}),
        lambda t: chunked(environ("POST", "/cas/samlValidate", {}, saml_request(t))),
    ],
    ids=["post-form", "head", "saml-get", "proxy", "saml-without-length"],
)
def test_other_requests_go_to_django(tickets, make):
    spy = Spy()
    answer = run(FastValidation(spy), make(tickets()))
    assert spy.calls == 1
    assert answer.status_code in (200, 405)


def form(ticket: str) -> dict[str, Any]:
    body = urlencode({"service": SERVICE_URL, "ticket": ticket}).encode()
    return {
        "data": body,
        "content_type": "application/x-www-form-urlencoded",
    }


def chunked(env: dict[str, Any]) -> dict[str, Any]:
    env.pop("CONTENT_LENGTH", None)
    return env


def test_it_can_be_switched_off(settings, tickets):
    settings.SOCLE_CAS_FAST_VALIDATION = False
    spy = Spy()
    run(FastValidation(spy), environ("GET", "/cas/serviceValidate", {"service": SERVICE_URL}))
    assert spy.calls == 1


def test_it_steps_aside_when_hsts_is_configured(settings):
    settings.SECURE_HSTS_SECONDS = 3600
    spy = Spy()
    run(FastValidation(spy), environ("GET", "/cas/serviceValidate", {"service": SERVICE_URL}))
    assert spy.calls == 1


def test_it_traces_the_client_address_the_trusted_proxy_gives(settings, tickets):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SOCLE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    addresses = []
    for app in (FastValidation(Spy()), Spy()):
        run(
            app,
            environ(
                "GET",
                "/cas/serviceValidate",
                {"service": SERVICE_URL, "ticket": tickets()},
                REMOTE_ADDR="10.1.2.3",
                HTTP_X_FORWARDED_FOR="203.0.113.9, 10.9.9.9",
            ),
        )
        addresses.append(Trace.objects.filter(event="ticket_validated").latest("id").client_ip)
    assert addresses == ["203.0.113.9", "203.0.113.9"]


def test_it_sends_the_request_signals(tickets):
    request = environ("GET", "/cas/serviceValidate", {"service": SERVICE_URL, "ticket": tickets()})
    seen: list[str] = []

    def started(**kwargs: Any) -> None:
        seen.append("started")

    def finished(**kwargs: Any) -> None:
        seen.append("finished")

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        run(FastValidation(Spy()), request)
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert seen == ["started", "finished"]
