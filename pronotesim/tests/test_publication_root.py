"""PRONOTE.net's publication root (« racine »): ``/pronote/`` by default, ``PRONOTESIM_ROOT``
otherwise — the field guides write both ``…/pronote/`` and ``…/Pronote/``. The case is kept:
a URL's path is case-sensitive, and the service PRONOTE.net gives the CAS is its public URL."""

from urllib.parse import quote

import pytest
from django.test import Client, override_settings
from lxml import html

from pronotesim.base.models import PronoteUser
from pronotesim.env import ConfigurationError, env_root
from tests.helpers import CAS_URL, FakeCas, configure, text_of

CAPITAL = "http://testserver/Pronote/"
capital_root = override_settings(PRONOTESIM_ROOT="Pronote", ROOT_URLCONF="tests.urls_capital_root")


def test_it_reads_the_root_as_one_segment_with_its_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRONOTESIM_ROOT", raising=False)
    assert env_root("PRONOTESIM_ROOT", "pronote") == "pronote"
    monkeypatch.setenv("PRONOTESIM_ROOT", "/Pronote/")
    assert env_root("PRONOTESIM_ROOT", "pronote") == "Pronote"
    for wrong in ("pro/note", "pronote?x", "../etc"):
        monkeypatch.setenv("PRONOTESIM_ROOT", wrong)
        with pytest.raises(ConfigurationError, match="racine de publication invalide"):
            env_root("PRONOTESIM_ROOT", "pronote")


@capital_root
def test_it_serves_the_espaces_under_the_capital_root_only(pupil: PronoteUser) -> None:
    configure(public_url=CAPITAL)
    response = Client().get("/Pronote/eleve.html")
    assert response.status_code == 302
    assert response["Location"] == (
        f"{CAS_URL}/login?service={quote(CAPITAL + 'eleve.html', safe='')}"
    )
    assert Client().get("/pronote/eleve.html").status_code == 404
    assert Client().get("/")["Location"] == "/Pronote/"


@capital_root
def test_it_opens_the_espace_and_writes_its_links_under_the_capital_root(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    configure(public_url=CAPITAL)
    client = Client()
    ticket = fake_cas.issue(CAPITAL + "eleve.html", "NAA31616", idPronote=pupil.pronote_id)
    response = client.get(f"/Pronote/eleve.html?ticket={ticket}")
    assert response["Location"] == "/Pronote/eleve.html"
    page = client.get("/Pronote/eleve.html")
    assert "Espace Élèves — MARTIN CAMILLE" in text_of(page)
    document = html.fromstring(page.content)
    assert document.xpath("//form/@action") == ["/Pronote/deconnexion"]


@capital_root
def test_it_refuses_a_ticket_whose_audience_has_the_other_case(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    """An ENT that rewrote the service to ``/pronote/`` answers for another address: refused."""
    configure(public_url=CAPITAL)
    ticket = fake_cas.issue(CAPITAL + "eleve.html", "NAA31616", idPronote=pupil.pronote_id)
    fake_cas.audience = "http://testserver/pronote/eleve.html"
    client = Client()
    response = client.get(f"/Pronote/eleve.html?ticket={ticket}", follow=True)
    assert "l'assertion SAML est destinée à un autre service" in text_of(response)


@capital_root
def test_the_console_shows_the_capital_root_to_give_the_ent(pupil: PronoteUser) -> None:
    configure(public_url=CAPITAL, published=False)
    client = Client()
    client.post("/Pronote/administration/connexion", {"password": "spr-test"})
    page = client.get("/Pronote/administration/ent")
    document = html.fromstring(page.content)
    assert document.get_element_by_id("url-socle-ent").text == CAPITAL + "**"
    assert document.get_element_by_id("url-directe").text == CAPITAL + "?login=true"
