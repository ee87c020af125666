"""The ENT's name (``SOCLE_ENT_NAME``) is what users read where the product is named: the
header's brand, the end of every page's title, the footer and the bare error pages. « Socle »
when it is not set."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings
from django.views.defaults import bad_request, server_error
from lxml import html

from socle.directory.models import Person
from tests.factories import make_person
from tests.portal.conftest import logged_in

NAME = "Mon ENT Occitanie"


def _page(content: bytes) -> html.HtmlElement:
    return html.fromstring(content)


def _brand(page: html.HtmlElement) -> str:
    return page.findtext(".//header//span[@class='brand-name']")


def _title(page: html.HtmlElement) -> str:
    return page.findtext(".//title")


@override_settings(SOCLE_ENT_NAME=NAME)
def test_it_names_the_ent_in_the_header_title_and_footer_of_the_portal(
    superuser: Person,
) -> None:
    for client, url, title in (
        (Client(), "/", "Accueil"),
        (logged_in(superuser), "/", "Mon espace"),
        (logged_in(superuser), "/gestion/", "Gestion portail"),
    ):
        page = _page(client.get(url).content)
        assert _brand(page) == NAME, url
        assert _title(page) == f"{title} — {NAME}", url
        footer = page.find(".//footer").text_content()
        assert f"{NAME} — espace numérique de travail." in footer
        assert "Socle" not in page.find(".//header").text_content() + footer + _title(page)


@override_settings(SOCLE_ENT_NAME=NAME)
def test_it_titles_the_login_page_after_the_ent(client: Client) -> None:
    page = _page(client.get("/cas/login").content)
    assert _title(page) == f"Connexion — {NAME}"
    assert page.findtext(".//h1") == f"Connexion à {NAME}"
    assert _brand(page) == NAME


@override_settings(SOCLE_ENT_NAME=NAME)
def test_it_names_the_ent_on_the_page_not_found_and_the_expired_form(client: Client) -> None:
    page = _page(client.get("/nulle-part/").content)
    assert _title(page) == f"Page introuvable — {NAME}" and _brand(page) == NAME
    csrf = Client(enforce_csrf_checks=True).post("/cas/login", {"username": "x"})
    assert csrf.status_code == 403
    page = _page(csrf.content)
    assert _title(page) == f"Formulaire expiré — {NAME}" and _brand(page) == NAME


@override_settings(SOCLE_ENT_NAME=NAME)
def test_it_names_the_ent_on_the_bare_error_pages() -> None:
    request = RequestFactory().get("/")
    page = _page(server_error(request).content)
    assert _title(page) == f"Erreur — {NAME}" and _brand(page) == NAME
    page = _page(bad_request(request, Exception()).content)
    assert _title(page) == f"Demande refusée — {NAME}" and _brand(page) == NAME


@pytest.mark.parametrize("value", [None, "", "   "])
def test_it_still_renders_the_500_page_without_a_usable_name(value: str | None) -> None:
    with override_settings(SOCLE_ENT_NAME=value):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert _brand(_page(response.content)) == "Socle"


def test_it_says_socle_when_the_ent_has_no_name(client: Client) -> None:
    page = _page(client.get("/").content)
    assert _brand(page) == "Socle" and _title(page) == "Accueil — Socle"


@override_settings(SOCLE_ENT_NAME="ENT <b>77</b> & Cie")
def test_it_escapes_the_ent_name(client: Client) -> None:
    content = client.get("/").content.decode()
    assert "<b>77</b>" not in content
    assert _brand(_page(content.encode())) == "ENT <b>77</b> & Cie"


@override_settings(SOCLE_ENT_NAME="Mon ENT Occitanie")
def test_the_django_admin_names_the_ent() -> None:
    admin = make_person("Alex", "Admin", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    page = html.fromstring(browser.get("/django-admin/").content.decode())
    assert page.findtext(".//title").endswith("Mon ENT Occitanie — administration technique")
    assert page.xpath("string(//*[@id='site-name'])").strip() == (
        "Mon ENT Occitanie — administration technique"
    )
