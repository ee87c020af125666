"""Mode avec alimentation: RapprochementSSO v2.0 in ImportChiffre, against Index Education's
XSDs, and back through our own decryptor."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
import xmlschema
from cryptography.hazmat.primitives import serialization
from django.core.management import CommandError, call_command
from lxml import etree

from socle.directory import blocking
from socle.directory.profiles import Profile
from socle.pronote.export import build_container, build_rapprochement, open_container
from socle.pronote.files import PronoteFileError
from socle.pronote.files.crypto import load_public_key
from tests.factories import make_establishment, make_person, make_service
from tests.pronote.helpers import School

NS = {"r": "http://www.index-education.com/rapprochementssoV2.0"}
# Index Education's schemas are not shipped with the repository (docs/pronote-files.md):
# SOCLE_XSD_DIR names their folder; else beside the repository's folder, or where this project's
# test machine keeps them.
_XSD_CANDIDATES = [
    *([Path(os.environ["SOCLE_XSD_DIR"])] if os.environ.get("SOCLE_XSD_DIR") else []),
    Path(__file__).resolve().parents[3] / "shared" / "reference" / "index-education",
    Path("/work/shared/reference/index-education"),
]


def _xsd(name: str) -> str:
    for folder in _XSD_CANDIDATES:
        if (folder / name).is_file():
            return str(folder / name)
    pytest.fail(
        f"{name}, Index Education's schema, is in none of "
        f"{', '.join(map(str, _XSD_CANDIDATES))}: set SOCLE_XSD_DIR to the folder holding "
        "RapprochementSSO.xsd and ConteneurImportChiffre.xsd (docs/pronote-files.md)."
    )


@pytest.fixture(scope="module")
def rapprochement_schema():
    return xmlschema.XMLSchema(_xsd("RapprochementSSO.xsd"))


@pytest.fixture(scope="module")
def container_schema():
    # the schema declares vc:minVersion="1.1": an XSD 1.1 processor is required
    return xmlschema.XMLSchema11(_xsd("ConteneurImportChiffre.xsd"))


def school_with_everyone() -> School:
    school = School()
    school.teacher.birth_date = dt.date(1975, 5, 12)
    school.teacher.save()
    school.mother.personal_title = "Mme"
    school.mother.save()
    make_person("Paul", "Garage", establishment=school.est, profile=Profile.MAITRE_DE_STAGE)
    make_person("Sans", "Date", establishment=school.est)  # pupil without birth date
    return school


def test_the_rapprochement_document_validates_against_the_xsd(rapprochement_schema):
    school = school_with_everyone()
    result = build_rapprochement([school.est], "PARTNER-42")
    rapprochement_schema.validate(result.xml)
    assert result.counts == {"Personnels": 1, "Professeurs": 1, "Responsables": 1, "Eleves": 2}
    assert any("sans date de naissance" in line for line in result.skipped)
    assert any("Maître de stage" in line for line in result.skipped)


def test_id_partenaire_is_the_cas_user_name_and_pupils_point_to_their_responsables():
    school = school_with_everyone()
    root = etree.fromstring(build_rapprochement([school.est], "P").xml)
    assert (
        root.get("Partenaire") == "P" and root.get("ProtocoleDelegationAuthentification") == "CAS"
    )
    emma = root.find("r:Eleves/r:Eleve[@Nom='Roux'][@Prenom='Emma']", NS)
    assert emma.get("ID_Partenaire") == school.emma.uid
    assert emma.get("DateNaissance") == "2012-03-04"
    mother = root.find("r:Responsables/r:Responsable", NS)
    assert mother.get("ID_Partenaire") == school.mother.uid
    assert [r.get("Ident") for r in emma.findall("r:Responsable", NS)] == [mother.get("Ident")]
    civilite = root.find("r:Nomenclatures/r:Civilites/r:Civilite", NS)
    assert civilite.get("Libelle") == "Mme"
    assert mother.find("r:Civilite", NS).get("Ident") == civilite.get("Ident")
    assert root.find("r:Etablissements/r:Etablissement", NS).get("Numero") == school.est.uai


def test_it_exports_accounts_blocked_by_hand_the_imports_still_list_and_not_deactivated_ones():
    school = school_with_everyone()
    blocking.block(school.emma, by=None, reason="exclusion temporaire")
    blocking.block(school.mother, by=None)
    gone = make_person("Ancien", "Eleve", establishment=school.est, birth_date=dt.date(2011, 1, 2))
    gone.is_active = False  # deactivated by an import, then blocked: stays out
    gone.save()
    blocking.block(gone, by=None)

    root = etree.fromstring(build_rapprochement([school.est], "P").xml)

    emma = root.find("r:Eleves/r:Eleve[@Nom='Roux'][@Prenom='Emma']", NS)
    mother = root.find("r:Responsables/r:Responsable", NS)
    assert emma.get("ID_Partenaire") == school.emma.uid
    assert mother.get("ID_Partenaire") == school.mother.uid
    assert [r.get("Ident") for r in emma.findall("r:Responsable", NS)] == [mother.get("Ident")]
    assert root.find("r:Eleves/r:Eleve[@Nom='Ancien']", NS) is None


def test_it_exports_names_holding_characters_xml_cannot_carry(rapprochement_schema):
    school = School()
    school.teacher.last_name = "Ber\x0brone"
    school.teacher.first_name = "Chris\x1ftian"
    school.teacher.save()

    result = build_rapprochement([school.est], "P")

    rapprochement_schema.validate(result.xml)
    teacher = etree.fromstring(result.xml).find("r:Professeurs/r:Professeur", NS)
    assert (teacher.get("Nom"), teacher.get("Prenom")) == ("Ber rone", "Chris tian")


def test_id_partenaire_follows_the_services_username_mode():
    school = School()
    make_service("pronote", sso_type="pronote", establishment=school.est, username_mode="login")
    root = etree.fromstring(build_rapprochement([school.est], "P").xml)
    emma = root.find("r:Eleves/r:Eleve[@Prenom='Emma']", NS)
    assert emma.get("ID_Partenaire") == school.emma.login


def test_id_partenaire_is_the_pairwise_id_pronote_will_receive():
    from socle.cas.usernames import cas_username

    school = School()
    service = make_service(
        "pronote", sso_type="pronote", establishment=school.est, username_mode="pairwise"
    )
    root = etree.fromstring(build_rapprochement([school.est], "P").xml)
    emma = root.find("r:Eleves/r:Eleve[@Prenom='Emma']", NS)
    assert emma.get("ID_Partenaire") == cas_username(school.emma, service) != school.emma.uid


def test_an_export_fixes_the_username_mode_of_the_services_it_speaks_for(ent_key):
    from socle.pronote.export.service import export_for_pronote

    school = School()
    service = make_service("pronote", sso_type="pronote", establishment=school.est)
    other = make_service("pronote-b", sso_type="pronote", establishment=make_establishment())
    build_rapprochement([school.est], "P")  # building alone (a test, a preview) sends nothing
    service.refresh_from_db()
    assert not service.usernames_sent
    export_for_pronote(school.est, ent_key.public_key(), "P")
    service.refresh_from_db()
    other.refresh_from_db()
    assert service.usernames_sent and not other.usernames_sent


def test_the_container_validates_and_round_trips(ent_key, container_schema, rapprochement_schema):
    school = school_with_everyone()
    payload = build_rapprochement([school.est], "P").xml
    data = build_container(
        payload, ent_key.public_key(), partner="SOCLE", uai=school.est.uai, description="test"
    )
    container_schema.validate(data)
    fields, opened = open_container(data, ent_key)
    assert opened == payload
    assert fields["UAI"] == school.est.uai
    rapprochement_schema.validate(opened)


def test_the_container_cannot_be_opened_with_another_key(ent_key, other_key):
    data = build_container(b"<x/>", ent_key.public_key(), partner="S", uai="U", description="")
    with pytest.raises(PronoteFileError, match="étape"):
        open_container(data, other_key)


def ssh2_public_key(key) -> bytes:
    openssh = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    body = openssh.split()[1]
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    return (
        "---- BEGIN SSH2 PUBLIC KEY ----\n"
        'Comment: "2048-bit RSA, Index Education \\\n'
        'partenaires"\n' + "\n".join(lines) + "\n---- END SSH2 PUBLIC KEY ----\n"
    ).encode()


def test_it_reads_public_keys_in_pem_pkcs1_openssh_and_rfc4716(ent_key):
    public = ent_key.public_key()
    forms = [
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1),
        public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH),
        ssh2_public_key(ent_key),
    ]
    for data in forms:
        assert load_public_key(data).public_numbers() == public.public_numbers()
    with pytest.raises(PronoteFileError, match="Clé publique d.Index Education refusée"):
        load_public_key(b"-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")


@pytest.mark.parametrize(
    ("data", "explained"),
    [
        (b"-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----\n", "bloc PEM est abîmé"),
        (b"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAB", "clé SSH mal formée"),
        (b"not a key at all", "ce n'est pas une clé RSA lisible"),
    ],
)
def test_it_explains_an_unreadable_public_key_in_french(data, explained):
    with pytest.raises(PronoteFileError) as caught:
        load_public_key(data)
    assert explained in str(caught.value)
    assert "cryptography.io" not in str(caught.value)


def export_command(*args: str) -> str:
    stdout = io.StringIO()
    call_command("pronote_export", *args, stdout=stdout)
    return stdout.getvalue()


def test_the_export_command_writes_a_file_pronote_can_open(
    tmp_path, ent_key, container_schema, rapprochement_schema
):
    school = school_with_everyone()
    key_file = tmp_path / "index.pub"
    key_file.write_bytes(ssh2_public_key(ent_key))
    out = tmp_path / "export.xml"
    printed = export_command(
        "--uai", school.est.uai, "--public-key", str(key_file), "--partner-id", "P-1",
        "--out", str(out),
    )  # fmt: skip
    assert "Exporté : 1 Personnels, 1 Professeurs, 1 Responsables, 2 Eleves." in printed
    assert f"écrit : {out}." in printed
    container_schema.validate(out.read_bytes())
    fields, payload = open_container(out.read_bytes(), ent_key)
    assert fields["UAI"] == school.est.uai
    rapprochement_schema.validate(payload)


def test_several_uais_give_one_file_per_establishment(
    tmp_path, ent_key, container_schema, rapprochement_schema
):
    """Index Education's container has one « UAI de l'établissement »: two schools, two files,
    each holding its own establishment's users only."""
    school = school_with_everyone()
    second = make_establishment(name="Lycée Victor Hugo")
    make_person("Zoé", "Lycée", establishment=second, birth_date=dt.date(2008, 1, 1))
    key_file = tmp_path / "index.pub"
    key_file.write_bytes(ssh2_public_key(ent_key))
    out = tmp_path / "exports"  # created
    printed = export_command(
        "--uai", f"{school.est.uai},{second.uai},{school.est.uai}", "--public-key", str(key_file),
        "--partner-id", "P-1", "--out", str(out),
    )  # fmt: skip
    assert "2 établissements : un fichier par établissement" in printed
    assert "Exporté : 1 Personnels, 1 Professeurs, 1 Responsables, 2 Eleves." in printed
    assert "Exporté : 1 Eleves." in printed
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"RapprochementSSO_{e.uai}.xml" for e in (school.est, second))
    for establishment, pupils in ((school.est, {"Emma", "Tom"}), (second, {"Zoé"})):
        data = (out / f"RapprochementSSO_{establishment.uai}.xml").read_bytes()
        container_schema.validate(data)
        fields, payload = open_container(data, ent_key)
        assert fields["UAI"] == establishment.uai
        rapprochement_schema.validate(payload)
        root = etree.fromstring(payload)
        managed = root.findall("r:Etablissements/r:Etablissement", NS)
        assert [e.get("Numero") for e in managed] == [establishment.uai]
        assert {e.get("Prenom") for e in root.iterfind("r:Eleves/r:Eleve", NS)} == pupils


@pytest.mark.parametrize("existing", [True, False])
def test_several_uais_need_a_folder(tmp_path, ent_key, existing):
    school = School()
    second = make_establishment(name="Lycée Victor Hugo")
    key_file = tmp_path / "index.pub"
    key_file.write_bytes(ssh2_public_key(ent_key))
    out = tmp_path / "export.xml"
    if existing:
        out.write_text("old")
    with pytest.raises(CommandError, match="avec plusieurs UAI, indiquez un dossier"):
        export_command(
            "--uai", f"{school.est.uai},{second.uai}", "--public-key", str(key_file),
            "--partner-id", "P", "--out", str(out),
        )  # fmt: skip
    assert not existing or out.read_text() == "old"


def test_one_uai_into_an_existing_folder_is_named_after_the_uai(tmp_path, ent_key):
    school = School()
    key_file = tmp_path / "index.pub"
    key_file.write_bytes(ssh2_public_key(ent_key))
    export_command(
        "--uai", school.est.uai, "--public-key", str(key_file), "--partner-id", "P",
        "--out", str(tmp_path),
    )  # fmt: skip
    fields, _payload = open_container(
        (tmp_path / f"RapprochementSSO_{school.est.uai}.xml").read_bytes(), ent_key
    )
    assert fields["UAI"] == school.est.uai


def _download(client, school, ent_key):  # type: ignore[no-untyped-def]
    """The export page's button pressed for ``school`` by its administrator."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(school.make_admin())
    pem = ent_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return client.post(
        "/gestion/pronote/export/",
        {
            "establishment": school.est.pk,
            "partner_id": "P",
            "public_key": SimpleUploadedFile("index.pem", pem),
        },
    )


def test_the_download_button(client, ent_key):
    school = School()
    response = _download(client, school, ent_key)
    assert response.status_code == 200
    assert f"RapprochementSSO_{school.est.uai}.xml" in response["Content-Disposition"]
    _fields, payload = open_container(response.content, ent_key)
    assert b"PARTENAIRE_INDEX" in payload


@pytest.mark.parametrize(
    ("data", "language", "explained"),
    [
        (
            b"-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----\n",
            "fr",
            "le bloc PEM est abîmé",
        ),
        (b"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAB", "fr", "clé SSH mal formée"),
        (b"not a key at all", "fr", "ce n'est pas une clé RSA lisible"),
        (b"not a key at all", "en", "this is not a readable RSA key"),
    ],
)
def test_it_explains_an_unreadable_key_on_the_export_page_in_the_visitors_language(
    client, data, language, explained
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    school = School()
    admin = school.make_admin()
    client.force_login(admin)
    response = client.post(
        "/gestion/pronote/export/",
        {
            "establishment": school.est.pk,
            "partner_id": "P",
            "public_key": SimpleUploadedFile("index.pem", data),
        },
        headers={"Accept-Language": language},
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["public_key"])
    assert explained in errors
    english_library_words = {"Could", "deserialize", "Valid", "unsupported", "cryptography.io"}
    assert not english_library_words & set(errors.replace(".", " ").split()), errors
    if language == "fr":
        assert "clé" in errors
    else:
        assert "key" in errors and "clé" not in errors


def test_the_download_button_says_so_when_the_database_refuses_its_record(
    client, ent_key, monkeypatch
):
    """The export is recorded (the services' username modes fixed, the uids' date, the trace)
    before the file is given: a full disk there gave the 500 page, the modes perhaps fixed
    for a file never given."""
    from django.db import OperationalError

    from socle.portal.models import Service
    from socle.pronote.export import service as export_service
    from tests.pronote.helpers import page_text

    school = School()

    def full(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(export_service.journal, "exported", full)
    response = _download(client, school, ent_key)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert (
        "L'enregistrement a été refusé par la base de données (plus de place sur le disque) : "
        "aucun fichier n'a été produit et rien n'a été enregistré." in page_text(response)
    )
    school.est.refresh_from_db()
    assert school.est.pronote_uids_exported_at is None
    assert not Service.objects.filter(usernames_sent=True).exists()
