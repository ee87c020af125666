"""The administration pages: SPR protection, « Intégration dans un ENT », resource lists."""

from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from lxml import html

from pronotesim.console.models import ServerSettings
from tests.helpers import configure, make_establishment, make_user, text_of

ENT = "/pronote/administration/ent"


def spr_client() -> Client:
    client = Client()
    client.post("/pronote/administration/connexion", {"password": "spr-test"})
    return client


def ent_form(**overrides: str) -> dict[str, str]:
    data = {
        "cas_enabled": "on",
        "ent_project": "Autre",
        "other_cas_url": "http://127.0.0.1:8000/cas",
        "public_url": "http://127.0.0.1:8001/pronote/",
        "direct_login_allowed": "on",
        "common_id_source": "subject",
        "recognition": "pronote",
        "id_attribute": "idPronote",
        "rapprochement_code": "PRONOTECAS",
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def establishment() -> None:
    make_establishment()


def test_the_administration_needs_the_spr_password() -> None:
    response = Client().get("/pronote/administration/")
    assert response.status_code == 302
    assert response["Location"].startswith("/pronote/administration/connexion?next=")


def test_a_wrong_spr_password_is_refused() -> None:
    response = Client().post("/pronote/administration/connexion", {"password": "nope"})
    assert response.status_code == 401
    assert "Mot de passe incorrect." in text_of(response)


def test_the_spr_login_never_redirects_outside() -> None:
    response = Client().post(
        "/pronote/administration/connexion",
        {"password": "spr-test", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/pronote/administration/"


@override_settings(PRONOTESIM_SPR_PASSWORD="")
def test_the_stored_spr_password_works_when_no_env_password() -> None:
    call_command("set_spr_password", "--password", "mot-de-passe-spr")
    client = Client()
    response = client.post("/pronote/administration/connexion", {"password": "mot-de-passe-spr"})
    assert response.status_code == 302
    assert client.get("/pronote/administration/").status_code == 200


@override_settings(PRONOTESIM_SPR_PASSWORD="", DEBUG=True)
def test_without_any_spr_password_the_pages_are_open_in_debug() -> None:
    assert Client().get("/pronote/administration/").status_code == 200


@override_settings(PRONOTESIM_SPR_PASSWORD="", DEBUG=False)
def test_without_any_spr_password_the_pages_stay_closed_outside_debug() -> None:
    response = Client().get("/pronote/administration/connexion")
    assert "set_spr_password" in text_of(response)
    assert Client().get("/pronote/administration/").status_code == 302


def test_settings_cannot_change_while_the_base_is_published() -> None:
    configure(cas_enabled=False, cas_url="", public_url="")
    client = spr_client()
    page = text_of(client.get(ENT))
    assert (
        "Vous devez arrêter la publication de la base pour pouvoir modifier ces paramètres" in page
    )
    client.post(ENT, ent_form())
    assert ServerSettings.load().cas_enabled is False


def test_the_ent_page_shows_the_derived_links() -> None:
    configure(cas_enabled=False, published=True)
    client = spr_client()
    client.post("/pronote/administration/publication", {"action": "arreter"})
    response = client.post(ENT, ent_form())
    assert response.status_code == 200
    server = ServerSettings.load()
    assert server.cas_enabled and server.cas_url == "http://127.0.0.1:8000/cas"
    page = text_of(response)
    service = quote("http://127.0.0.1:8001/pronote/", safe="")
    assert "URL du serveur CAS http://127.0.0.1:8000/cas" in page
    assert f"Lien d'authentification http://127.0.0.1:8000/cas/login?service={service}" in page
    assert f"Lien de validation http://127.0.0.1:8000/cas/saml/Validate?TARGET={service}" in page
    assert (
        "URL de PRONOTE.net pour le serveur CAS / URL à communiquer au socle ENT "
        "http://127.0.0.1:8001/pronote/**"
    ) in page
    assert "http://127.0.0.1:8001/pronote/?login=true" in page


def test_the_public_url_input_is_not_labelled_as_the_pattern() -> None:
    """« URL de PRONOTE.net pour le serveur CAS » names the …/pronote/** pattern (field
    documents), not the public address typed in."""
    configure(published=False)
    document = html.fromstring(spr_client().get(ENT).content.decode())
    label = document.xpath("//label[@for='id_public_url']")[0].text_content().strip()
    assert label == "Adresse publique de PRONOTE.net"
    pattern_row = document.xpath("//code[@id='url-socle-ent']/ancestor::tr/th")[0]
    assert "URL de PRONOTE.net pour le serveur CAS" in pattern_row.text_content()


def test_choosing_a_listed_ent_fills_its_cas_url() -> None:
    configure(published=False)
    client = spr_client()
    client.post(ENT, ent_form(ent_project="Mon ENT Occitanie", other_cas_url=""))
    assert ServerSettings.load().cas_url == "https://cas.mon-ent-occitanie.fr"
    page = text_of(client.get(ENT))
    assert "Mon ENT Occitanie" in page and "https://cas.mon-ent-occitanie.fr" in page
    assert "Atrium (Région PACA)" in page


def test_the_form_refuses_autre_without_a_url() -> None:
    configure(published=False)
    response = spr_client().post(ENT, ent_form(other_cas_url="pas une url"))
    assert response.status_code == 400
    assert "Saisissez l'URL http(s) du serveur CAS." in text_of(response)


def test_recognition_by_identity_is_chosen_on_the_page() -> None:
    configure(published=False)
    spr_client().post(ENT, ent_form(recognition="identity"))
    assert ServerSettings.load().recognition == "identity"


def test_publication_can_be_stopped_and_restarted() -> None:
    client = spr_client()
    client.post("/pronote/administration/publication", {"action": "arreter"})
    assert ServerSettings.load().published is False
    client.post("/pronote/administration/publication", {"action": "publier"})
    assert ServerSettings.load().published is True


def test_configure_ent_sets_everything_from_the_command_line() -> None:
    call_command(
        "configure_ent",
        "--cas-url",
        "http://127.0.0.1:8000/cas",
        "--recognition",
        "identity",
        "--id-attribute",
        "idPN",
        "--direct-login",
        "off",
        "--public-url",
        "http://127.0.0.1:8001/pronote",
    )
    server = ServerSettings.load()
    assert server.cas_enabled and server.ent_project == "Autre"
    assert server.cas_url == "http://127.0.0.1:8000/cas"
    assert server.recognition == "identity" and server.id_attribute == "idPN"
    assert server.direct_login_allowed is False
    assert server.public_url == "http://127.0.0.1:8001/pronote/"


def test_configure_ent_recognises_a_listed_cas_url_and_can_turn_cas_off() -> None:
    call_command("configure_ent", "--ent", "ENTmip")
    assert ServerSettings.load().cas_url == "https://cas.entmip.fr"
    call_command("configure_ent", "--cas", "off")
    assert ServerSettings.load().cas_enabled is False


def test_configure_ent_refuses_a_bad_url() -> None:
    with pytest.raises(CommandError, match="other_cas_url"):
        call_command("configure_ent", "--cas-url", "ftp://x")


def test_the_users_list_shows_identifiers_and_filters() -> None:
    make_user(last_name="MARTIN", first_name="Camille", cas_identifier="NAA31616")
    make_user(category="enseignant", last_name="BERRONE", first_name="Christian", class_name="")
    client = spr_client()
    page = text_of(client.get("/pronote/administration/utilisateurs?categorie=eleve"))
    assert "MARTIN" in page and "NAA31616" in page and "BERRONE" not in page
    page = text_of(client.get("/pronote/administration/utilisateurs?sans_cas=1"))
    assert "BERRONE" in page and "MARTIN" not in page


def test_it_lists_users_in_french_alphabetical_order() -> None:
    for first_name in ("Anthony", "Zoé", "Aïcha", "élodie"):
        make_user(last_name="MARTIN", first_name=first_name)
    make_user(last_name="ÉTIENNE", first_name="Paul")
    make_user(last_name="DUPONT", first_name="Jean")
    tree = html.fromstring(spr_client().get("/pronote/administration/utilisateurs").content)
    names = [
        " ".join(cell.text_content().strip() for cell in row.xpath("td")[:2])
        for row in tree.xpath("//table[@id='utilisateurs']/tbody/tr")
    ]
    assert names == [
        "DUPONT Jean",
        "ÉTIENNE Paul",
        "MARTIN Aïcha",
        "MARTIN Anthony",
        "MARTIN élodie",
        "MARTIN Zoé",
    ]


def test_the_dashboard_counts_users_per_category() -> None:
    make_user(cas_identifier="x")
    make_user()
    page = text_of(spr_client().get("/pronote/administration/"))
    assert "Élève 2 1" in page
