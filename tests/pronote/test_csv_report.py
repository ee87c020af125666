"""The import's CSV report: columns in a fixed order (new ones at the end), headers and fixed
values in the visitor's or the command's language, PRONOTE's stored « Identifiant CAS » beside the
name Socle sends, and no formula handed to a spreadsheet."""

from __future__ import annotations

import csv
import dataclasses
import io

from django.urls import reverse
from django.utils import translation

from socle.cas.usernames import pairwise_id
from socle.portal.models import UsernameMode
from socle.pronote.importer.csv_report import report_csv
from socle.pronote.importer.steps import run_automatic
from socle.pronote.models import ImportSession
from tests.factories import make_person, make_pronote_identity
from tests.pronote.helpers import School, record, run, start
from tests.pronote.test_cas_ids import OLD_ENT, emma_row, make_pronote_service

FRENCH_HEADER = [
    "Étape",
    "Catégorie",
    "Identifiant PRONOTE",
    "Nom",
    "Prénom",
    "Date de naissance",
    "Classe",
    "Rapprochement",
    "Compte",
    "Méthode",
    "Motif",
    "Résultat",
    "Détail",
    "Identifiant CAS dans PRONOTE",
    "Identifiant CAS envoyé par l'ENT",
    "État de l'identifiant CAS",
]
ENGLISH_HEADER = [
    "Step",
    "Category",
    "PRONOTE identifier",
    "Last name",
    "First name",
    "Date of birth",
    "Class",
    "Matching",
    "Account",
    "Method",
    "Reason",
    "Result",
    "Details",
    "CAS identifier in PRONOTE",
    "CAS user name sent by the ENT",
    "CAS identifier status",
]
STORED, SENT, STATE = 13, 14, 15  # the columns added at the end
RESET = (
    "différent : réinitialisé par l'export de tous les utilisateurs, PRONOTE enregistrera "
    "l'identifiant envoyé à la prochaine connexion depuis l'ENT"
)


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert {len(row) for row in rows} == {len(FRENCH_HEADER)}
    return rows


def by_id(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[2]: row for row in rows[1:]}


def complet_with_a_removal(school: School, *extra) -> ImportSession:
    former = make_person("Léo", "Ancien", establishment=school.est)
    make_pronote_identity(former, school.est, "ANCIEN0000000001")
    return run_automatic(
        start(
            school.est, "complet", *school.records(), record("eleve", "INCONNU", "Jules"), *extra
        ),
        confirm_removals=True,
    )


def test_it_writes_the_report_in_french_with_the_columns_in_their_order(school):
    make_pronote_service(school)
    rows = parse(report_csv(complet_with_a_removal(school)))
    assert rows[0] == FRENCH_HEADER
    lines = by_id(rows)
    emma = lines["ELEVEEMMA0000001"]
    assert emma[:3] == ["2", "élève", "ELEVEEMMA0000001"]
    assert (emma[7], emma[8], emma[11]) == ("reconnu", school.emma.login, "importé")
    assert emma[10] == "nom, prénom et date de naissance"
    unknown = next(row for row in rows[1:] if row[3] == "INCONNU")
    assert (unknown[7], unknown[11], unknown[SENT], unknown[STATE]) == (
        "non reconnu",
        "non identifié",
        "",
        "",
    )
    removed = lines["ANCIEN0000000001"]
    assert (removed[10], removed[11]) == ("absent du fichier (mode complet)", "supprimé")
    assert removed[STORED:] == ["", "", ""]


def test_the_download_follows_the_visitors_language(admin_client, school):
    make_pronote_service(school)
    session = complet_with_a_removal(school)
    url = reverse("pronote:report", args=[session.pk])
    rows = parse(admin_client.get(url, headers={"Accept-Language": "en"}).content)
    assert rows[0] == ENGLISH_HEADER
    lines = by_id(rows)
    emma = lines["ELEVEEMMA0000001"]
    assert emma[1] == "pupil"
    assert (emma[7], emma[11]) == ("recognised", "imported")
    assert emma[10] == "last name, first name and date of birth"
    assert emma[STATE] == "empty: PRONOTE will store the name sent at the next sign-in from the ENT"
    unknown = next(row for row in rows[1:] if row[3] == "INCONNU")
    assert (unknown[7], unknown[11]) == ("not recognised", "not identified")
    removed = lines["ANCIEN0000000001"]
    assert (removed[10], removed[11]) == ("not in the file (Complet mode)", "removed")
    french = parse(admin_client.get(url, headers={"Accept-Language": "fr"}).content)
    assert french[0] == FRENCH_HEADER


def test_the_command_writes_the_report_in_its_language(school, tmp_path):
    make_pronote_service(school)
    path = tmp_path / "IdPN.xml"
    path.write_text(
        f'<IDENTIFIANTS_PRONOTE UAI="{school.est.uai}"><Eleves>'
        '<Eleve IDPN="ELEVEEMMA0000001" Nom="ROUX" Prenom="Emma" DateNaissance="04/03/2012" '
        f'IdentifiantCAS="{OLD_ENT}"/></Eleves></IDENTIFIANTS_PRONOTE>',
        encoding="utf-8",
    )
    report = tmp_path / "report.csv"
    args = ("pronote_import", str(path), "--uai", school.est.uai, "--mode", "partiel")
    with translation.override("en"):
        run(*args, "--auto-only", "--dry-run", "--report", str(report))
    rows = parse(report.read_bytes())
    assert rows[0] == ENGLISH_HEADER
    emma = by_id(rows)["ELEVEEMMA0000001"]
    assert emma[STORED:] == [
        OLD_ENT,
        school.emma.uid,
        "different: reset by the export of every user, PRONOTE will store the name sent at the "
        "next sign-in from the ENT",
    ]
    run(*args, "--report", str(report))  # the command's default language: French
    assert parse(report.read_bytes())[0] == FRENCH_HEADER


def test_it_puts_the_stored_identifiant_cas_beside_the_name_socle_sends(school):
    service = make_pronote_service(school, UsernameMode.PAIRWISE)
    sent = pairwise_id(school.emma.uid, service.pairwise_salt)
    tom = next(r for r in school.records() if r.pronote_id == "ELEVETOM00000001")
    records = [
        dataclasses.replace(r, cas_id=sent) if r.pronote_id == tom.pronote_id else r
        for r in emma_row(school, OLD_ENT)
    ]
    lines = by_id(parse(report_csv(run_automatic(start(school.est, "partiel", *records)))))
    assert lines["ELEVEEMMA0000001"][STORED:] == [OLD_ENT, sent, RESET]
    assert OLD_ENT in lines["ELEVEEMMA0000001"][12]  # and « Détail » says what happened
    tom_sent = pairwise_id(school.tom.uid, service.pairwise_salt)
    assert lines["ELEVETOM00000001"][STORED:] == [sent, tom_sent, RESET]  # Emma's name
    teacher_sent = pairwise_id(school.teacher.uid, service.pairwise_salt)
    assert lines["PROFBERRONE00001"][STORED:] == [
        "",
        teacher_sent,
        "vide : PRONOTE enregistrera l'identifiant envoyé à la prochaine connexion depuis l'ENT",
    ]


def test_an_identical_identifiant_cas_is_said_so(school):
    make_pronote_service(school)
    session = run_automatic(start(school.est, "partiel", *emma_row(school, school.emma.uid)))
    emma = by_id(parse(report_csv(session)))["ELEVEEMMA0000001"]
    assert emma[STORED:] == [school.emma.uid, school.emma.uid, "identique"]
    with translation.override("en"):
        english = by_id(parse(report_csv(session)))["ELEVEEMMA0000001"]
    assert english[STATE] == "identical"


def test_it_hands_no_formula_to_a_spreadsheet_whatever_the_column(school):
    make_pronote_service(school)
    formulas = ['=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)", "\tx", "\r=1"]
    session = run_automatic(
        start(
            school.est,
            "partiel",
            *emma_row(school, "=cmd|' /c calc'!A1"),
            record("eleve", formulas[0], formulas[1], class_name=formulas[2], cas_id=formulas[3]),
            record("eleve", formulas[4], "Léa", cas_id=formulas[5]),
        )
    )
    rows = parse(report_csv(session))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    lines = by_id(rows)
    assert lines["ELEVEEMMA0000001"][STORED] == "'=cmd|' /c calc'!A1"
    row = next(r for r in rows if r[3] == "'" + formulas[0])
    assert (row[4], row[6], row[STORED]) == ("'+1", "'-1+1", "'@SUM(A1)")
    assert next(r for r in rows if r[3] == "'\tx")[STORED] == "'\r=1"
