"""« Ce formulaire a expiré » (CSRF failure): a login POST offers the login form again, for the
same service, so that a pupil who came from PRONOTE does not lose it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.test import Client
from lxml import etree

from tests.cas.conftest import SERVICE_URL
from tests.factories import DEFAULT_PASSWORD


def _expired_login(data: dict[str, str], query: str = "") -> tuple[int, etree._Element]:
    """A login POST whose CSRF token does not match (a form open too long, cookies cleared)."""
    browser = Client(enforce_csrf_checks=True)
    browser.get("/cas/login")  # a CSRF cookie, but the form's token is missing
    response = browser.post("/cas/login" + query, data)
    return response.status_code, etree.HTML(response.content)


def _back_to_login(page: etree._Element) -> dict[str, list[str]] | None:
    for link in page.find(".//main").iter("a"):  # the header has its own « Se connecter »
        href = link.get("href") or ""
        if urlsplit(href).path == "/cas/login":
            assert not urlsplit(href).netloc  # only our own login page
            return parse_qs(urlsplit(href).query)
    return None


def test_it_offers_the_login_form_again_for_the_same_service(pupil, service) -> None:
    data = {"username": pupil.login, "password": DEFAULT_PASSWORD, "service": SERVICE_URL}
    status, page = _expired_login(data)
    assert status == 403 and "Ce formulaire a expiré" in page.findtext(".//h1")
    assert _back_to_login(page) == {"service": [SERVICE_URL]}


def test_it_keeps_renew_and_method_of_the_failed_login(pupil, service) -> None:
    data = {"username": "x", "password": "y", "service": SERVICE_URL, "renew": "true"}
    _, page = _expired_login({**data, "method": "POST"})
    assert _back_to_login(page) == {
        "service": [SERVICE_URL],
        "renew": ["true"],
        "method": ["POST"],
    }


def test_it_reads_the_service_of_the_query_string_too(pupil, service) -> None:
    _, page = _expired_login({"username": "x"}, query=f"?service={SERVICE_URL}")
    assert _back_to_login(page) == {"service": [SERVICE_URL]}


def test_it_offers_the_plain_login_form_without_a_service(pupil) -> None:
    _, page = _expired_login({"username": "x", "password": "y"})
    assert _back_to_login(page) == {}


def test_the_link_leads_to_the_login_form_of_the_service(pupil, service) -> None:
    _, page = _expired_login({"username": "x", "service": SERVICE_URL})
    link = page.find(".//main//a[@class='btn']").get("href")
    form = Client().get(link)
    assert form.status_code == 200
    hidden = etree.HTML(form.content).find(".//input[@name='service']")
    assert hidden.get("value") == SERVICE_URL


def test_an_unknown_service_passed_through_is_refused_by_the_login_page(pupil) -> None:
    _, page = _expired_login({"username": "x", "service": "https://evil.example/"})
    link = page.find(".//main//a[@class='btn']").get("href")
    assert Client().get(link).status_code == 403  # « Service non autorisé », no redirect


def test_other_forms_keep_the_plain_advice(pupil) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(pupil)
    response = browser.post("/compte/mot-de-passe", {"old_password": "x"})
    assert response.status_code == 403
    page = etree.HTML(response.content)
    assert _back_to_login(page) is None
    assert "Revenez à la page précédente" in response.content.decode()


def test_it_says_it_in_english_too(pupil, service) -> None:
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    browser.get("/cas/login")
    response = browser.post("/cas/login", {"username": "x", "service": SERVICE_URL})
    assert response.status_code == 403
    assert "Back to the login page" in response.content.decode()
