import io
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socle.directory.aaf.files import open_sources
from socle.directory.aaf.importer import import_aaf
from socle.directory.models import Person
from tests.conftest import Listener
from tests.directory.aaf_helpers import UAI_A, pupil, school_files, write
from tests.directory.helpers import run


def test_files_are_processed_in_a_sensible_order(tmp_path: Path) -> None:
    for name in [
        "ENT_Delta_20250902_Eleve_0001.xml",
        "ENT_Complet_20250901_PersRelEleve_0001.xml",
        "ENT_Complet_20250901_Eleve_0002.xml",
        "ENT_Complet_20250901_Eleve_0001.xml",
        "ENT_Complet_20250901_EtabEducNat_0001.xml",
        "notes.txt",
        "autre.xml",
        "ENT_Complet_20250901_MatiereEducNat_0001.xml",
    ]:
        (tmp_path / name).write_text("")
    with open_sources(tmp_path) as sources:
        files, skipped = sources.files, sources.skipped
        assert [f.name for f in files] == [
            "ENT_Complet_20250901_EtabEducNat_0001.xml",
            "ENT_Complet_20250901_Eleve_0001.xml",
            "ENT_Complet_20250901_Eleve_0002.xml",
            "ENT_Complet_20250901_PersRelEleve_0001.xml",
            "ENT_Complet_20250901_MatiereEducNat_0001.xml",
            "ENT_Delta_20250902_Eleve_0001.xml",
        ]
        assert skipped == [
            "autre.xml : nom non reconnu (<PROJET>_<Complet|Delta>_…_<Type>_NNNN.xml)"
        ]


def test_nomenclature_files_are_skipped_cleanly(tmp_path: Path) -> None:
    folder = school_files(tmp_path)
    write(folder, "ENT_Complet_20250901_MatiereEducNat_0001.xml", [])
    report = import_aaf(folder)
    assert not report.errors
    assert any("MatiereEducNat non utilisé" in s for s in report.files_skipped)


def test_it_reads_a_zip_archive(tmp_path: Path) -> None:
    folder = school_files(tmp_path / "export")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(folder.iterdir(), reverse=True):  # archive order does not matter
            zipped.write(path, f"aaf/{path.name}")
    report = import_aaf(archive)
    assert not report.errors and len(report.files_read) == 4
    assert Person.objects.get(external_id="E1").memberships.get().establishment.uai == UAI_A


def test_it_reads_a_tar_gz_archive(tmp_path: Path) -> None:
    folder = school_files(tmp_path / "export")
    archive = tmp_path / "export.tar.gz"
    with tarfile.open(archive, "w:gz") as tarred:
        for path in sorted(folder.iterdir()):
            tarred.add(path, arcname=path.name)
    report = import_aaf(archive)
    assert not report.errors and len(report.files_read) == 4
    assert Person.objects.filter(source="aaf").count() == 10


def test_the_doctype_and_external_entities_are_never_fetched(
    tmp_path: Path, listener: Listener
) -> None:
    """Nothing is fetched, and the file, which declares entities no AAF export has, is refused
    whole (its references used to be dropped: « MARTIN » imported from « MARTIN&xxe;… »)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    (tmp_path / "ficAlimMENESR.dtd").write_text('<!ENTITY nom "DTDCHARGEE">')
    port = listener.port
    doctype = (
        f'<!DOCTYPE ficAlimMENESR SYSTEM "http://127.0.0.1:{port}/ficAlimMENESR.dtd" [\n'
        f'<!ENTITY xxe SYSTEM "file://{secret}">\n'
        f'<!ENTITY web SYSTEM "http://127.0.0.1:{port}/x">\n'
        '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
    )
    folder = school_files(tmp_path / "export", pupils=[])
    write(
        folder,
        "ENT_Complet_20250901_Eleve_0001.xml",
        [pupil("E1", "MARTIN&xxe;&web;&lol2;", "Camille").replace("&amp;", "&")],
        doctype=doctype,
    )
    report = import_aaf(folder)
    assert listener.connections() == 0, "the parser must not open any connection"
    assert report.files_failed == ["ENT_Complet_20250901_Eleve_0001.xml"]
    assert "le fichier déclare des entités XML (<!ENTITY xxe, web, lol …>)" in str(report.errors)
    assert not Person.objects.filter(external_id="E1").exists()


def test_it_refuses_an_entity_reference_rather_than_cut_the_value(tmp_path: Path) -> None:
    """With the usual external DOCTYPE (never read), ``&nom;`` cannot be told apart from a
    declared entity: dropped, it stored « CARP » for « CARP&nom;ENTIER ». The file is refused,
    naming the reference and its line; XML's own escapes and character references still read."""
    folder = school_files(tmp_path / "export", pupils=[])
    write(
        folder,
        "ENT_Complet_20250901_Eleve_0001.xml",
        [
            pupil("E1", "CARP&nom;ENTIER", "Jade").replace("&amp;", "&"),
            pupil("E2", "D&#39;ARC", "Jeanne").replace("&amp;", "&"),
        ],
    )
    report = import_aaf(folder)
    assert report.files_failed == ["ENT_Complet_20250901_Eleve_0001.xml"]
    assert "référence d'entité XML « &nom; » (ligne" in str(report.errors)
    assert not Person.objects.filter(external_id__in=["E1", "E2"]).exists()
    write(
        folder,
        "ENT_Complet_20250901_Eleve_0001.xml",
        [pupil("E2", "D&#39;ARC & FILS", "Jeanne").replace("&amp;#39;", "&#39;")],
    )
    assert not import_aaf(folder).files_failed
    assert Person.objects.get(external_id="E2").last_name == "D'ARC & FILS"


def test_the_command_prints_the_summary_and_fails_on_errors(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "directory_import", str(school_files(tmp_path / "ok")), format="aaf", stdout=out, stderr=err
    )
    text = out.getvalue()
    assert "Fichiers : 4 lu(s), 0 ignoré(s), 0 en erreur." in text
    assert "Eleve : 3 créé(s), 0 modifié(s), 0 inchangé(s), 0 désactivé(s), 0 en erreur." in text
    assert f"  {UAI_A} COLLEGE JEAN JAURES : 6 créé(s)" in text
    bad = school_files(tmp_path / "bad", date="20250902", pupils=[pupil("E9", "A", "B", born="x")])
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 erreur"):
        call_command("directory_import", str(bad), format="aaf", stdout=io.StringIO(), stderr=err)
    assert "enregistrement E9 : date de naissance « x » illisible" in err.getvalue()


def test_the_command_refuses_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="introuvable"):
        call_command("directory_import", str(tmp_path / "nope"), format="aaf")


def test_a_folder_can_be_moved_around(tmp_path: Path) -> None:
    folder = school_files(tmp_path / "a")
    shutil.move(folder, tmp_path / "b")
    assert not import_aaf(tmp_path / "b").errors


@pytest.mark.parametrize(
    ("names", "found"),
    [([], None), (["eleves.csv", "notes.txt"], "trouvé(s) : eleves.csv, notes.txt")],
)
def test_an_aaf_import_that_reads_no_file_names_them_and_fails(tmp_path, names, found) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    for name in names:
        (folder / name).write_text("")
    with pytest.raises(CommandError, match="Aucun fichier AAF lu dans") as refused:
        run("directory_import", str(folder), format="aaf")
    assert "rien n'a été importé" in str(refused.value)
    if found:
        assert found in str(refused.value)


def test_an_aaf_import_of_a_csv_file_names_it_and_fails(tmp_path) -> None:
    source = tmp_path / "eleves.csv"
    source.write_text("nom;prenom\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="Aucun fichier AAF lu"):
        call_command("directory_import", str(source), format="aaf", stdout=out)
    assert "ignoré : eleves.csv : ni .xml, ni dossier, ni archive" in out.getvalue()


PRONOTE_IDS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<IDENTIFIANTS_PRONOTE UAI="0312609T">'
    "</IDENTIFIANTS_PRONOTE>\n"
)


@pytest.mark.parametrize("name", ["IdPN_To_ENT.xml", "identifiants.txt"])
def test_it_names_a_pronote_file_given_to_the_aaf_import(tmp_path, name) -> None:
    """It said « Aucun fichier AAF lu dans IdPN_To_ENT.xml … » and « nom non reconnu », as for
    any other XML file; the CSV import and the PRONOTE import (of an AAF file) named it."""
    source = tmp_path / name
    source.write_text(PRONOTE_IDS)
    with pytest.raises(CommandError) as refused:
        run("directory_import", str(source), format="aaf")
    assert str(refused.value) == (
        f"{source} est un fichier d'identifiants de PRONOTE, pas un annuaire : il s'importe avec "
        "« socle pronote_import » (ou la page « Importer les identifiants PRONOTE »)."
    )


def test_it_names_a_pronote_file_in_a_folder_given_to_the_aaf_import(tmp_path) -> None:
    folder = school_files(tmp_path / "export")
    (folder / "IdPN_To_ENT.xml").write_text(PRONOTE_IDS)
    out = io.StringIO()
    call_command("directory_import", str(folder), format="aaf", stdout=out)
    assert (
        "ignoré : IdPN_To_ENT.xml : fichier d'identifiants de PRONOTE, pas un export AAF (il "
        "s'importe avec « socle pronote_import »)" in out.getvalue()
    )
    assert "nom non reconnu" not in out.getvalue()


@pytest.mark.parametrize(("name", "kind"), [("export.zip", "ZIP"), ("export.tar.gz", "tar/tar.gz")])
def test_it_refuses_a_truncated_archive_in_one_french_sentence(tmp_path, name, kind) -> None:
    folder = school_files(tmp_path / "export")
    whole = tmp_path / f"whole-{name}"
    if kind == "ZIP":
        with zipfile.ZipFile(whole, "w") as zipped:
            for path in sorted(folder.iterdir()):
                zipped.write(path, path.name)
    else:
        with tarfile.open(whole, "w:gz") as tarred:
            for path in sorted(folder.iterdir()):
                tarred.add(path, arcname=path.name)
    truncated = tmp_path / name
    truncated.write_bytes(whole.read_bytes()[:300])  # a download cut short
    with pytest.raises(CommandError) as refused:
        call_command("directory_import", str(truncated), format="aaf", stdout=io.StringIO())
    assert str(refused.value) == (
        f"{name} : archive illisible (ce n'est pas une archive {kind} complète : fichier "
        "tronqué, ou d'un autre format)."
    )
    assert Person.objects.count() == 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_it_shows_the_progress_on_a_terminal_in_plain_text_clearing_the_longer_line_before(
    tmp_path: Path,
) -> None:
    err = _Terminal()
    call_command(
        "directory_import",
        str(school_files(tmp_path)),
        format="aaf",
        stdout=io.StringIO(),
        stderr=err,
        force_color=True,
    )
    progress, _, errors = err.getvalue().partition("\n")
    updates = progress.split("\r")[1:]
    assert updates[0] == "ENT_Complet_20250901_EtabEducNat_0001.xml : 2 enregistrement(s) lus\x1b[K"
    assert all(part.endswith(" enregistrement(s) lus\x1b[K") for part in updates)
    assert "\x1b[" not in progress.replace("\x1b[K", "") and errors == ""


@pytest.mark.parametrize("archived", [False, True])
def test_it_names_the_pronote_import_for_a_folder_of_pronote_files_only(tmp_path, archived) -> None:
    """A folder (or archive) of PRONOTE identifier exports given to the AAF import ended with
    « Aucun fichier AAF lu … Fichiers attendus : … » only."""
    folder = tmp_path / "pronote"
    folder.mkdir()
    (folder / "IdPN_To_ENT_0312609T.xml").write_text(PRONOTE_IDS)
    (folder / "IdPN_To_ENT_0310001H.xml").write_text(PRONOTE_IDS)
    (folder / "LISEZMOI.txt").write_text("exports du 3 septembre\n")
    source = folder
    if archived:
        source = tmp_path / "pronote.zip"
        with zipfile.ZipFile(source, "w") as zipped:
            for path in sorted(folder.iterdir()):
                zipped.write(path, path.name)
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("directory_import", str(source), format="aaf", stdout=out)
    prefix = f"{source.name}:" if archived else ""
    assert str(refused.value) == (
        f"Aucun fichier AAF lu dans {source} : rien n'a été importé. Il contient 2 fichier(s) "
        f"d'identifiants de PRONOTE ({prefix}IdPN_To_ENT_0310001H.xml, "
        f"{prefix}IdPN_To_ENT_0312609T.xml), pas un annuaire : ils s'importent, établissement "
        "par établissement, avec « socle pronote_import FICHIER --uai UAI --mode "
        "complet|partiel » (ou la page « Importer les identifiants PRONOTE »)."
    )
    assert "Fichiers : 0 lu(s), 2 ignoré(s), 0 en erreur." in out.getvalue()


def test_it_imports_a_stored_zip_whose_first_file_is_a_pronote_export(tmp_path) -> None:
    """A ZIP with uncompressed members shows its first member's root in its first bytes: the
    whole archive was taken for a PRONOTE file and refused, its AAF files unread."""
    folder = school_files(tmp_path / "export")
    source = tmp_path / "export.zip"
    with zipfile.ZipFile(source, "w", compression=zipfile.ZIP_STORED) as zipped:
        zipped.writestr("0_IdPN_To_ENT.xml", PRONOTE_IDS)
        for path in sorted(folder.iterdir()):
            zipped.write(path, path.name)
    out = io.StringIO()
    call_command("directory_import", str(source), format="aaf", stdout=out)
    assert "ignoré : export.zip:0_IdPN_To_ENT.xml : fichier d'identifiants de PRONOTE" in (
        out.getvalue()
    )
    assert "0 en erreur" in out.getvalue() and " 0 lu(s)" not in out.getvalue()


def test_it_says_so_when_the_sqlite_lock_cannot_be_created(tmp_path) -> None:
    """The lock file beside the SQLite database (its folder read-only, a folder in its place)
    came as an OSError traceback."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's lock file")
    database = Path(str(connection.settings_dict["NAME"]))
    lock = database.with_name(f"{database.name}.aaf-import.lock")
    if lock.exists():
        lock.unlink()
    lock.mkdir()
    try:
        with pytest.raises(CommandError) as refused:
            run("directory_import", str(school_files(tmp_path / "export")), format="aaf")
    finally:
        lock.rmdir()
    assert str(refused.value) == (
        f"Verrou de l'import AAF {lock} impossible à créer (c'est un dossier, pas un fichier) : "
        "le dossier de la base de données doit être accessible en écriture. Rien n'a été importé."
    )
    assert Person.objects.count() == 0
