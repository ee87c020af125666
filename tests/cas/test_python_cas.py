"""A conversation with a real CAS client library (python-cas) against a live server."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cas import CASClient

from tests.factories import DEFAULT_PASSWORD, make_establishment, make_person, make_service

SERVICE_URL = "https://appli.example.org/accueil"


@pytest.fixture
def world(transactional_db):
    school = make_establishment(uai="0312609T")
    person = make_person("Camille", "Martin", establishment=school, class_name="4A")
    make_service(
        "appli",
        patterns=("https://appli.example.org/**",),
        released_attributes=["nom", "prenom", "uai"],
    )
    return person


def browser_login(server: str, service: str, login: str) -> tuple[requests.Session, str]:
    """Logs in through the HTML form like a browser would; returns the session and ticket."""
    browser = requests.Session()
    page = browser.get(f"{server}/cas/login", params={"service": service}, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = browser.post(
        f"{server}/cas/login",
        data={
            "csrfmiddlewaretoken": token,
            "username": login,
            "password": DEFAULT_PASSWORD,
            "service": service,
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    return browser, parse_qs(urlsplit(response.headers["Location"]).query)["ticket"][0]


def sso_ticket(browser: requests.Session, server: str, service: str) -> str:
    response = browser.get(
        f"{server}/cas/login", params={"service": service}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302
    return parse_qs(urlsplit(response.headers["Location"]).query)["ticket"][0]


@pytest.mark.parametrize("version", [1, 2, 3, "CAS_2_SAML_1_0"])
def test_it_talks_with_python_cas_in_every_protocol_version(live_server, world, version):
    server = live_server.url
    browser, ticket = browser_login(server, SERVICE_URL, world.login)
    client = CASClient(version=version, service_url=SERVICE_URL, server_url=f"{server}/cas/")
    user, attributes, _pgtiou = client.verify_ticket(ticket)
    assert user == world.uid
    if version in (3, "CAS_2_SAML_1_0"):
        assert attributes["nom"] == "Martin"
        assert attributes["uai"] == "0312609T"
    # The same SSO session serves a second ticket without a password; a replay fails.
    second = sso_ticket(browser, server, SERVICE_URL)
    assert client.verify_ticket(second)[0] == world.uid
    assert client.verify_ticket(second)[0] is None
