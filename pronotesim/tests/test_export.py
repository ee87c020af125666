"""« Exporter les identifiants PRONOTE »: the EXPORT_INDEX_EDUCATION envelope for the ENT."""

from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import CommandError, call_command
from django.test import Client
from lxml import etree

from tests.crypto_side import open_envelope, public_pem
from tests.helpers import configure, make_establishment, make_user, text_of

CHILDREN = ["VERSION", "LOGICIEL", "CLES", "CONTENU", "VERIFICATION", "DATEHEURE", "UAI"]


@pytest.fixture
def base(rsa_key: rsa.RSAPrivateKey) -> dict:
    make_establishment()
    configure(partner_name="SOCLE", partner_public_key=public_pem(rsa_key))
    parent = make_user(
        category="responsable",
        pronote_id="8WRBFX9Q73AVJKLM",
        last_name="MARTIN",
        first_name="Sophie",
        birth_date=None,
        class_name="",
    )
    pupil = make_user(
        pronote_id="AZKH9C7WSQ2R54DP",
        last_name="MARTIN",
        first_name="Camille",
        birth_date=date(2012, 3, 4),
    )
    pupil.responsables.add(parent)
    teacher = make_user(
        category="enseignant",
        pronote_id="BERR0NE000000000".replace("0", "2"),
        last_name="BERRONE",
        first_name="Christian",
        birth_date=None,
        class_name="",
        cas_identifier="NAA31616",
    )
    return {"parent": parent, "pupil": pupil, "teacher": teacher}


def export(tmp_path: Path, *args: str) -> Path:
    call_command("export_identifiants", "--out", str(tmp_path), *args)
    return tmp_path / "IdPN_To_SOCLE.xml"


def test_the_export_is_an_index_education_envelope_the_ent_can_decrypt(
    base: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    opened = open_envelope(export(tmp_path).read_bytes(), rsa_key, "SOCLE")
    names = [child.tag for child in opened.root]
    assert names[: len(CHILDREN)] == CHILDREN
    assert opened.root.findtext("LOGICIEL") == "PRONOTE"
    assert opened.root.findtext("UAI") == "0312609T"
    assert opened.root.find("CONTENU").get("CompresseAvantChiffrement") == "true"
    assert opened.root.find("CLES/PARTENAIRE").get("NOM") == "SOCLE"


def test_the_inner_document_lists_every_category_with_its_fields(
    base: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    inner = etree.fromstring(open_envelope(export(tmp_path).read_bytes(), rsa_key, "SOCLE").inner)
    assert inner.tag == "IDENTIFIANTS_PRONOTE" and inner.get("UAI") == "0312609T"
    pupil = inner.find("Eleves/Eleve")
    assert pupil.get("IDPN") == "AZKH9C7WSQ2R54DP"
    assert pupil.get("Nom") == "MARTIN" and pupil.get("Prenom") == "Camille"
    assert pupil.get("DateNaissance") == "04/03/2012"
    assert pupil.get("Classe") == "4A" and pupil.get("CodePostal") == "31000"
    assert [r.get("IDPN") for r in pupil.findall("Responsable")] == ["8WRBFX9Q73AVJKLM"]
    parent = inner.find("Responsables/Responsable")
    assert parent.get("DateNaissance") is None and parent.get("IdentifiantCAS") is None
    teacher = inner.find("Professeurs/Professeur")
    assert teacher.get("IdentifiantCAS") == "NAA31616"
    assert [child.tag for child in inner] == ["Professeurs", "Eleves", "Responsables"]


def test_the_option_keeps_only_users_without_identifiant_cas(
    base: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    path = export(tmp_path, "--sans-identifiant-cas")
    inner = etree.fromstring(open_envelope(path.read_bytes(), rsa_key, "SOCLE").inner)
    assert inner.find("Professeurs") is None
    assert len(inner.findall("Eleves/Eleve")) == 1


def test_the_export_needs_the_cas_delegation_first(base: dict, tmp_path: Path) -> None:
    configure(cas_enabled=False)
    with pytest.raises(CommandError, match="délégation CAS"):
        export(tmp_path)


def test_the_export_needs_the_partner_key(base: dict, tmp_path: Path) -> None:
    configure(partner_public_key="")
    with pytest.raises(CommandError, match="clé publique"):
        export(tmp_path)


def test_the_web_page_downloads_the_file(base: dict, rsa_key: rsa.RSAPrivateKey) -> None:
    client = Client()
    client.post("/pronote/administration/connexion", {"password": "spr-test"})
    response = client.post(
        "/pronote/administration/export", {"action": "exporter", "only_without_cas": "on"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="IdPN_To_SOCLE.xml"'
    inner = etree.fromstring(open_envelope(response.content, rsa_key, "SOCLE").inner)
    assert inner.find("Professeurs") is None


def test_the_web_page_explains_why_export_is_unavailable(base: dict) -> None:
    configure(cas_enabled=False)
    client = Client()
    client.post("/pronote/administration/connexion", {"password": "spr-test"})
    page = text_of(client.get("/pronote/administration/export"))
    assert "Je ne vois pas la fonctionnalité d'export" in page
    response = client.post("/pronote/administration/export", {"action": "exporter"})
    assert response.status_code == 400


def test_the_partner_and_its_key_are_set_on_the_export_page(base: dict, tmp_path: Path) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = Client()
    client.post("/pronote/administration/connexion", {"password": "spr-test"})
    key_file = tmp_path / "kosmos.pem"
    key_file.write_text(public_pem(other))
    with key_file.open("rb") as handle:
        client.post(
            "/pronote/administration/export",
            {"action": "partenaire", "partner_name": "KOSMOS", "public_key": handle},
        )
    path = tmp_path / "out.xml"
    call_command("export_identifiants", "--out", str(path))
    assert open_envelope(path.read_bytes(), other, "KOSMOS").root.findtext("UAI") == "0312609T"


def test_it_writes_into_a_folder_named_with_a_final_slash_made_if_missing(
    base: dict, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    call_command("export_identifiants", "--out", f"{folder}/")  # wrote a file named "exports"
    opened = open_envelope((folder / "IdPN_To_SOCLE.xml").read_bytes(), rsa_key, "SOCLE")
    assert opened.root.findtext("UAI") == "0312609T"


def test_a_bad_partner_key_is_refused(base: dict, tmp_path: Path) -> None:
    client = Client()
    client.post("/pronote/administration/connexion", {"password": "spr-test"})
    key_file = tmp_path / "bad.pem"
    key_file.write_text("not a key")
    with key_file.open("rb") as handle:
        response = client.post(
            "/pronote/administration/export",
            {"action": "partenaire", "partner_name": "KOSMOS", "public_key": handle},
        )
    assert "Clé publique illisible" in text_of(response)
