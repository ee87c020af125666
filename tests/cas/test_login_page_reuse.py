"""The login form is rendered once and reused for visitors who would get the same page."""

from __future__ import annotations

import re

from django.test import Client

from socle.cas import login_page
from tests.cas.conftest import SERVICE_URL


def token_in(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_it_reuses_the_page_with_each_visitors_own_token(service, monkeypatch):
    first = Client(enforce_csrf_checks=True).get("/cas/login", {"service": SERVICE_URL})
    renders = []
    monkeypatch.setattr("socle.cas.views.login.render", lambda *a, **k: renders.append(1) or None)
    visitor = Client(enforce_csrf_checks=True)
    second = visitor.get("/cas/login", {"service": SERVICE_URL})
    assert renders == []  # not rendered again
    html, first_html = second.content.decode(), first.content.decode()
    assert token_in(html) != token_in(first_html)
    assert html.replace(token_in(html), "") == first_html.replace(token_in(first_html), "")
    assert "socle_csrftoken" in second.cookies  # the token's cookie is set as for a rendering


def test_the_reused_page_posts_like_a_rendered_one(pupil, service):
    Client().get("/cas/login", {"service": SERVICE_URL})  # stores the page
    visitor = Client(enforce_csrf_checks=True)
    form = visitor.get("/cas/login", {"service": SERVICE_URL})
    answer = visitor.post(
        f"/cas/login?service={SERVICE_URL}",
        {
            "username": pupil.login,
            "password": "correct horse battery staple",
            "service": SERVICE_URL,
            "csrfmiddlewaretoken": token_in(form.content.decode()),
        },
    )
    assert answer.status_code == 302 and "ticket=ST-" in answer["Location"]


def test_pages_differ_by_service_and_hidden_fields(service):
    client = Client()
    client.get("/cas/login", {"service": SERVICE_URL})
    renewed = client.get("/cas/login", {"service": SERVICE_URL, "renew": "true"})
    assert 'name="renew" value="true"' in renewed.content.decode()
    other = client.get("/cas/login", {"service": SERVICE_URL + "?x=1"})
    assert SERVICE_URL + "?x=1" in other.content.decode().replace("&amp;", "&")


def test_it_renders_for_a_visitor_with_a_portal_session_or_an_error(pupil, service):
    from tests.cas.conftest import cas_login

    client = Client()
    client.get("/cas/login", {"service": SERVICE_URL})
    key_count = len(login_page._pages)
    failed = cas_login(client, pupil, SERVICE_URL, password="wrong")  # a bound form
    assert "incorrect" in failed.content.decode()
    client.cookies["socle_session"] = "anything"
    client.get("/cas/login", {"service": SERVICE_URL})
    assert len(login_page._pages) == key_count


def test_stored_pages_are_bounded(service, monkeypatch):
    monkeypatch.setattr(login_page, "MAX_PAGES", 3)
    for index in range(10):
        Client().get("/cas/login", {"service": f"{SERVICE_URL}?page={index}"})
    assert len(login_page._pages) <= 3
