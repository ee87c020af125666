"""Odd input on every endpoint: a clear answer, never a 500."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from tests.cas.conftest import SERVICE_URL

ODD_VALUES = [
    "",
    " ",
    "\x00",
    "ST-\x00",
    "%",
    "http://[::1",
    "https://h:99999/",
    "https://h/" + "é" * 3000,
    "javascript:alert(1)",
    "https://appli.example.org/\u202e",
    "A" * 10_000,
    "PGT-" + "x" * 5000,
    "<x>&amp;</x>",
]
GET_ENDPOINTS = [
    "/cas/login",
    "/cas/logout",
    "/cas/validate",
    "/cas/serviceValidate",
    "/cas/proxyValidate",
    "/cas/p3/serviceValidate",
    "/cas/p3/proxyValidate",
    "/cas/proxy",
]
NAMES = ["service", "ticket", "pgt", "targetService", "pgtUrl", "renew", "gateway", "format", "url"]


@pytest.mark.parametrize("path", GET_ENDPOINTS)
def test_odd_parameters_never_cause_a_server_error(path: str, service) -> None:
    client = Client(raise_request_exception=False)
    for name, value in itertools.product(NAMES, ODD_VALUES):
        params = {"service": SERVICE_URL, "ticket": "ST-x", name: value}
        response = client.get(path, params)
        assert response.status_code < 500, (path, name, value[:40])


@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_saml_targets_and_bodies_never_cause_a_server_error(value: str, service) -> None:
    client = Client(raise_request_exception=False)
    response = client.post(
        "/cas/samlValidate?" + "&".join([f"TARGET={value}"]), value.encode(), "text/xml"
    )
    assert response.status_code == 200


def test_odd_login_posts_never_cause_a_server_error(service) -> None:
    client = Client(raise_request_exception=False)
    for name, value in itertools.product(["username", "password", "service", "next"], ODD_VALUES):
        data = {"username": "someone", "password": "secret", name: value}
        assert client.post("/cas/login", data).status_code < 500, (name, value[:40])
