"""Mode avec alimentation: the ENT's ImportChiffre file fills « Identifiant CAS »."""

from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import Client
from lxml import html

from pronotesim.base.categories import CATEGORY_LABELS
from pronotesim.base.models import PronoteUser
from pronotesim.console.models import AlimentationImport
from pronotesim.files.matching import CATEGORY_OF_KIND, KIND_ORDER
from tests.crypto_side import EntAccount, import_chiffre, private_pem, rapprochement
from tests.helpers import CAS_URL, configure, make_establishment, make_user, text_of


@pytest.fixture
def school(rsa_key: rsa.RSAPrivateKey) -> dict:
    make_establishment()
    configure(index_private_key=private_pem(rsa_key))
    mother = make_user(
        category="responsable",
        last_name="MARTIN",
        first_name="Sophie",
        birth_date=None,
        class_name="",
    )
    namesake = make_user(
        category="responsable",
        last_name="MARTIN",
        first_name="Sophie",
        birth_date=None,
        class_name="",
    )
    pupil = make_user(last_name="MARTIN", first_name="Camille", birth_date=date(2012, 3, 4))
    pupil.responsables.add(mother)
    other_pupil = make_user(last_name="GARCIA", first_name="Léo", birth_date=date(2011, 5, 6))
    other_pupil.responsables.add(namesake)
    teacher = make_user(
        category="enseignant",
        last_name="LEFÈVRE",
        first_name="Hélène",
        birth_date=date(1980, 1, 2),
        class_name="",
    )
    twin_a = make_user(last_name="DURAND", first_name="Lou", birth_date=date(2012, 1, 1))
    twin_b = make_user(last_name="DURAND", first_name="Lou", birth_date=date(2012, 1, 1))
    return {
        "mother": mother,
        "namesake": namesake,
        "pupil": pupil,
        "teacher": teacher,
        "twins": (twin_a, twin_b),
        "other_pupil": other_pupil,
    }


def accounts() -> list[EntAccount]:
    return [
        EntAccount("Professeur", 1, "Lefevre", "HELENE", "ent-prof-1", "1980-01-02"),
        EntAccount("Eleve", 2, "MARTIN", "Camille", "ent-eleve-2", "2012-03-04", (3,)),
        EntAccount("Responsable", 3, "Martin", "Sophie", "ent-resp-3"),
        EntAccount("Eleve", 4, "DURAND", "Lou", "ent-eleve-4", "2012-01-01"),
        EntAccount("Eleve", 5, "INCONNU", "Personne", "ent-eleve-5", "2012-01-01"),
    ]


def write_file(tmp_path: Path, rsa_key: rsa.RSAPrivateKey, **kw) -> Path:
    path = tmp_path / "export-ent.xml"
    path.write_bytes(import_chiffre(rapprochement(accounts()), rsa_key.public_key(), **kw))
    return path


def test_the_test_files_follow_index_education_schemas(
    rsa_key: rsa.RSAPrivateKey, container_schema, sso_schema
) -> None:
    sso_schema.validate(rapprochement(accounts()).decode())
    container_schema.validate(import_chiffre(b"<x/>", rsa_key.public_key()).decode())


def test_it_fills_identifiant_cas_with_the_ent_identifier(
    school: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    call_command("import_alimentation", str(write_file(tmp_path, rsa_key)))
    for key, expected in (
        ("teacher", "ent-prof-1"),
        ("pupil", "ent-eleve-2"),
        ("mother", "ent-resp-3"),
    ):
        school[key].refresh_from_db()
        assert school[key].cas_identifier == expected


def test_a_namesake_responsable_is_told_apart_by_the_child(
    school: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    call_command("import_alimentation", str(write_file(tmp_path, rsa_key)))
    school["namesake"].refresh_from_db()
    assert school["namesake"].cas_identifier == ""


def test_twins_and_unknown_people_go_to_the_supervision_table(
    school: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    call_command("import_alimentation", str(write_file(tmp_path, rsa_key)))
    report = AlimentationImport.objects.get().report
    unmatched = {row["partner_id"]: row for row in report["ent_unmatched"]}
    assert unmatched["ent-eleve-4"]["status"] == "Homonymes"
    assert len(unmatched["ent-eleve-4"]["candidates"]) == 2
    assert unmatched["ent-eleve-5"]["status"] == "Non trouvé"
    left = {row["pronote_id"] for row in report["pronote_without_cas"]}
    assert {t.pronote_id for t in school["twins"]} <= left
    assert all(t.cas_identifier == "" for t in PronoteUser.objects.filter(last_name="DURAND"))


def test_importing_the_same_file_twice_changes_nothing_more(
    school: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    path = write_file(tmp_path, rsa_key)
    call_command("import_alimentation", str(path))
    call_command("import_alimentation", str(path))
    first, second = AlimentationImport.objects.order_by("pk")
    assert first.changed == 3 and second.changed == 0 and second.matched == 3


def test_an_identifier_already_held_by_another_account_is_a_conflict(
    school: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    PronoteUser.objects.filter(pk=school["other_pupil"].pk).update(cas_identifier="ent-eleve-2")
    call_command("import_alimentation", str(write_file(tmp_path, rsa_key)))
    school["pupil"].refresh_from_db()
    assert school["pupil"].cas_identifier == ""
    report = AlimentationImport.objects.get().report
    assert any(row["status"] == "Conflit" for row in report["ent_unmatched"])


def test_a_file_for_another_establishment_is_refused(
    school: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="0310047H"):
        call_command("import_alimentation", str(write_file(tmp_path, rsa_key, uai="0310047H")))
    assert not AlimentationImport.objects.exists()


def test_a_file_encrypted_for_another_key_is_refused(school: dict, tmp_path: Path) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(CommandError, match="clé publique Index Education"):
        call_command("import_alimentation", str(write_file(tmp_path, other)))


def test_a_tampered_content_fails_the_sha256_check(
    school: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    path = write_file(tmp_path, rsa_key)
    text = path.read_text()
    start = text.index("<Verification>") + len("<Verification>")
    forged = ("B" if text[start] == "A" else "A") + text[start + 1 :]
    path.write_text(text[:start] + forged)
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("import_alimentation", str(path))


def test_a_content_outside_the_schema_is_refused(
    school: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    bad = rapprochement(accounts()).replace(b'Ident="2"', b'Ident="deux"')
    path = tmp_path / "bad.xml"
    path.write_bytes(import_chiffre(bad, rsa_key.public_key()))
    with pytest.raises(CommandError, match="RapprochementSSO"):
        call_command("import_alimentation", str(path))
    assert PronoteUser.objects.exclude(cas_identifier="").count() == 0


def test_a_doctype_is_refused(school: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')
    with pytest.raises(CommandError):
        call_command("import_alimentation", str(path))


def import_on_the_page(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> HttpResponse:
    client = Client()
    client.post("/pronote/administration/connexion", {"password": "spr-test"})
    with write_file(tmp_path, rsa_key).open("rb") as handle:
        return client.post("/pronote/administration/alimentation", {"file": handle})


def test_the_web_page_imports_and_shows_the_supervision_table(
    school: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    page = text_of(import_on_the_page(tmp_path, rsa_key))
    assert "3 utilisateur(s) rapproché(s)" in page
    assert "INCONNU" in page and "Homonymes" in page


def test_it_names_the_categories_of_the_supervision_table_as_pronote_does(
    school: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    tree = html.fromstring(import_on_the_page(tmp_path, rsa_key).content)
    cells = tree.xpath('//table[@id="ent-non-rapproches"]/tbody/tr/td[1]/text()')
    assert cells and set(cells) == {"Élève"}
    headers = tree.xpath('//table[@id="ent-non-rapproches"]/thead//th/text()')
    assert headers[0] == "Catégorie"
    labels = [CATEGORY_LABELS[CATEGORY_OF_KIND[kind]] for kind in KIND_ORDER]
    assert labels == ["Enseignant", "Personnel", "Élève", "Responsable"]


def test_the_index_education_public_key_is_downloadable(school: dict) -> None:
    response = Client().get("/pronote/administration/cle-publique-index-education.pem")
    assert response.status_code == 200
    assert response.content.startswith(b"-----BEGIN PUBLIC KEY-----")


def test_index_key_generates_a_key_once_and_writes_the_public_part(tmp_path: Path) -> None:
    out = tmp_path / "index.pem"
    call_command("index_key", "--public-out", str(out))
    first = out.read_text()
    call_command("index_key", "--public-out", str(out))
    assert out.read_text() == first and first.startswith("-----BEGIN PUBLIC KEY-----")


def test_a_teacher_who_is_also_a_parent_gets_both_accounts_and_both_espaces(
    school: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path, fake_cas
) -> None:
    teacher_parent = make_user(
        category="responsable",
        last_name="LEFÈVRE",
        first_name="Hélène",
        birth_date=None,
        class_name="",
    )
    child = make_user(last_name="LEFÈVRE", first_name="Noé", birth_date=date(2013, 2, 3))
    child.responsables.add(teacher_parent)
    people = [
        EntAccount("Professeur", 1, "LEFÈVRE", "Hélène", "ent-helene", "1980-01-02"),
        EntAccount("Eleve", 2, "LEFÈVRE", "Noé", "ent-noe", "2013-02-03", (3,)),
        EntAccount("Responsable", 3, "LEFÈVRE", "Hélène", "ent-helene"),
    ]
    path = tmp_path / "f.xml"
    path.write_bytes(import_chiffre(rapprochement(people), rsa_key.public_key()))
    call_command("import_alimentation", str(path))
    teacher_parent.refresh_from_db()
    school["teacher"].refresh_from_db()
    assert teacher_parent.cas_identifier == school["teacher"].cas_identifier == "ent-helene"
    client = Client()
    ticket = fake_cas.issue("http://testserver/pronote/", "ent-helene")
    assert client.get(f"/pronote/?ticket={ticket}")["Location"] == "/pronote/"
    assert client.get("/pronote/")["Location"] == "/pronote/professeur.html"
    assert "Espace Professeurs — LEFÈVRE HÉLÈNE" in text_of(client.get("/pronote/professeur.html"))
    # Another espace is another page, hence another session: the CAS again, another ticket.
    assert client.get("/pronote/parent.html")["Location"].startswith(CAS_URL + "/login")
    ticket = fake_cas.issue("http://testserver/pronote/parent.html", "ent-helene")
    assert client.get(f"/pronote/parent.html?ticket={ticket}")["Location"] == "/pronote/parent.html"
    parent_page = text_of(client.get("/pronote/parent.html"))
    assert "Espace Parents — LEFÈVRE HÉLÈNE" in parent_page and "LEFÈVRE Noé" in parent_page
