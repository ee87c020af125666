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
        "warn",
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


def _focused(content: bytes) -> list[str]:
    return [i.get("name") for i in html.fromstring(content).xpath("//input[@autofocus]")]


def test_it_puts_the_focus_on_the_username_of_a_new_form(client: Client, service) -> None:
    assert _focused(client.get("/cas/login", {"service": SERVICE_URL}).content) == ["username"]


def test_it_puts_the_focus_on_the_password_after_a_wrong_password(
    client: Client, pupil: Person
) -> None:
    answer = client.post("/cas/login", {"username": pupil.login, "password": "wrong"})
    assert _focused(answer.content) == ["password"]


def test_it_puts_the_focus_on_the_username_when_it_is_missing_or_wrong(client: Client) -> None:
    assert _focused(client.post("/cas/login", {"username": "", "password": "x"}).content) == [
        "username"
    ]
    too_long = {"username": "x" * (MAX_LOGIN_LENGTH + 1), "password": "x"}
    assert _focused(client.post("/cas/login", too_long).content) == ["username"]


def _header_login_links(content: bytes) -> list[str]:
    header = html.fromstring(content).xpath("//header")[0]
    return [a.get("href") for a in header.xpath(".//a") if "/cas/login" in (a.get("href") or "")]


def test_it_shows_no_header_login_link_on_the_login_page(client: Client, pupil: Person) -> None:
    assert _header_login_links(client.get("/cas/login").content) == []
    failed = client.post("/cas/login", {"username": pupil.login, "password": "wrong"})
    assert _header_login_links(failed.content) == []


def test_it_shows_no_header_login_link_on_the_queue_page(
    client: Client, pupil: Person, monkeypatch
) -> None:
    from socle.core.admission import QueueFull

    def full(*args: object, **kwargs: object) -> object:
        raise QueueFull(7)

    monkeypatch.setattr("socle.cas.authentication.password_hash_slot", full)
    queued = client.post("/cas/login", {"username": pupil.login, "password": "x"})
    assert queued.status_code == 503 and _header_login_links(queued.content) == []


def test_other_pages_keep_the_header_login_link(client: Client) -> None:
    assert _header_login_links(client.get("/cas/logout").content) != []


def test_it_tells_whoever_forgot_their_password_what_to_do(client: Client) -> None:
    page = html.fromstring(client.get("/cas/login").content)
    helps = [p.text_content() for p in page.xpath("//p[@class='help']")]
    assert any(h.startswith("Mot de passe oublié ? L'administrateur de l'ENT") for h in helps)
