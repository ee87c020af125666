"""The Content-Security-Policy of Socle's pages (``socle.core.csp``): on every HTML page, in the
lean login chain too, never on redirects, validations or static files; ``form-action`` opened to
the service of a CAS form only; the templates hold nothing the policy would refuse."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, RequestFactory

import socle
from socle.cas.lean import LOGIN
from socle.core import csp
from socle.core.checks import check_content_security_policy
from socle.directory.models import Person
from socle.portal.models import Service
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.cas.wsgi import Spy, run
from tests.factories import make_person

POLICY = "Content-Security-Policy"
SERVICE_POLICY = csp.DEFAULT_POLICY.replace(
    "form-action 'self'", "form-action 'self' https://appli.example.org"
)


def test_it_sends_the_policy_on_the_login_page_and_the_pages_of_the_portal(
    client: Client, pupil: Person
) -> None:
    assert client.get("/cas/login").headers[POLICY] == csp.DEFAULT_POLICY
    client.force_login(pupil)
    assert client.get("/").headers[POLICY] == csp.DEFAULT_POLICY
    assert client.get("/page-inconnue/").headers[POLICY] == csp.DEFAULT_POLICY  # 404 page


def test_it_sends_the_policy_from_the_lean_login_chain() -> None:
    request = RequestFactory().get("/cas/login")
    answer = run(Spy(LOGIN), request.environ)
    assert answer.status_code == 200
    assert answer.headers[POLICY.lower()] == csp.DEFAULT_POLICY


def test_it_lets_the_forms_of_a_service_s_login_reach_that_service_only(
    client: Client, pupil: Person, service: Service
) -> None:
    page = client.get("/cas/login", {"service": SERVICE_URL})
    assert page.headers[POLICY] == SERVICE_POLICY
    wrong = cas_login(client, pupil, SERVICE_URL, password="mauvais")
    assert wrong.status_code == 200 and wrong.headers[POLICY] == SERVICE_POLICY
    unknown = client.get("/cas/login", {"service": "https://ailleurs.example.net/"})
    assert unknown.headers[POLICY] == csp.DEFAULT_POLICY


def test_it_sends_none_on_redirects_validations_and_static_files(
    client: Client, pupil: Person, service: Service
) -> None:
    redirect = cas_login(client, pupil, SERVICE_URL)
    assert redirect.status_code == 302 and POLICY not in redirect.headers
    hop = client.get("/cas/login", {"service": SERVICE_URL})
    assert hop.status_code == 302 and POLICY not in hop.headers
    validation = Client().get(
        "/cas/p3/serviceValidate", {"ticket": ticket_from(hop), "service": SERVICE_URL}
    )
    assert validation.status_code == 200 and POLICY not in validation.headers
    assert POLICY not in client.get("/static/socle/socle.css").headers


def test_the_method_post_page_may_post_to_the_service_alone(
    client: Client, pupil: Person, service: Service
) -> None:
    page = cas_login(client, pupil, SERVICE_URL, method="POST")
    assert page.status_code == 200 and b'action="https://appli.example.org/accueil"' in page.content
    assert page.headers[POLICY] == SERVICE_POLICY


def test_it_sends_the_policy_on_the_django_admin(client: Client) -> None:
    admin = make_person("Ada", "Admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get("/django-admin/").headers[POLICY] == csp.DEFAULT_POLICY


def test_an_operator_may_replace_the_policy_or_send_none(settings: Any, service: Service) -> None:
    # A new Client each time: the middleware reads the setting once, when it is built.
    settings.SOCLE_CONTENT_SECURITY_POLICY = "default-src 'self'; form-action 'self' https:"
    response = Client().get("/cas/login", {"service": SERVICE_URL})
    assert response.headers[POLICY] == (
        "default-src 'self'; form-action 'self' https: https://appli.example.org"
    )
    settings.SOCLE_CONTENT_SECURITY_POLICY = "OFF"
    assert POLICY not in Client().get("/cas/login", {"service": SERVICE_URL}).headers
    assert POLICY not in Client().get("/cas/login").headers
    assert check_content_security_policy() == []


@pytest.mark.parametrize(
    "value",
    [
        "default-src 'self'; scirpt-src 'self'",
        "default-src 'self', img-src *",
        ";",
        "script-src a; script-src b",
    ],
)
def test_a_malformed_policy_is_an_error_and_the_default_is_sent(settings: Any, value: str) -> None:
    settings.SOCLE_CONTENT_SECURITY_POLICY = value
    assert [m.id for m in check_content_security_policy()] == ["socle.E089"]
    assert Client().get("/cas/login").headers[POLICY] == csp.DEFAULT_POLICY


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://appli.example.org/accueil?x=1", "https://appli.example.org"),
        ("http://10.0.0.5:8080/cas", "http://10.0.0.5:8080"),
        ("https://[2001:db8::1]/", "https://[2001:db8::1]"),
        ("https://a.example.org;script-src*/", ""),
        ("https://a b.example.org/", ""),
        ("javascript:alert(1)", ""),
        ("https://x.example.org:99999/", ""),
    ],
)
def test_it_names_only_plain_origins(url: str, origin: str) -> None:
    assert csp.origin(url) == origin


TEMPLATES = Path(socle.__file__).parent
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE
)


def test_no_template_holds_an_inline_script_handler_or_style() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_launcher_s_form_may_reach_its_service(
    client: Client, pupil: Person, service: Service
) -> None:
    service.url = "https://appli.example.org/accueil"
    service.save()
    client.force_login(pupil)
    page = client.get(f"/services/{service.code}/")
    assert page.status_code == 200 and b"<form" in page.content
    assert page.headers[POLICY] == SERVICE_POLICY
