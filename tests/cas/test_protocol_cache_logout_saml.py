"""Protocol points checked against the text of CAS 3.0 / SAML 1.1: no caching of any
validation answer (Appendix B), ``service`` of a POSTed logout (§2.3.1), SAML 1.0 requests
(§4.2.2, §4.2.5), no SAML attributes to a plain-http ``TARGET`` (§4.2.1), JSON attributes as
lists (§2.5.7)."""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode

import pytest
from defusedxml import ElementTree
from django.test import Client, RequestFactory, override_settings

from socle.cas import saml
from socle.cas.checks import check_cas_settings
from socle.cas.fastpath import FastValidation
from socle.cas.lean import VALIDATION
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.cas.test_saml import saml_request
from tests.cas.wsgi import Spy, run
from tests.factories import make_service

NS = {
    "samlp": "urn:oasis:names:tc:SAML:1.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:1.0:assertion",
}
CAS = "{http://www.yale.edu/tp/cas}"
HTTP_PRONOTE = "http://pronote.lycee.example/pronote/eleve.html"
LOOPBACK_PRONOTE = "http://127.0.0.1:8137/pronote/eleve.html"
VALIDATION_PATHS = [
    "/cas/validate",
    "/cas/serviceValidate",
    "/cas/proxyValidate",
    "/cas/p3/serviceValidate",
    "/cas/p3/proxyValidate",
]


def saml_body(ticket: str, minor: str = "1") -> bytes:
    return saml_request(ticket, "_r1").replace(
        b'MinorVersion="1"', f'MinorVersion="{minor}"'.encode()
    )


def post_saml(target: str, body: bytes):
    return Client().post(
        f"/cas/samlValidate?{urlencode({'TARGET': target})}", body, content_type="text/xml"
    )


def attributes_of(response) -> dict[str, list[str]]:
    root = ElementTree.fromstring(response.content)
    status = root.find(".//samlp:Status/samlp:StatusCode", NS)
    assert status is not None and status.get("Value") == "samlp:Success"
    return {
        a.get("AttributeName"): [v.text for v in a.findall("saml:AttributeValue", NS)]
        for a in root.findall(".//saml:AttributeStatement/saml:Attribute", NS)
    }


def assert_never_cached(headers) -> None:
    assert headers["Pragma"] == "no-cache"
    assert "no-store" in headers["Cache-Control"]
    assert headers["Expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"


# --- Appendix B: Pragma: no-cache, Cache-Control: no-store, a past Expires -------------------


@pytest.mark.parametrize("path", [*VALIDATION_PATHS, "/cas/proxy"])
def test_it_forbids_caching_every_validation_answer_through_django(path, db) -> None:
    assert_never_cached(Client().get(path, {"service": SERVICE_URL, "ticket": "ST-nope"}))
    assert_never_cached(Client().post(path, {"service": SERVICE_URL, "ticket": "ST-nope"}))


def test_it_forbids_caching_the_saml_answer_and_the_login_pages(db) -> None:
    assert_never_cached(post_saml(SERVICE_URL, saml_body("ST-nope")))
    assert_never_cached(Client().get("/cas/login"))
    assert_never_cached(Client().get("/cas/logout"))


@pytest.mark.parametrize("path", [*VALIDATION_PATHS, "/cas/samlValidate"])
def test_it_forbids_caching_every_answer_of_the_fast_path(path, db) -> None:
    query = {"service": SERVICE_URL, "ticket": "ST-nope", "TARGET": SERVICE_URL}
    method = "post" if path == "/cas/samlValidate" else "get"
    request = getattr(RequestFactory(), method)(f"{path}?{urlencode(query)}")
    environ = dict(request.environ)
    if method == "post":
        body = saml_body("ST-nope")
        environ.update({"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
    spy = Spy(VALIDATION)
    answer = run(FastValidation(spy), environ)
    assert spy.calls == 0  # answered by the fast path itself
    assert answer.headers["pragma"] == "no-cache"
    assert "no-store" in answer.headers["cache-control"]
    assert answer.headers["expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"


# --- §2.3.1: logout's service, from the query or a POSTed form --------------------------------


def test_it_redirects_a_posted_logout_to_its_registered_service(pupil, service) -> None:
    # The form is the service's, on another site: no CSRF token can come with it.
    browser = Client()
    cas_login(browser, pupil)
    assert browser.get("/cas/login", {"service": SERVICE_URL}).status_code == 302  # the hop
    client = Client(enforce_csrf_checks=True)
    client.cookies = browser.cookies
    response = client.post("/cas/logout", {"service": SERVICE_URL})
    assert response.status_code == 303  # to the GET logout, with the form's service
    assert response["Location"] == f"/cas/logout?{urlencode({'service': SERVICE_URL})}"
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == SERVICE_URL
    assert client.get("/cas/login", {"service": SERVICE_URL}).status_code == 200  # logged out


def test_it_ends_the_sessions_of_a_logout_posted_from_another_site(pupil, service) -> None:
    # A service's « Se déconnecter » form on its own site is a cross-site POST: the browser
    # sends no SameSite=Lax cookie with it (the TGC, the portal's session), keeps what the answer
    # sets, and follows a redirect to this server with its cookies (a GET navigation).
    browser = Client()
    cas_login(browser, pupil)
    answer = Client(enforce_csrf_checks=True).post("/cas/logout", {"service": SERVICE_URL})
    browser.cookies.update(answer.cookies)
    if answer.status_code in (302, 303) and answer["Location"].startswith("/cas/"):
        answer = browser.get(answer["Location"])
    assert answer.status_code == 302 and answer["Location"] == SERVICE_URL
    assert not browser.get("/").wsgi_request.user.is_authenticated  # the portal too
    assert browser.get("/cas/login", {"service": SERVICE_URL}).status_code == 200


def test_it_never_redirects_a_posted_logout_to_an_unknown_service(client, pupil, service) -> None:
    cas_login(client, pupil)
    response = client.post("/cas/logout", {"service": "https://evil.example.com/"}, follow=True)
    assert response.redirect_chain == [
        (f"/cas/logout?{urlencode({'service': 'https://evil.example.com/'})}", 303)
    ]
    assert response.status_code == 200
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert "Location" not in response


# --- §4.2.2 / §4.2.5: a SAML 1.0 request gets the SAML 1.1 answer the CAS spec requires --------


def test_it_answers_a_saml_1_0_request_in_saml_1_1(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = post_saml(SERVICE_URL, saml_body(ticket, minor="0"))
    root = ElementTree.fromstring(response.content)
    answer = root.find(".//samlp:Response", NS)
    assertion = root.find(".//saml:Assertion", NS)
    assert (answer.get("MajorVersion"), answer.get("MinorVersion")) == ("1", "1")
    assert (assertion.get("MajorVersion"), assertion.get("MinorVersion")) == ("1", "1")
    assert attributes_of(response) == {}  # success: no attributes released to this service


# --- §4.2.1: "SAML attributes MUST NOT be released to a non-SSL site" -------------------------


@pytest.fixture
def http_pronote(school):
    return make_service(
        "pronote_http",
        patterns=("http://pronote.lycee.example/pronote/**", "http://127.0.0.1:8137/pronote/**"),
        released_attributes=["nom", "prenom"],
    )


def test_it_releases_no_saml_attribute_to_a_plain_http_target(client, pupil, http_pronote):
    ticket = ticket_from(cas_login(client, pupil, HTTP_PRONOTE))
    response = post_saml(HTTP_PRONOTE, saml_body(ticket))
    assert attributes_of(response) == {}
    root = ElementTree.fromstring(response.content)
    name = root.find(".//saml:AuthenticationStatement/saml:Subject/saml:NameIdentifier", NS)
    assert name is not None and name.text == pupil.uid  # the user name still goes


def test_it_releases_saml_attributes_over_http_on_loopback(client, pupil, http_pronote):
    ticket = ticket_from(cas_login(client, pupil, LOOPBACK_PRONOTE))
    response = post_saml(LOOPBACK_PRONOTE, saml_body(ticket))
    assert attributes_of(response) == {"nom": ["Martin"], "prenom": ["Camille"]}


def test_it_releases_saml_attributes_over_http_when_the_setting_allows(
    client, pupil, http_pronote
) -> None:
    ticket = ticket_from(cas_login(client, pupil, HTTP_PRONOTE))
    with override_settings(SOCLE_CAS_SAML_HTTP_ATTRIBUTES=True):
        response = post_saml(HTTP_PRONOTE, saml_body(ticket))
    assert attributes_of(response) == {"nom": ["Martin"], "prenom": ["Camille"]}


@pytest.mark.parametrize(
    ("target", "released"),
    [
        ("https://pronote.lycee.example/pronote/", True),
        ("HTTPS://pronote.lycee.example/", True),
        ("http://pronote.lycee.example/pronote/", False),
        ("http://localhost:8137/pronote/", True),
        ("http://127.0.0.2/pronote/", True),
        ("http://[::1]:8137/pronote/", True),
        ("http://10.0.0.1/pronote/", False),
        ("http://127.0.0.1.evil.example/", False),
        ("ftp://127.0.0.1/", False),
        ("", False),
        # loopback spelt so that a browser (or a resolver) would leave this machine, or not
        # recognised as loopback: no attributes (the safe side)
        ("http://localhost.evil.example/", False),
        ("http://127.0.0.1.nip.io/", False),
        ("http://127.0.0.1@evil.example/", False),
        ("http://evil.example\\@127.0.0.1/", False),  # browsers read "\\" as "/": evil
        ("http://evil.example%5c@127.0.0.1/", False),
        ("http://LOCALHOST:8137/", True),
        ("http://localhost./", False),
        ("http://%6c%6fcalhost/", False),
        ("http://[::ffff:127.0.0.1]/", False),
        ("http://127.1/", False),
        ("http://2130706433/", False),
    ],
)
def test_it_judges_which_saml_targets_get_attributes(target, released) -> None:
    assert saml.releases_attributes(target) is released
    assert saml.releases_attributes(target, over_http=True) is (
        target.lower().startswith(("http://", "https://"))
    )


def test_it_warns_when_saml_attributes_may_go_over_http(settings) -> None:
    settings.SOCLE_CAS_SAML_HTTP_ATTRIBUTES = False
    assert "socle.W098" not in {problem.id for problem in check_cas_settings()}
    settings.SOCLE_CAS_SAML_HTTP_ATTRIBUTES = True
    assert "socle.W098" in {problem.id for problem in check_cas_settings()}


# --- §2.5.7: JSON attributes stay lists, one value or several ---------------------------------


def test_it_keeps_a_single_json_attribute_value_in_a_list(client, pupil, school) -> None:
    make_service("appli", released_attributes=["nom", "uai"])
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = client.get(
        "/cas/p3/serviceValidate", {"service": SERVICE_URL, "ticket": ticket, "format": "JSON"}
    )
    attributes = json.loads(response.content)["serviceResponse"]["authenticationSuccess"][
        "attributes"
    ]
    assert attributes["nom"] == ["Martin"]
    assert attributes["uai"] == ["0312609T"]
    assert attributes["isFromNewLogin"] == ["true"]
