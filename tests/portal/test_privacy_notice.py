"""The footer's « Données personnelles » link to the operator's privacy notice (GDPR articles
12–14: the people whose data the ENT holds are told what, why, for how long, their rights), on
every page, the login page included, and the checks of its setting."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from lxml import etree

from socle.portal.statement import check_privacy_notice
from tests.factories import make_person

NOTICE = "https://ent.example.org/donnees-personnelles"
STATEMENT = "https://ent.example.org/accessibilite"


def _footer_links(client: Client, path: str) -> list[tuple[str, str]]:
    page = etree.HTML(client.get(path).content)
    return [(a.get("href"), "".join(a.itertext()).strip()) for a in page.iterfind(".//footer//a")]


@override_settings(SOCLE_PRIVACY_URL=NOTICE)
@pytest.mark.parametrize("path", ["/", "/cas/login", "/nulle-part/"])
def test_it_links_the_privacy_notice_in_every_footer(path: str) -> None:
    assert _footer_links(Client(), path) == [(NOTICE, "Données personnelles")]


@override_settings(SOCLE_PRIVACY_URL=NOTICE, SOCLE_ACCESSIBILITY_URL=STATEMENT)
def test_it_links_the_privacy_notice_before_the_accessibility_statement() -> None:
    client = Client()
    client.force_login(make_person("Camille", "Martin"))
    assert _footer_links(client, "/") == [
        (NOTICE, "Données personnelles"),
        ("/mes-donnees/", "Mes données"),  # for a person logged in
        (STATEMENT, "Accessibilité : non conforme"),
    ]
    english = Client(headers={"Accept-Language": "en"})
    assert _footer_links(english, "/cas/login")[0] == (NOTICE, "Personal data")


@pytest.mark.parametrize("address", ["", "javascript:alert(1)", "donnees.html"])
def test_it_shows_no_privacy_link_without_a_web_address(address: str) -> None:
    with override_settings(SOCLE_PRIVACY_URL=address):
        assert _footer_links(Client(), "/cas/login") == []


def _ids() -> set[str]:
    return {message.id for message in check_privacy_notice()}


def test_the_default_configuration_passes_the_privacy_check() -> None:
    assert _ids() == set()


@override_settings(SOCLE_BASE_URL="https://ent.example.org", DEBUG=False)
def test_it_warns_when_production_links_no_privacy_notice() -> None:
    assert _ids() == {"socle.W049"}
    with override_settings(SOCLE_PRIVACY_URL=NOTICE):
        assert _ids() == set()


@override_settings(SOCLE_PRIVACY_URL="donnees.html")
def test_a_relative_privacy_notice_address_is_an_error() -> None:
    assert _ids() == {"socle.E048"}
