"""The footer's « Accessibilité : … conforme » link to the operator's accessibility statement
(RGAA 4.1: a French public service shows its compliance status on every page, linked to its
« déclaration d'accessibilité »), and the checks of its settings."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from lxml import etree

from socle.portal.statement import check_accessibility_statement
from tests.factories import make_person

STATEMENT = "https://ent.example.org/accessibilite"


def _footer_links(client: Client, path: str) -> list[tuple[str, str]]:
    page = etree.HTML(client.get(path).content)
    return [(a.get("href"), "".join(a.itertext()).strip()) for a in page.iterfind(".//footer//a")]


@override_settings(SOCLE_ACCESSIBILITY_URL=STATEMENT, SOCLE_ACCESSIBILITY_COMPLIANCE="partial")
@pytest.mark.parametrize("path", ["/", "/cas/login", "/nulle-part/"])
def test_it_links_the_statement_with_its_compliance_status_in_every_footer(path: str) -> None:
    assert _footer_links(Client(), path) == [(STATEMENT, "Accessibilité : partiellement conforme")]


@override_settings(SOCLE_ACCESSIBILITY_URL=STATEMENT)
def test_it_says_non_conforme_until_the_operator_says_otherwise() -> None:
    client = Client()
    client.force_login(make_person("Camille", "Martin"))
    assert _footer_links(client, "/") == [
        ("/mes-donnees/", "Mes données"),
        (STATEMENT, "Accessibilité : non conforme"),
    ]
    english = Client(headers={"Accept-Language": "en"})
    assert _footer_links(english, "/") == [(STATEMENT, "Accessibility: not compliant")]


def test_it_shows_no_statement_link_without_an_address() -> None:
    assert _footer_links(Client(), "/") == []


def _ids() -> set[str]:
    return {message.id for message in check_accessibility_statement()}


def test_the_default_configuration_passes() -> None:
    assert _ids() == set()


@override_settings(SOCLE_BASE_URL="https://ent.example.org", DEBUG=False)
def test_it_warns_when_production_links_no_statement() -> None:
    assert _ids() == {"socle.W043"}
    with override_settings(SOCLE_ACCESSIBILITY_URL=STATEMENT):
        assert _ids() == set()


@override_settings(SOCLE_ACCESSIBILITY_URL="accessibilite.html")
def test_a_relative_statement_address_is_an_error() -> None:
    assert _ids() == {"socle.E044"}
