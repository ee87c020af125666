"""PRONOTE's own login form: the usual access without CAS, ``?login=true`` with CAS."""

import pytest
from django.test import Client

from tests.helpers import configure, make_establishment, make_user, text_of


@pytest.fixture
def pupil():
    make_establishment()
    return make_user(direct_login="camille.martin", password="secret-pn-1")


def test_without_cas_the_espace_shows_the_login_form(pupil) -> None:
    configure(cas_enabled=False)
    response = Client().get("/pronote/eleve.html")
    assert response.status_code == 200
    page = text_of(response)
    assert "Espace Élèves" in page and "Identifiant" in page and "Mot de passe" in page


def test_without_cas_the_page_commune_lists_the_espaces(pupil) -> None:
    configure(cas_enabled=False)
    page = text_of(Client().get("/pronote/"))
    for title in (
        "Espace Direction",
        "Espace Professeurs",
        "Espace Vie scolaire",
        "Espace Parents",
        "Espace Accompagnant",
        "Espace Élèves",
    ):
        assert title in page
    assert "Espace Accompagnants" not in page  # the field documents' singular


def test_pronote_credentials_open_the_espace(pupil) -> None:
    configure()
    client = Client()
    response = client.post(
        "/pronote/eleve.html?login=true", {"login": "camille.martin", "password": "secret-pn-1"}
    )
    assert response["Location"] == "/pronote/eleve.html?login=true"
    page = text_of(client.get("/pronote/eleve.html?login=true"))
    assert "Espace Élèves — MARTIN CAMILLE" in page and "Identifiants PRONOTE" in page
    again = text_of(client.get("/pronote/eleve.html?login=true"))  # reloaded: the form again
    assert "MARTIN CAMILLE" not in again and "Connexion avec vos identifiants PRONOTE" in again


def test_the_page_commune_login_leads_to_the_user_espace(pupil) -> None:
    configure()
    response = Client().post(
        "/pronote/?login=true", {"login": "camille.martin", "password": "secret-pn-1"}
    )
    assert response["Location"] == "/pronote/eleve.html?login=true"


def test_a_wrong_password_is_refused(pupil) -> None:
    configure()
    response = Client().post(
        "/pronote/eleve.html?login=true", {"login": "camille.martin", "password": "nope"}
    )
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in text_of(response)


def test_credentials_of_another_category_do_not_open_the_espace(pupil) -> None:
    configure()
    response = Client().post(
        "/pronote/professeur.html?login=true",
        {"login": "camille.martin", "password": "secret-pn-1"},
    )
    assert response.status_code == 401
    assert "Espace Professeurs" in text_of(response)


def test_direct_login_can_be_forbidden_once_cas_is_on(pupil) -> None:
    configure(direct_login_allowed=False)
    response = Client().get("/pronote/eleve.html?login=true")
    assert response.status_code == 403
    assert "n'est pas autorisée" in text_of(response)
    posted = Client().post(
        "/pronote/eleve.html?login=true", {"login": "camille.martin", "password": "secret-pn-1"}
    )
    assert posted.status_code == 403


def test_logout_ends_the_pronote_session(pupil) -> None:
    configure(cas_enabled=False)
    client = Client()
    client.post("/pronote/eleve.html", {"login": "camille.martin", "password": "secret-pn-1"})
    assert "Espace Élèves — MARTIN CAMILLE" in text_of(client.get("/pronote/eleve.html"))
    client.post("/pronote/deconnexion")
    assert "Mot de passe" in text_of(client.get("/pronote/eleve.html"))


def test_the_login_form_is_csrf_protected(pupil) -> None:
    configure()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/pronote/eleve.html?login=true", {"login": "camille.martin", "password": "secret-pn-1"}
    )
    assert response.status_code == 403


def test_a_teachers_espace_names_them_with_their_civility() -> None:
    """« Espace Professeurs — M. BERRONE CHRISTIAN », as the field documents show it."""
    make_establishment()
    make_user(
        category="enseignant",
        last_name="Berrone",
        first_name="Christian",
        civility="M.",
        direct_login="christian.berrone",
        password="secret-pn-2",
    )
    configure()
    client = Client()
    client.post(
        "/pronote/professeur.html?login=true",
        {"login": "christian.berrone", "password": "secret-pn-2"},
    )
    page = text_of(client.get("/pronote/professeur.html"))
    assert "Espace Professeurs — M. BERRONE CHRISTIAN" in page


def test_the_espace_opened_by_direct_login_is_served_once(pupil) -> None:
    """As with CAS: loading the espace again asks for the credentials again (no CAS here)."""
    configure(cas_enabled=False)
    client = Client()
    credentials = {"login": "camille.martin", "password": "secret-pn-1"}
    espace = client.post("/pronote/eleve.html", credentials)["Location"]
    assert "Espace Élèves — MARTIN CAMILLE" in text_of(client.get(espace))
    again = text_of(client.get(espace))
    assert "MARTIN CAMILLE" not in again and "Mot de passe" in again
