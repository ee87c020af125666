"""``socle pronote_import`` and ``socle pronote_doctor``."""

from __future__ import annotations

import io
import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import CommandError
from django.utils import translation
from lxml import etree

from socle.pronote.files.envelope import build_envelope
from socle.pronote.models import ImportSession, SessionStatus
from tests.core.disk import full_disk
from tests.factories import make_service
from tests.pronote.helpers import ids_of, import_automatically, run
from tests.pronote.test_views import PRONOTE_XML


@pytest.fixture
def xml_file(tmp_path, school):
    path = tmp_path / "IdPN_To_SOCLE.xml"
    path.write_text(PRONOTE_XML.format(uai=school.est.uai), encoding="utf-8")
    return path


def test_auto_only_validates_the_six_steps_and_prints_the_report(xml_file, school, tmp_path):
    report = tmp_path / "rapport.csv"
    out = run(
        "pronote_import",
        str(xml_file),
        "--uai",
        school.est.uai.lower(),
        "--mode",
        "complet",
        "--auto-only",
        "--report",
        str(report),
    )
    assert (
        "Étape 2/6 : rapprochement des élèves — 3 élèves dans le fichier, 2 reconnus, "
        "1 non reconnu — validée : 2 importés, 0 inchangé, 0 remplacé, 0 conflit, 0 supprimé" in out
    )
    assert (
        "Étape 1/6 : rapprochement des enseignants — 1 enseignant dans le fichier, 1 reconnu, "
        "0 non reconnu — validée : 1 importé, 0 inchangé" in out
    )
    assert "4 identifiant(s) PRONOTE importé(s). Dernier import fait le :" in out
    assert len(ids_of(school.est)) == 4
    assert ImportSession.objects.get().status == SessionStatus.FINISHED
    assert "ELEVEJULES000001" in report.read_bytes().decode("utf-8-sig")


def test_dry_run_writes_nothing(xml_file, school):
    out = import_automatically(xml_file, school, "--dry-run")
    assert "rien n'a été enregistré" in out
    assert not ids_of(school.est) and not ImportSession.objects.exists()


def test_without_auto_only_it_previews_and_points_to_the_web_pages(xml_file, school):
    out = run("pronote_import", str(xml_file), "--uai", school.est.uai, "--mode", "partiel")
    assert "5 personnes lues dans IdPN_To_SOCLE.xml (xml)." in out
    assert (
        "Étape 1/6 : rapprochement des enseignants — 1 enseignant reconnu, "
        "0 enseignant non reconnu" in out
    )
    assert "Étape 2/6 : rapprochement des élèves — 2 élèves reconnus, 1 élève non reconnu" in out
    assert (
        "Étape 4/6 : rapprochement des maîtres de stage — 0 maître de stage reconnu, "
        "0 maître de stage non reconnu" in out
    )
    assert "DUPONT MOREAU Jules (ELEVEJULES000001) : aucun élève" in out
    session = ImportSession.objects.get()
    assert f"/gestion/pronote/import/{session.pk}/etape/1/" in out
    assert session.status == SessionStatus.IN_PROGRESS and not ids_of(school.est)


def test_it_prints_the_step_lines_in_english_with_singular_and_plural(xml_file, school):
    with translation.override("en"):
        preview = run("pronote_import", str(xml_file), "--uai", school.est.uai, "--mode", "partiel")
        report = import_automatically(xml_file, school, mode="partiel")
    assert "5 people read from IdPN_To_SOCLE.xml (xml)." in preview
    assert (
        "Step 1/6: matching teachers — 1 teacher recognised, 0 teachers not recognised" in preview
    )
    assert "Step 4/6: matching work placement supervisors — 0 work placement supervisors" in preview
    assert (
        "Step 2/6: matching pupils — 3 pupils in the file, 2 recognised, 1 not recognised — "
        "validated: 2 imported, 0 unchanged, 0 replaced, 0 conflicts, 0 removed" in report
    )
    assert "Step 3/6: matching parents or guardians — 1 parent or guardian in the file" in report
    for french in ("rapprochement", "reconnu", "dans le fichier", "importé"):
        assert french not in preview + report.replace("identifiant(s) PRONOTE importé(s)", "")


def test_a_bad_file_stops_with_a_french_error(tmp_path, school):
    path = tmp_path / "EXP_ELEVES.csv"
    path.write_bytes(b"Nom;Pr\xe9nom;Identifiant_PRONOTE-ENT\nA;B;\n")
    with pytest.raises(
        CommandError, match="Rien n'a été importé. ligne 2 : identifiant PRONOTE manquant"
    ):
        run("pronote_import", str(path), "--uai", school.est.uai, "--mode", "partiel")


def test_it_names_the_pronote_files_of_a_folder_given_for_them(xml_file, school, tmp_path):
    """A folder said « lecture impossible (c'est un dossier, pas un fichier) », not what to
    give instead."""
    (tmp_path / "EXP_ELEVES.csv").write_text("IDPN;Nom;Prénom\nA1;ROUX;Emma\n")
    (tmp_path / "notes.csv").write_text("Nom;Note\nROUX;12\n")  # not PRONOTE's: not named
    (tmp_path / "sub.csv").mkdir()
    with pytest.raises(CommandError) as refused:
        run("pronote_import", str(tmp_path), "--uai", school.est.uai, "--mode", "partiel")
    assert str(refused.value) == (
        f"{tmp_path} est un dossier : donnez les fichiers d'identifiants eux-mêmes (plusieurs "
        f"possibles). Il en contient 2 : {tmp_path / 'EXP_ELEVES.csv'}, {xml_file}."
    )
    assert not ImportSession.objects.exists()


def test_it_says_what_to_give_for_a_folder_without_pronote_files(school, tmp_path):
    with pytest.raises(CommandError) as refused:
        run("pronote_import", str(tmp_path), "--uai", school.est.uai, "--mode", "partiel")
    assert str(refused.value) == (
        f"{tmp_path} est un dossier : donnez les fichiers d'identifiants eux-mêmes (l'export de "
        "PRONOTE, IdPN_To_….xml, ou ses extractions CSV, EXP_ELEVES.csv…) ; aucun fichier de ce "
        "dossier ne ressemble à un fichier de PRONOTE."
    )


def test_it_refuses_an_unknown_school(xml_file):
    with pytest.raises(CommandError, match="inconnu"):
        run("pronote_import", str(xml_file), "--uai", "0310001H", "--mode", "partiel")


def test_it_imports_an_encrypted_envelope(tmp_path, school, ent_key, ent_key_file):
    path = tmp_path / "IdPN_To_SOCLE.xml"
    path.write_bytes(
        build_envelope(
            PRONOTE_XML.format(uai=school.est.uai).encode(),
            {"SOCLE": ent_key.public_key()},
            uai=school.est.uai,
        )
    )
    out = import_automatically(path, school)
    assert "(envelope)" in out and len(ids_of(school.est)) == 4


def test_an_envelope_without_the_key_setting_is_refused_clearly(
    tmp_path, school, ent_key, settings
):
    settings.SOCLE_PRONOTE_PRIVATE_KEY = ""
    path = tmp_path / "IdPN_To_SOCLE.xml"
    path.write_bytes(build_envelope(b"<r/>", {"SOCLE": ent_key.public_key()}, uai=school.est.uai))
    with pytest.raises(CommandError, match="SOCLE_PRONOTE_PRIVATE_KEY n'est pas défini"):
        run("pronote_import", str(path), "--uai", school.est.uai, "--mode", "complet")


def test_doctor_reports_a_missing_service_and_coverage(xml_file, school):
    import_automatically(xml_file, school)
    out = run("pronote_doctor", "--uai", school.est.uai)
    assert "AUCUN service PRONOTE" in out
    assert "Élèves : 2/2 (100 %)" in out
    assert "Parents : 1/1 (100 %)" in out
    assert "Personnels : 0/1 (0 %)" in out and "sans identifiant : DURAND Sophie" in out


def test_doctor_stops_on_an_unknown_account(school):
    with pytest.raises(CommandError, match="Aucun compte « nobody »"):
        run("pronote_doctor", "--uai", school.est.uai, "--login", "nobody")


def test_doctor_explains_what_pronote_will_say_to_an_account_without_identifier(school):
    url = f"https://{school.est.uai.lower()}.index-education.net/pronote/"
    make_service(
        "pronote", sso_type="pronote", establishment=school.est, url=url, patterns=(url + "**",)
    )
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", school.emma.login)
    assert f"[OK ] {url}eleve.html" in out
    assert (
        'Le serveur CAS doit être configuré pour renvoyer un attribut "idPronote". Or '
        "aucun attribut n'a été renvoyé."
    ) in out
    assert "Échec de l'authentification par le serveur CAS http://testserver/cas" in out
    assert "Importer les identifiants PRONOTE" in out


def test_doctor_shows_the_identifier_pronote_will_receive(xml_file, school):
    url = f"https://{school.est.uai.lower()}.index-education.net/pronote/"
    make_service(
        "pronote", sso_type="pronote", establishment=school.est, url=url, patterns=(url + "**",)
    )
    import_automatically(xml_file, school)
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", school.emma.login)
    assert "identifiant PRONOTE : ELEVEEMMA0000001" in out
    assert "idPronote = ELEVEEMMA0000001" in out
    assert "PRONOTE recevra l'identifiant ELEVEEMMA0000001" in out
    saml = out.split("Réponse SAML 1.1 que recevrait PRONOTE :\n", 1)[1].strip()
    root = etree.fromstring(saml.encode())
    ns = {"saml": "urn:oasis:names:tc:SAML:1.0:assertion"}
    assert root.findtext(".//saml:NameIdentifier", namespaces=ns) == school.emma.uid
    values = root.xpath(
        ".//saml:Attribute[@AttributeName='idPronote']/saml:AttributeValue/text()", namespaces=ns
    )
    assert values == ["ELEVEEMMA0000001"]


def test_doctor_flags_patterns_that_do_not_accept_pronote(school):
    make_service(
        "pronote",
        sso_type="pronote",
        establishment=school.est,
        url="https://pronote.example.org/pronote/",
        patterns=("https://autre.example.org/**",),
    )
    out = run("pronote_doctor", "--uai", school.est.uai)
    assert "[NON] https://pronote.example.org/pronote/eleve.html" in out
    assert "aucune URL de PRONOTE.net n'est acceptée" in out


def test_it_refuses_a_report_path_it_cannot_write_before_importing(xml_file, school, tmp_path):
    with pytest.raises(CommandError) as refused:
        import_automatically(xml_file, school, "--report", str(tmp_path / "absent" / "r.csv"))
    message = str(refused.value)
    assert "écriture impossible (fichier ou dossier introuvable)" in message
    assert "rien n'a été importé" in message
    assert not ImportSession.objects.exists() and not ids_of(school.est)


def test_it_keeps_the_import_when_the_report_cannot_be_written_after_it(
    xml_file, school, tmp_path, monkeypatch
):
    """A full disk once the import is committed: the import stays, the previous report too,
    whole (not the beginning of the new one), and the message says both."""
    folder = tmp_path / "reports"
    folder.mkdir()
    report = folder / "r.csv"
    report.write_bytes(b"last week's report")
    full_disk(monkeypatch, folder, room=100)
    with pytest.raises(CommandError) as refused:
        import_automatically(xml_file, school, "--report", str(report))
    assert str(refused.value) == (
        f"L'import est enregistré, mais le rapport CSV {report} n'a pas pu être écrit (plus de "
        "place sur le disque)."
    )
    assert len(ids_of(school.est)) == 4  # not rolled back
    assert report.read_bytes() == b"last week's report"
    assert [p.name for p in folder.iterdir()] == ["r.csv"]  # nothing half-written left


def test_a_report_that_cannot_be_written_leaves_no_file(xml_file, school, tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    folder.mkdir()
    full_disk(monkeypatch, folder, room=100)
    with pytest.raises(CommandError, match="n'a pas pu être écrit"):
        import_automatically(xml_file, school, "--dry-run", "--report", str(folder / "r.csv"))
    assert list(folder.iterdir()) == []  # neither the probe's empty file nor a partial one


def test_the_command_warns_of_people_of_an_unknown_category(tmp_path, school):
    path = tmp_path / "IdPN_To_SOCLE.xml"
    path.write_text(
        PRONOTE_XML.format(uai=school.est.uai).replace(
            "</IDENTIFIANTS_PRONOTE>",
            '<Accompagnant IDPN="ACCOMP0000000001" Nom="PETIT"/></IDENTIFIANTS_PRONOTE>',
        ),
        encoding="utf-8",
    )
    out = run("pronote_import", str(path), "--uai", school.est.uai, "--mode", "partiel")
    assert "Attention : Personnes ignorées, de catégorie inconnue : <Accompagnant> × 1." in out


def test_a_file_sealed_for_a_former_key_opens_with_that_key_kept(
    tmp_path, school, ent_key, other_key, ent_key_file, settings
):
    path = tmp_path / "IdPN_To_SOCLE.xml"
    path.write_bytes(
        build_envelope(
            PRONOTE_XML.format(uai=school.est.uai).encode(),
            {"SOCLE": other_key.public_key()},  # PRONOTE still holds the former public key
            uai=school.est.uai,
        )
    )
    args = ("pronote_import", str(path), "--uai", school.est.uai, "--mode", "complet")
    with pytest.raises(CommandError, match="déchiffrement RSA|contrôle MD5"):
        run(*args, "--auto-only")
    former = tmp_path / "former.pem"
    former.write_bytes(
        other_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings.SOCLE_PRONOTE_FORMER_PRIVATE_KEYS = [str(former)]
    out = run(*args, "--auto-only")
    assert "(envelope)" in out and len(ids_of(school.est)) == 4


def test_a_new_report_is_readable_by_its_owner_only(xml_file, school, tmp_path):
    """The report names pupils (minors) with their birth dates: a new one is mode 600 whatever
    the umask, as the activation letters are; one replaced keeps the mode it was given."""
    report = tmp_path / "rapport.csv"
    kept = tmp_path / "partage.csv"
    kept.write_bytes(b"last week's report")
    kept.chmod(0o640)
    previous = os.umask(0o022)
    try:
        for path in (report, kept):
            import_automatically(xml_file, school, "--dry-run", "--report", str(path))
    finally:
        os.umask(previous)
    assert "ELEVEJULES000001" in report.read_bytes().decode("utf-8-sig")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640


def test_the_report_path_check_creates_nothing_where_a_link_points(xml_file, school, tmp_path):
    """A dangling link planted where the report goes (a shared folder): checking that the path
    can be written created the file it points at (with the command's rights) and left it; the
    report then replaces the link itself."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pointed = elsewhere / "created-by-the-check"
    report = tmp_path / "rapport.csv"
    report.symlink_to(pointed)
    import_automatically(xml_file, school, "--dry-run", "--report", str(report))
    assert not pointed.exists() and list(elsewhere.iterdir()) == []
    assert not report.is_symlink()
    assert "ELEVEJULES000001" in report.read_bytes().decode("utf-8-sig")


def test_it_prints_the_validated_steps_only_once_they_are_committed(xml_file, school, monkeypatch):
    """The database's disk filled at the end of ``--auto-only``: it printed « validée :
    2 importés … » for each step, then « Rien n'a été enregistré »."""

    from django.core.management import call_command
    from django.db import OperationalError

    from socle.pronote.management.commands.pronote_import import Command

    def disk_full(*_args: object) -> None:
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(Command, "_cas_mismatches", disk_full)  # after the steps' lines
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "pronote_import",
            str(xml_file),
            "--uai",
            school.est.uai,
            "--mode",
            "complet",
            "--auto-only",
            stdout=out,
        )
    assert "plus de place sur le disque" in str(refused.value)
    assert str(refused.value).endswith(
        "Rien n'a été enregistré : relancez la même commande avec les mêmes fichiers."
    )
    assert "validée" not in out.getvalue() and "Étape" not in out.getvalue()
    assert "5 personnes lues dans IdPN_To_SOCLE.xml (xml)." in out.getvalue()
    assert not ids_of(school.est) and not ImportSession.objects.exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("auto_only", [True, False])
def test_it_shows_its_progress_on_a_terminal_only(xml_file, school, auto_only):
    """A region-size file took seconds without a word on the terminal; nothing when stderr is
    no terminal (cron)."""
    from django.core.management import call_command

    args = ["pronote_import", str(xml_file), "--uai", school.est.uai, "--mode", "complet"]
    args += ["--auto-only"] if auto_only else []
    err = _Terminal()
    call_command(*args, stdout=io.StringIO(), stderr=err)
    shown = err.getvalue()
    assert shown.startswith(f"\rLecture de {xml_file}…\x1b[K\n")
    assert "\rRapprochement de 5 personnes avec l'annuaire…\x1b[K" in shown
    assert "\rÉtape 2/6 : rapprochement des élèves…\x1b[K" in shown
    assert shown.endswith("\x1b[K\n")
    piped = io.StringIO()
    call_command(*args, stdout=io.StringIO(), stderr=piped)
    assert piped.getvalue() == ""


def test_it_counts_a_blocked_pupil_and_says_until_when_the_cas_refuses_her(xml_file, school):
    """Blocked for a week, still listed: in the coverage, and the account's verdict names the
    block rather than a deactivation."""
    import datetime as dt

    from django.utils import timezone

    from socle.directory.blocking import block

    import_automatically(xml_file, school)
    url = f"https://{school.est.uai.lower()}.index-education.net/pronote/"
    make_service(
        "pronote", sso_type="pronote", establishment=school.est, url=url, patterns=(url + "**",)
    )
    until = timezone.localdate() + dt.timedelta(days=7)
    block(school.emma, by=None, until=until)
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", school.emma.login)
    assert "Élèves : 2/2 (100 %)" in out
    assert (
        f"Compte bloqué par un administrateur (« Comptes ») jusqu'au {until:%d/%m/%Y} inclus : "
        "le CAS refusera la connexion jusque-là."
    ) in out
