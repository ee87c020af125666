import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socle.directory.models import Establishment
from socle.directory.signals import password_changed
from tests.directory.helpers import run
from tests.factories import make_establishment, make_person


def test_establishment_add_creates_then_updates() -> None:
    out, _ = run(
        "establishment_add", "0312609t", "Collège Jean Jaurès", postal_code="31000", city="Toulouse"
    )
    assert "ajouté" in out
    establishment = Establishment.objects.get()
    assert (establishment.uai, establishment.city) == ("0312609T", "Toulouse")
    out, _ = run("establishment_add", "0312609T", "Collège J. Jaurès")
    assert "mis à jour" in out
    establishment.refresh_from_db()
    assert (establishment.name, establishment.city) == ("Collège J. Jaurès", "Toulouse")


def test_establishment_add_explains_a_bad_uai() -> None:
    with pytest.raises(CommandError, match="la lettre de contrôle de 0312609 est T, pas A"):
        run("establishment_add", "0312609A", "X")
    assert not Establishment.objects.exists()


def test_account_set_password_reads_stdin_and_ends_other_sessions() -> None:
    person = make_person("Paul", "Durand", password=None)
    received = []
    password_changed.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t1")
    try:
        out, err = run(
            "account_set_password",
            "paul.durand",
            password_stdin=True,
            stdin=io.StringIO("un mot de passe assez long\n"),
        )
    finally:
        password_changed.disconnect(dispatch_uid="t1")
    person.refresh_from_db()
    assert person.check_password("un mot de passe assez long")
    assert person.activated_at is not None
    assert received and received[0]["person"] == person
    assert "assez long" not in out + err


def test_account_set_password_refuses_weak_passwords_in_french() -> None:
    make_person("Paul", "Durand")
    with pytest.raises(CommandError, match="Mot de passe refusé : .*trop court"):
        run(
            "account_set_password", "paul.durand", password_stdin=True, stdin=io.StringIO("court\n")
        )
    with pytest.raises(CommandError, match="trop courant"):
        run(
            "account_set_password",
            "paul.durand",
            password_stdin=True,
            stdin=io.StringIO("password1234\n"),
        )


def test_account_set_password_requires_the_stdin_flag_and_a_known_login() -> None:
    with pytest.raises(CommandError, match="--password-stdin"):
        run("account_set_password", "nobody")
    with pytest.raises(CommandError, match="Aucun compte"):
        run("account_set_password", "nobody", password_stdin=True, stdin=io.StringIO("x\n"))


def test_directory_import_suggests_the_aaf_format_for_xml(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="--format aaf"):
        run("directory_import", str(tmp_path))


def test_directory_import_names_the_command_for_a_pronote_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """PRONOTE's identifier file given to the directory import: it said « ressemble à un export
    AAF : ajoutez --format aaf », which then found no AAF file."""
    path = tmp_path / "IdPN_To_SOCLE.xml"
    path.write_text('<?xml version="1.0"?>\n<IDENTIFIANTS_PRONOTE UAI="0312609T"/>')
    with pytest.raises(CommandError) as refused:
        run("directory_import", str(path))
    assert str(refused.value) == (
        f"{path} est un fichier d'identifiants de PRONOTE, pas un annuaire : il s'importe avec "
        "« socle pronote_import » (ou la page « Importer les identifiants PRONOTE »)."
    )


def test_account_set_password_refuses_a_password_that_is_not_utf8() -> None:
    make_person("Zoé", "Petit", password=None)
    latin1 = io.TextIOWrapper(io.BytesIO("mot de passe très long\n".encode("latin-1")))
    with pytest.raises(CommandError, match="Le mot de passe doit être encodé en UTF-8"):
        run("account_set_password", "zoe.petit", password_stdin=True, stdin=latin1)
    utf8 = io.TextIOWrapper(io.BytesIO("mot de passe très long\n".encode()), encoding="ascii")
    out, _ = run("account_set_password", "zoe.petit", password_stdin=True, stdin=utf8)
    assert "modifié" in out  # read as UTF-8 whatever the stream's own encoding


PRONOTE_CSV = (
    "Identifiant_PRONOTE-ENT;Nom;Prénom;Date de naissance;Classe\n"
    "ABC123;DUPONT;Jean;01/02/2010;3A\n"
)


@pytest.mark.parametrize("aaf", [False, True])
def test_directory_import_names_the_command_for_a_pronote_csv_extraction(tmp_path, aaf) -> None:  # type: ignore[no-untyped-def]
    """A PRONOTE CSV extraction (EXP_ELEVES.csv) given to the CSV import listed an unknown
    column and a missing one; to the AAF import « Aucun fichier AAF lu … »."""
    path = tmp_path / "EXP_ELEVES.csv"
    path.write_text(PRONOTE_CSV, encoding="utf-8-sig")
    extra = ["--format", "aaf"] if aaf else ["--uai", "0312609T"]
    with pytest.raises(CommandError) as refused:
        call_command("directory_import", str(path), *extra, stdout=io.StringIO())
    assert str(refused.value) == (
        f"{path} est un fichier d'identifiants de PRONOTE, pas un annuaire : il s'importe avec "
        "« socle pronote_import » (ou la page « Importer les identifiants PRONOTE »)."
    )


def test_the_aaf_import_names_a_pronote_csv_extraction_in_a_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "EXP_ELEVES.csv").write_text(
        PRONOTE_CSV.replace("_", " ")
    )  # « Identifiant PRONOTE-ENT »
    with pytest.raises(
        CommandError, match="Il contient 1 fichier\\(s\\) d'identifiants de PRONOTE"
    ):
        call_command("directory_import", str(folder), "--format", "aaf", stdout=io.StringIO())


def test_an_ordinary_csv_mentioning_pronote_is_imported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    make_establishment(uai="0312609T")
    path = tmp_path / "eleves.csv"
    path.write_text("profile;last_name;first_name\nélève;Identifiant_PRONOTE-ENT;Jean\n")
    call_command("directory_import", str(path), "--uai", "0312609T", stdout=io.StringIO())
