"""First-connection recognition « Avec l'identité de l'utilisateur » and « Par double
authentification »."""

from datetime import date

import pytest
from django.test import Client

from pronotesim.base.models import PronoteUser
from pronotesim.console.models import ServerSettings
from pronotesim.espaces.recognition import IMPOSSIBLE, recognise
from pronotesim.espaces.saml import SamlSuccess
from tests.helpers import PUBLIC_URL, FakeCas, configure, make_establishment, make_user, text_of


def arrive(client: Client, fake_cas: FakeCas, page: str, user: str, **attributes: str):
    ticket = fake_cas.issue(PUBLIC_URL + page, user, **attributes)
    return client.get(f"/pronote/{page}?ticket={ticket}", follow=True)


@pytest.fixture
def identity_mode() -> PronoteUser:
    make_establishment()
    configure(recognition="identity")
    return make_user(
        last_name="LEFÈVRE", first_name="Anaïs", birth_date=date(2012, 3, 4), postal_code="31000"
    )


IDENTITY = {
    "nom": "Lefevre",
    "prenom": "ANAIS",
    "dateNaissance": "04/03/2012",
    "codePostal": "31000",
    "categories": "National_1",
}


def test_identity_recognises_names_without_case_or_accents(
    identity_mode: PronoteUser, fake_cas: FakeCas
) -> None:
    response = arrive(Client(), fake_cas, "eleve.html", "u-ana", **IDENTITY)
    assert "Espace Élèves — LEFÈVRE ANAÏS" in text_of(response)
    identity_mode.refresh_from_db()
    assert identity_mode.cas_identifier == "u-ana"


def test_identity_with_another_birth_date_is_not_recognised(
    identity_mode: PronoteUser, fake_cas: FakeCas
) -> None:
    response = arrive(
        Client(), fake_cas, "eleve.html", "u", **{**IDENTITY, "dateNaissance": "05/03/2012"}
    )
    assert "Identification impossible" in text_of(response)


def test_identity_with_another_category_is_not_recognised(
    identity_mode: PronoteUser, fake_cas: FakeCas
) -> None:
    response = arrive(
        Client(), fake_cas, "eleve.html", "u", **{**IDENTITY, "categories": "National_2"}
    )
    assert "Identification impossible" in text_of(response)


def test_several_categories_are_joined_by_a_semicolon(
    identity_mode: PronoteUser, fake_cas: FakeCas
) -> None:
    response = arrive(
        Client(), fake_cas, "eleve.html", "u", **{**IDENTITY, "categories": "National_1;National_2"}
    )
    assert "Espace Élèves — LEFÈVRE ANAÏS" in text_of(response)


@pytest.mark.parametrize(
    ("attribute", "value", "reason"),
    [
        ("dateNaissance", "2012-03-04", "date de naissance « 2012-03-04 » illisible"),
        ("dateNaissance", "4/3/2012", "date de naissance « 4/3/2012 » illisible"),
        ("dateNaissance", "31/02/2012", "date de naissance « 31/02/2012 » illisible"),
        ("categories", "National_1,National_2", "catégories « National_1,National_2 » illisibles"),
        ("categories", "National_1; National_2", "catégories « National_1; National_2 »"),
        ("categories", "national_1", "catégories « national_1 » illisibles"),
    ],
)
def test_an_identity_in_another_form_is_refused_not_guessed(
    identity_mode: PronoteUser, fake_cas: FakeCas, attribute: str, value: str, reason: str
) -> None:
    """Strict on purpose (docs/pronotesim.md): JJ/MM/AAAA only, « ; » only, exact codes."""
    response = arrive(Client(), fake_cas, "eleve.html", "u", **{**IDENTITY, attribute: value})
    assert "Identification impossible" in text_of(response)
    identity_mode.refresh_from_db()
    assert identity_mode.cas_identifier == ""
    attributes = {name: [text] for name, text in {**IDENTITY, attribute: value}.items()}
    outcome = recognise(SamlSuccess("u", attributes), ServerSettings.load())
    assert outcome.kind == IMPOSSIBLE
    assert outcome.reason.startswith("Identité envoyée par le serveur CAS illisible : ")
    assert reason in outcome.reason


def test_an_iso_birth_date_is_refused_even_when_pronote_has_none(fake_cas: FakeCas) -> None:
    make_establishment()
    configure(recognition="identity")
    make_user(category="enseignant", last_name="BERRONE", first_name="Christian", birth_date=None)
    response = arrive(
        Client(), fake_cas, "professeur.html", "prof",
        nom="Berrone", prenom="Christian", dateNaissance="1970-01-01", categories="National_3",
    )  # fmt: skip
    assert "Identification impossible" in text_of(response)


def test_homonyms_are_never_guessed(identity_mode: PronoteUser, fake_cas: FakeCas) -> None:
    make_user(last_name="Lefevre", first_name="Anais", birth_date=date(2012, 3, 4))
    client = Client()
    response = arrive(client, fake_cas, "eleve.html", "u", **IDENTITY)
    page = text_of(response)
    assert "Identification impossible" in page
    assert "Lefevre" in page and "04/03/2012" in page  # « Données connues »
    assert PronoteUser.objects.exclude(cas_identifier="").count() == 0


def test_it_says_identification_impossible_in_identity_mode_without_identity_attributes(
    identity_mode: PronoteUser, fake_cas: FakeCas
) -> None:
    """What Socle predicts for a plain-http TARGET (no attribute at all): identity mode's refusal
    of the field documents, with empty « Données connues »; no missing-attribute message."""
    response = arrive(Client(), fake_cas, "eleve.html", "u")
    page = text_of(response)
    assert "Identification impossible" in page
    assert "renvoyer" not in page
    assert PronoteUser.objects.exclude(cas_identifier="").count() == 0


def test_a_missing_birth_date_in_pronote_does_not_block_a_teacher(fake_cas: FakeCas) -> None:
    make_establishment()
    configure(recognition="identity")
    teacher = make_user(
        category="enseignant",
        last_name="BERRONE",
        first_name="Christian",
        birth_date=None,
        class_name="",
    )
    response = arrive(
        Client(),
        fake_cas,
        "professeur.html",
        "prof",
        nom="Berrone",
        prenom="Christian",
        dateNaissance="01/01/1970",
        categories="National_3",
    )
    assert "Espace Professeurs — BERRONE CHRISTIAN" in text_of(response)
    teacher.refresh_from_db()
    assert teacher.cas_identifier == "prof"


@pytest.fixture
def double_mode() -> PronoteUser:
    make_establishment()
    configure(recognition="double")
    return make_user(direct_login="camille.martin", password="secret-pn-1")


def test_double_authentication_asks_pronote_credentials_once(
    double_mode: PronoteUser, fake_cas: FakeCas
) -> None:
    client = Client()
    response = arrive(client, fake_cas, "eleve.html", "u-double")
    assert "Première connexion" in text_of(response)
    done = client.post(
        "/pronote/premiere-connexion", {"login": "camille.martin", "password": "secret-pn-1"}
    )
    assert done["Location"] == "/pronote/eleve.html"
    double_mode.refresh_from_db()
    assert double_mode.cas_identifier == "u-double"
    again = arrive(Client(), fake_cas, "eleve.html", "u-double")
    assert "Espace Élèves — MARTIN CAMILLE" in text_of(again)


def test_double_authentication_with_wrong_credentials_binds_nothing(
    double_mode: PronoteUser, fake_cas: FakeCas
) -> None:
    client = Client()
    arrive(client, fake_cas, "eleve.html", "u-double")
    response = client.post(
        "/pronote/premiere-connexion", {"login": "camille.martin", "password": "wrong"}
    )
    assert response.status_code == 401
    double_mode.refresh_from_db()
    assert double_mode.cas_identifier == ""


def test_double_authentication_into_an_account_bound_elsewhere_is_impossible(
    double_mode: PronoteUser, fake_cas: FakeCas
) -> None:
    PronoteUser.objects.filter(pk=double_mode.pk).update(cas_identifier="someone-else")
    client = Client()
    arrive(client, fake_cas, "eleve.html", "u-double")
    response = client.post(
        "/pronote/premiere-connexion",
        {"login": "camille.martin", "password": "secret-pn-1"},
        follow=True,
    )
    assert "Identification impossible" in text_of(response)


def test_the_first_connection_page_needs_a_pending_cas_connection(double_mode) -> None:
    assert Client().get("/pronote/premiere-connexion").status_code == 400


@pytest.mark.parametrize(
    ("in_pronote", "sent", "title"),
    [
        ("MCCARTHY", "MC CARTHY", "Espace Élèves — MCCARTHY ÉLOÏSE"),  # the demo's Éloïse
        ("MC CARTHY", "McCarthy", "Espace Élèves — MC CARTHY ÉLOÏSE"),
        ("N'DIAYE", "NDIAYE", "Espace Élèves — N'DIAYE ÉLOÏSE"),
    ],
)
def test_identity_recognises_a_surname_with_or_without_its_inner_space(
    fake_cas: FakeCas, in_pronote: str, sent: str, title: str
) -> None:
    make_establishment()
    configure(recognition="identity")
    make_user(last_name=in_pronote, first_name="Éloïse", birth_date=date(2013, 12, 5))
    identity = {**IDENTITY, "nom": sent, "prenom": "Eloise", "dateNaissance": "05/12/2013"}
    response = arrive(Client(), fake_cas, "eleve.html", "u-eloise", **identity)
    assert title in text_of(response)  # the name as PRONOTE holds it


def test_the_alimentation_matching_ignores_inner_spaces_too() -> None:
    from pronotesim.files.matching import MATCHED, Candidate, match_people
    from pronotesim.files.rapprochement import EntPerson

    pupil = Candidate(1, "eleve", "PN1", "MCCARTHY", "Eloise", date(2013, 12, 5), "")
    person = EntPerson("Eleve", 7, "MC CARTHY", "Éloïse", "ent-7", date(2013, 12, 5))
    (row,) = match_people([person], [pupil])
    assert row.status == MATCHED and row.candidate == pupil


@pytest.mark.parametrize(("recognition", "recognised"), [("identity", False), ("pronote", True)])
def test_it_recognises_by_its_console_mode_alone_when_the_ent_sends_both(
    recognition: str, recognised: bool, fake_cas: FakeCas
) -> None:
    """Socle's « Les deux (migration) » sends the identity and ``idPronote`` together: PRONOTE
    uses the one its console names. Two namesakes born the same day are refused in identity
    mode, whatever identifier comes with the identity; told apart by it in identifier mode."""
    make_establishment()
    configure(recognition=recognition)
    mine = make_user(first_name="Thomas", class_name="5B")
    make_user(first_name="Thomas", class_name="3D")
    identity = {**IDENTITY, "nom": "MARTIN", "prenom": "Thomas"}
    response = arrive(
        Client(), fake_cas, "eleve.html", "u-thomas", idPronote=mine.pronote_id, **identity
    )
    assert ("Espace Élèves — MARTIN THOMAS" in text_of(response)) is recognised
    assert ("Identification impossible" in text_of(response)) is not recognised
    mine.refresh_from_db()
    assert mine.cas_identifier == ("u-thomas" if recognised else "")
