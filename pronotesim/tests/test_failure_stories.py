"""The failure stories of the field documents, and how the school administrator fixes them."""

import pytest
from django.test import Client

from pronotesim.base.models import PronoteUser
from pronotesim.console.models import IdentificationRequest, ServerSettings
from pronotesim.espaces.recognition import IMPOSSIBLE, OK, recognise
from pronotesim.espaces.saml import SamlSuccess
from tests.helpers import PUBLIC_URL, FakeCas, configure, make_establishment, make_user, text_of


@pytest.fixture
def duplicate() -> tuple[PronoteUser, PronoteUser]:
    """A pupil entered twice in PRONOTE; the first copy is already bound to the ENT user."""
    make_establishment()
    configure()
    first = make_user(last_name="MARTIN", first_name="Camille", cas_identifier="NAA31616")
    second = make_user(last_name="MARTIN", first_name="Camille")
    return first, second


def spr_client() -> Client:
    client = Client()
    client.post("/pronote/administration/connexion", {"password": "spr-test"})
    return client


def arrive(client: Client, fake_cas: FakeCas, user: str, **attributes: str):
    ticket = fake_cas.issue(PUBLIC_URL + "eleve.html", user, **attributes)
    return client.get(f"/pronote/eleve.html?ticket={ticket}", follow=True)


def test_a_cas_user_bound_to_the_first_copy_cannot_reach_the_second(
    duplicate: tuple[PronoteUser, PronoteUser], fake_cas: FakeCas
) -> None:
    first, second = duplicate
    response = arrive(Client(), fake_cas, "NAA31616", idPronote=second.pronote_id)
    page = text_of(response)
    assert response.status_code == 403
    assert "Identification impossible" in page
    assert "Nous n'avons pas réussi à vous identifier sur votre Espace PRONOTE." in page
    assert (
        "Il est possible que les données personnelles vous concernant ne soient pas "
        "correctement renseignées dans l'ENT" in page
    )
    for label in (
        "Nom",
        "Prénom",
        "Date de naissance",
        "Code postal",
        "Données connues",
        "Corrections éventuelles",
        "Des informations complémentaires",
        "E-mail",
        "Téléphone",
    ):
        assert label in page
    assert (
        "Seul le renvoi d'informations permet à l'établissement d'être informé de votre "
        "échec de connexion" in page
    )


def test_an_account_bound_to_another_cas_user_leads_to_identification_impossible(
    duplicate: tuple[PronoteUser, PronoteUser], fake_cas: FakeCas
) -> None:
    first, _ = duplicate
    response = arrive(Client(), fake_cas, "OTHER-USER", idPronote=first.pronote_id)
    assert "Identification impossible" in text_of(response)
    first.refresh_from_db()
    assert first.cas_identifier == "NAA31616"


def test_the_form_submission_is_listed_for_the_school(
    duplicate: tuple[PronoteUser, PronoteUser], fake_cas: FakeCas
) -> None:
    _, second = duplicate
    client = Client()
    page = text_of(
        arrive(
            client,
            fake_cas,
            "NAA31616",
            idPronote=second.pronote_id,
            nom="MARTIN",
            prenom="Camille",
            dateNaissance="04/03/2012",
            codePostal="31000",
        )
    )
    assert "MARTIN" in page and "04/03/2012" in page
    response = client.post(
        "/pronote/identification-impossible",
        {
            "prenom": "Camille-Marie",
            "comment": "Je suis en 4A",
            "email": "c@example.org",
            "phone": "0600000000",
        },
    )
    assert "Vos informations ont été transmises à l'établissement." in text_of(response)
    request = IdentificationRequest.objects.get()
    assert request.cas_user == "NAA31616"
    assert request.known["nom"] == "MARTIN"
    assert request.corrections["prenom"] == "Camille-Marie"
    assert request.espace == "Espace Élèves"
    listing = text_of(spr_client().get("/pronote/administration/echecs"))
    assert "NAA31616" in listing and "Je suis en 4A" in listing and "c@example.org" in listing


def test_the_form_cannot_be_posted_without_a_failed_connection(duplicate) -> None:
    response = Client().post("/pronote/identification-impossible", {"nom": "X"})
    assert response.status_code == 400
    assert not IdentificationRequest.objects.exists()


def test_a_bad_email_is_refused_by_the_form(
    duplicate: tuple[PronoteUser, PronoteUser], fake_cas: FakeCas
) -> None:
    client = Client()
    arrive(client, fake_cas, "NAA31616", idPronote=duplicate[1].pronote_id)
    response = client.post("/pronote/identification-impossible", {"email": "not-an-email"})
    assert response.status_code == 400
    assert not IdentificationRequest.objects.exists()


def test_clearing_the_first_copy_identifiant_cas_lets_the_user_in(
    duplicate: tuple[PronoteUser, PronoteUser], fake_cas: FakeCas
) -> None:
    first, second = duplicate
    spr_client().post(f"/pronote/administration/utilisateurs/{first.pk}/supprimer-identifiant-cas")
    first.refresh_from_db()
    assert first.cas_identifier == ""
    client = Client()
    response = arrive(client, fake_cas, "NAA31616", idPronote=second.pronote_id)
    assert response.status_code == 200
    assert "Espace Élèves — MARTIN CAMILLE" in text_of(response)
    second.refresh_from_db()
    assert second.cas_identifier == "NAA31616"


def test_clearing_needs_the_spr(duplicate: tuple[PronoteUser, PronoteUser]) -> None:
    first, _ = duplicate
    response = Client().post(
        f"/pronote/administration/utilisateurs/{first.pk}/supprimer-identifiant-cas"
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.cas_identifier == "NAA31616"


def test_the_plain_url_no_longer_shows_the_login_form_once_cas_is_on(duplicate) -> None:
    response = Client().get("/pronote/")
    assert response.status_code == 302
    assert response["Location"].startswith("http://cas.test/cas/login?service=")
    direct = Client().get("/pronote/?login=true")
    assert direct.status_code == 200
    assert "Mot de passe" in text_of(direct)


def test_the_form_is_shown_once_never_to_the_next_person_at_the_browser(
    duplicate: tuple[PronoteUser, PronoteUser], fake_cas: FakeCas
) -> None:
    """A shared computer: the form shows what the CAS sent (name, birth date, postal code);
    reloaded, reached by « Précédent » or typed again, it has expired."""
    client = Client()
    first = arrive(
        client, fake_cas, "NAA31616", idPronote=duplicate[1].pronote_id, nom="MARTIN",
        dateNaissance="04/03/2012",
    )  # fmt: skip
    assert "04/03/2012" in text_of(first) and "no-store" in first["Cache-Control"]
    again = client.get("/pronote/identification-impossible")
    assert again.status_code == 400
    assert "Votre session a expiré. Reconnectez-vous depuis votre ENT." in text_of(again)
    assert "MARTIN" not in text_of(again) and "04/03/2012" not in text_of(again)
    assert client.post("/pronote/identification-impossible", {"nom": "X"}).status_code == 400
    assert not IdentificationRequest.objects.exists()


def test_a_form_with_errors_can_be_sent_again(
    duplicate: tuple[PronoteUser, PronoteUser], fake_cas: FakeCas
) -> None:
    client = Client()
    arrive(client, fake_cas, "NAA31616", idPronote=duplicate[1].pronote_id)
    assert client.post("/pronote/identification-impossible", {"email": "x"}).status_code == 400
    sent = client.post("/pronote/identification-impossible", {"email": "c@example.org"})
    assert "Vos informations ont été transmises à l'établissement." in text_of(sent)


def test_the_duplicate_story_needs_the_designated_record(
    duplicate: tuple[PronoteUser, PronoteUser],
) -> None:
    """What Socle's diagnostics predict for a record whose person's CAS user name PRONOTE already
    stores on another record: refused when the ENT designates the second record by its
    identifier; in identity mode (no identifier sent) the bound first record simply opens."""
    first, second = duplicate
    designated = SamlSuccess("NAA31616", {"idPronote": [second.pronote_id]})
    refused = recognise(designated, ServerSettings.load())
    assert refused.kind == IMPOSSIBLE
    assert first.pronote_id in refused.reason and second.pronote_id in refused.reason
    configure(recognition="identity")
    identity = SamlSuccess("NAA31616", {"nom": ["MARTIN"], "prenom": ["Camille"]})
    opened = recognise(identity, ServerSettings.load())
    assert (opened.kind, opened.user) == (OK, first)
    second.refresh_from_db()
    assert second.cas_identifier == ""
