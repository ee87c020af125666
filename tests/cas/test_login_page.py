"""The login form, written out by hand in cas/login.html (no widget templates)."""

from __future__ import annotations

from django.test import Client
from lxml import html

from socle.cas.authentication import MAX_LOGIN_LENGTH
from socle.directory.models import Person
from tests.cas.conftest import SERVICE_URL


def _inputs(content: bytes) -> dict[str, html.HtmlElement]:
    page = html.fromstring(content)
    return {i.get("name"): i for i in page.xpath("//form[@method='post']//input")}


def test_it_offers_every_field_of_the_form_with_its_attributes(client: Client, service) -> None:
    inputs = _inputs(client.get("/cas/login", {"service": SERVICE_URL}).content)
    assert set(inputs) == {
        "csrfmiddlewaretoken",
        "username",
        "password",
        "service",
        "renew",
        "next",
        "method",
    }
    assert inputs["service"].get("value") == SERVICE_URL
    assert inputs["username"].get("id") == "id_username"
    assert inputs["username"].get("maxlength") == str(MAX_LOGIN_LENGTH)
    assert inputs["username"].get("autocomplete") == "username"
    assert inputs["password"].get("type") == "password"
    assert inputs["password"].get("autocomplete") == "current-password"


def test_it_keeps_the_login_but_never_the_password_after_a_failure(
    client: Client, pupil: Person
) -> None:
    answer = client.post("/cas/login", {"username": pupil.login, "password": "wrong"})
    inputs = _inputs(answer.content)
    assert inputs["username"].get("value") == pupil.login
    assert inputs["password"].get("value") in (None, "")


def test_it_marks_a_missing_field_for_screen_readers(client: Client) -> None:
    answer = client.post("/cas/login", {"username": "", "password": ""})
    page = html.fromstring(answer.content)
    username = page.get_element_by_id("id_username")
    assert username.get("aria-invalid") == "true"
    error = page.get_element_by_id(username.get("aria-describedby"))
    assert "Saisissez votre identifiant" in error.text_content()


def test_it_escapes_what_it_writes_back(client: Client) -> None:
    answer = client.post("/cas/login", {"username": '"><script>x</script>', "password": "x"})
    assert b"<script>x</script>" not in answer.content
