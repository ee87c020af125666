"""The lean handler: CAS validations and SSO hops through ``socle.wsgi.application`` (what
gunicorn serves) take a short middleware chain and answer exactly as before."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from defusedxml import ElementTree
from django.test import Client, RequestFactory
from lxml import etree

from socle.cas.lean import HOP, LOGIN, VALIDATION, lean_middleware, lean_route, wants_lean
from socle.cas.tickets import get_store
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.cas.wsgi import Answer, run
from tests.factories import DEFAULT_PASSWORD

CAS = "{http://www.yale.edu/tp/cas}"
pytestmark = pytest.mark.django_db


def call(method: str, path: str, *, cookie: str = "", **extra: Any) -> Answer:
    """One request through socle.wsgi.application, as gunicorn makes it."""
    from socle.wsgi import application

    factory = RequestFactory()
    request = getattr(factory, method.lower())(path, HTTP_COOKIE=cookie, **extra)
    return run(application, request.environ)


def logged_in(pupil: Any) -> str:
    client = Client()
    assert cas_login(client, pupil).status_code in (200, 302)
    return client.cookies["socle_tgc"].value


def test_it_picks_validations_hops_and_newcomers_logins_only():
    cookie = {"HTTP_COOKIE": "socle_tgc=TGC-x"}
    assert wants_lean({"PATH_INFO": "/cas/serviceValidate"})
    assert wants_lean({"PATH_INFO": "/cas/p3/serviceValidate"})
    assert wants_lean({"PATH_INFO": "/cas/SAML/validate"})
    assert wants_lean(
        {"PATH_INFO": "/cas/login", "REQUEST_METHOD": "GET", "QUERY_STRING": "service=x", **cookie}
    )
    assert wants_lean({"PATH_INFO": "/cas/login", "REQUEST_METHOD": "POST"})
    assert not wants_lean({"PATH_INFO": "/cas/login", "REQUEST_METHOD": "PUT"})
    assert not wants_lean({"PATH_INFO": "/cas/logout", "REQUEST_METHOD": "GET", **cookie})
    assert not wants_lean({"PATH_INFO": "/mon-espace/"})


def test_it_routes_validations_and_hops_to_their_own_chains():
    cookie = {"HTTP_COOKIE": "socle_tgc=TGC-x"}
    assert lean_route({"PATH_INFO": "/cas/samlValidate"}) == VALIDATION
    assert lean_route({"PATH_INFO": "/cas/proxy"}) == VALIDATION
    hop = {"PATH_INFO": "/cas/login", "REQUEST_METHOD": "GET", "QUERY_STRING": "service=x"}
    assert lean_route({**hop, **cookie}) == HOP
    assert lean_route({**hop, **cookie, "REQUEST_METHOD": "HEAD"}) == HOP
    assert lean_route({**hop, **cookie, "QUERY_STRING": "service=x&renew=true"}) == LOGIN
    assert lean_route({**hop, **cookie, "REQUEST_METHOD": "POST"}) == LOGIN
    assert lean_route(hop) == LOGIN


def test_it_sends_a_login_with_a_django_session_or_a_message_to_the_full_chain():
    login = {"PATH_INFO": "/cas/login", "REQUEST_METHOD": "POST", "QUERY_STRING": "service=x"}
    assert lean_route({**login, "HTTP_COOKIE": "socle_csrftoken=abc"}) == LOGIN
    for cookie in (
        "socle_session=s",
        "socle_csrftoken=abc; messages=m",
    ):
        assert lean_route({**login, "HTTP_COOKIE": cookie}) is None
        assert lean_route({**login, "REQUEST_METHOD": "GET", "HTTP_COOKIE": cookie}) is None
    assert lean_route({**login, "HTTP_COOKIE": "socle_tgc=T; socle_session=s"}) is None


def test_the_login_chain_negotiates_the_language_and_leaves_out_messages_and_the_rest():
    assert lean_middleware(LOGIN) == [
        "socle.core.middleware.TrustedProxyMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "socle.core.csp.ContentSecurityPolicyMiddleware",
    ]


def test_it_keeps_security_session_and_frame_options_in_order(settings):
    chain = lean_middleware(HOP)
    assert chain == lean_middleware()
    assert chain == [
        "socle.core.middleware.TrustedProxyMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "socle.core.csp.ContentSecurityPolicyMiddleware",
    ]
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "clickjacking" not in m]
    assert "django.middleware.clickjacking.XFrameOptionsMiddleware" not in lean_middleware()


def test_validations_keep_only_the_client_address_and_the_security_headers():
    assert lean_middleware(VALIDATION) == [
        "socle.core.middleware.TrustedProxyMiddleware",
        "django.middleware.security.SecurityMiddleware",
    ]


def test_a_validation_answer_sets_no_cookie_and_is_never_cached(pupil, service):
    tgc = logged_in(pupil)
    hop = call("GET", "/cas/login", cookie=f"socle_tgc={tgc}", data={"service": SERVICE_URL})
    ticket = parse_qs(urlsplit(hop.headers["location"]).query)["ticket"][0]
    answer = call(
        "GET",
        "/cas/serviceValidate",
        cookie=f"socle_tgc={tgc}; sessionid=whatever",
        data={"service": SERVICE_URL, "ticket": ticket},
    )
    assert answer.status_code == 200
    assert answer.cookies == []
    assert answer.headers["cache-control"] == (
        "max-age=0, no-cache, no-store, must-revalidate, private"
    )
    assert answer.headers["expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "cookie" not in answer.headers.get("vary", "").lower()


def test_it_hops_and_validates_through_the_wsgi_application(pupil, service):
    tgc = logged_in(pupil)
    hop = call("GET", "/cas/login", cookie=f"socle_tgc={tgc}", data={"service": SERVICE_URL})
    assert hop.status_code == 302
    assert hop.headers["x-frame-options"] == "DENY"
    assert hop.headers["x-content-type-options"] == "nosniff"
    assert "content-language" not in hop.headers  # no LocaleMiddleware on the way
    ticket = parse_qs(urlsplit(hop.headers["location"]).query)["ticket"][0]

    answer = call("GET", "/cas/serviceValidate", data={"service": SERVICE_URL, "ticket": ticket})
    assert answer.status_code == 200
    root = ElementTree.fromstring(answer.body)
    assert root.find(f"{CAS}authenticationSuccess/{CAS}user").text == pupil.uid
    replay = call("GET", "/cas/serviceValidate", data={"service": SERVICE_URL, "ticket": ticket})
    failure = ElementTree.fromstring(replay.body).find(f"{CAS}authenticationFailure")
    assert failure.get("code") == "INVALID_TICKET"


def test_it_shows_the_login_form_in_the_visitors_language_when_the_session_has_ended(
    pupil, service
):
    tgc = logged_in(pupil)
    get_store().end_session(tgc)
    for language in ("en", "fr"):
        form = call(
            "GET",
            "/cas/login",
            cookie=f"socle_tgc={tgc}",
            data={"service": SERVICE_URL},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert form.status_code == 200
        assert 'name="password"' in form.body.decode()
        assert form.headers["content-language"] == language
        assert "Accept-Language" in form.headers["vary"]
        assert any(c.startswith("socle_csrftoken=") for c in form.cookies)  # the form can post


def test_a_refused_hop_renders_its_page_through_the_lean_handler(service, school):
    from tests.factories import make_person

    service.establishment = school
    service.save()
    outsider = make_person("Jean", "Dehors")  # no membership in the school
    tgc = logged_in(outsider)
    denied = call("GET", "/cas/login", cookie=f"socle_tgc={tgc}", data={"service": SERVICE_URL})
    assert denied.status_code == 403
    assert "Accès refusé" in denied.body.decode()
    assert denied.headers["x-frame-options"] == "DENY"


def test_a_ticket_from_the_full_handler_validates_on_the_lean_one(client, pupil, service):
    ticket = ticket_from(cas_login(client, pupil, service=SERVICE_URL))
    body = call(
        "POST",
        f"/cas/samlValidate?TARGET={SERVICE_URL}",
        data=(
            '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
            '<SOAP-ENV:Body><samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol"'
            ' MajorVersion="1" MinorVersion="1" RequestID="_r" IssueInstant="2026-09-07T08:00:00Z">'
            f"<samlp:AssertionArtifact>{ticket}</samlp:AssertionArtifact></samlp:Request>"
            "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
        ),
        content_type="text/xml",
    ).body
    codes = [e.get("Value") for e in ElementTree.fromstring(body).iter() if e.get("Value")]
    assert "samlp:Success" in codes


def _form(language: str = "fr", query: str = f"service={SERVICE_URL}") -> tuple[str, str]:
    """The login form through the login chain: (CSRF cookie, the form's token)."""
    form = call("GET", f"/cas/login?{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert form.status_code == 200
    assert form.headers["content-language"] == language
    cookie = next(c for c in form.cookies if c.startswith("socle_csrftoken=")).split(";")[0]
    token = etree.HTML(form.body).find(".//input[@name='csrfmiddlewaretoken']").get("value")
    return cookie, token


def _post(language: str, cookie: str, **data: str) -> Answer:
    """A login POST through the login chain, in ``language``."""
    return call("POST", "/cas/login", cookie=cookie, data=data, HTTP_ACCEPT_LANGUAGE=language)


def test_a_newcomer_logs_in_through_the_login_chain(pupil, service):
    cookie, token = _form()
    answer = call(
        "POST",
        f"/cas/login?service={SERVICE_URL}",
        cookie=cookie,
        data={
            "username": pupil.login,
            "password": DEFAULT_PASSWORD,
            "service": SERVICE_URL,
            "csrfmiddlewaretoken": token,
        },
    )
    assert answer.status_code == 302
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    names = {c.split("=", 1)[0] for c in answer.cookies}
    assert {"socle_tgc", "socle_session"} <= names  # the SSO and the portal's Django session
    ticket = parse_qs(urlsplit(answer.headers["location"]).query)["ticket"][0]
    valid = call("GET", "/cas/serviceValidate", data={"service": SERVICE_URL, "ticket": ticket})
    user = ElementTree.fromstring(valid.body).find(f"{CAS}authenticationSuccess/{CAS}user")
    assert user.text == pupil.uid


@pytest.mark.parametrize(
    ("language", "forbidden"), [("fr", "Ce formulaire a expiré"), ("en", "This form has expired")]
)
def test_the_login_chain_refuses_a_post_without_its_csrf_token_in_the_visitors_language(
    pupil, service, language, forbidden
):
    cookie, _ = _form(language)
    answer = _post(language, cookie, username=pupil.login, password=DEFAULT_PASSWORD)
    assert answer.status_code == 403
    assert forbidden in answer.body.decode()
    assert not any(c.startswith("socle_tgc=") for c in answer.cookies)


@pytest.mark.parametrize(
    ("language", "message"),
    [("fr", "Identifiant ou mot de passe incorrect."), ("en", "Incorrect username or password.")],
)
def test_the_login_chain_answers_a_wrong_password_in_the_visitors_language(
    pupil, service, language, message
):
    cookie, token = _form(language)
    answer = _post(
        language, cookie, username=pupil.login, password="wrong", csrfmiddlewaretoken=token
    )
    assert answer.status_code == 200
    assert message in answer.body.decode()
    assert answer.headers["content-language"] == language


def test_the_login_chain_shows_the_queue_page_in_the_visitors_language(pupil, service, monkeypatch):
    from socle.core.admission import QueueFull

    def full(*args: Any, **kwargs: Any) -> Any:
        raise QueueFull(7)

    monkeypatch.setattr("socle.cas.authentication.password_hash_slot", full)
    pages = {}
    for language in ("fr", "en"):
        cookie, token = _form(language)
        answer = _post(
            language, cookie, username=pupil.login, password="x", csrfmiddlewaretoken=token
        )
        assert answer.status_code == 503 and answer.headers["retry-after"] == "7"
        assert answer.headers["content-language"] == language
        pages[language] = etree.HTML(answer.body).findtext(".//h1")
    assert pages["fr"] != pages["en"]
