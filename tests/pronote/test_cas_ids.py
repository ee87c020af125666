"""PRONOTE's stored « Identifiant CAS » against the CAS user name Socle sends: recognised when it
is one of ours (uid, login, pairwise id); another name is a note, no refusal — the file comes from
a complete export, which reset it, and PRONOTE will store Socle's name at the next connection —
told at import (report, step pages, command) and by the diagnostics."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

from django.urls import reverse
from django.utils import translation
from lxml import html

from socle.cas.usernames import pairwise_id
from socle.portal.models import UsernameMode
from socle.pronote.doctor import diagnose
from socle.pronote.importer.csv_report import report_csv
from socle.pronote.importer.report import report_text, step_summaries
from socle.pronote.importer.step_matching import prepare_step
from socle.pronote.importer.steps import run_automatic, validate_step
from socle.pronote.matching import DirectoryIndex, Row, match_rows
from socle.pronote.matching_index import Account
from socle.pronote.models import ImportRow, ImportSession
from socle.pronote.views.wizard_context import CAS_MISMATCHES_SHOWN
from tests.factories import make_person, make_pronote_identity, make_service
from tests.pronote.helpers import School, import_automatically, page_text, record, run, start
from tests.pronote.test_views import upload

OLD_ENT = "ENTLR-000123"
RESET = (
    "fiche liée dans PRONOTE à l'identifiant CAS {stored} (un autre ENT, ou un autre réglage du "
    "service) ; l'export de tous les utilisateurs dont vient ce fichier l'a réinitialisé : "
    "PRONOTE enregistrera {sent} à la prochaine connexion depuis l'ENT"
)
ONE_RESET = (
    "1 personne avait dans PRONOTE un autre identifiant CAS que celui que l'ENT enverra (celui "
    "d'un autre ENT ou d'un autre réglage du service), ou celui-ci "
    "était sur une autre de ses fiches (un doublon). L'export de tous les utilisateurs dont "
    "vient le fichier importé (case « Uniquement les utilisateurs sans identifiants CAS » "
    "décochée) a réinitialisé ces identifiants CAS : PRONOTE enregistrera celui de l'ENT à sa "
    "prochaine connexion depuis l'ENT. Rien à faire dans PRONOTE."
)
PUPIL_PROFILES = frozenset({"National_ELV"})


def make_pronote_service(school: School, mode: str = UsernameMode.UID):
    url = f"https://{school.est.uai.lower()}.index-education.net/pronote/"
    return make_service(
        f"pronote-{school.est.uai.lower()}",
        sso_type="pronote",
        establishment=school.est,
        url=url,
        patterns=(url + "**",),
        username_mode=mode,
    )


def emma_row(school: School, cas_id: str):
    """The school's file, Emma's row carrying ``cas_id`` as « Identifiant CAS »."""
    return [
        dataclasses.replace(r, cas_id=cas_id) if r.pronote_id == "ELEVEEMMA0000001" else r
        for r in school.records()
    ]


def imported_emma(school: School, cas_id: str) -> ImportRow:
    session = run_automatic(start(school.est, "partiel", *emma_row(school, cas_id)))
    return ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")


# --- the index: every CAS user name of ours ----------------------------------------------------


def test_it_recognises_an_account_by_the_pairwise_name_a_service_sends():
    emma = Account(1, "Roux", "Emma", uid="u-emma", login="emma.roux", profiles=PUPIL_PROFILES)
    salt = "0123456789abcdef"
    row = Row(1, "eleve", "ELEVEEMMA0000001", "ROUX", "Emma", cas_id=pairwise_id("u-emma", salt))
    (match,) = match_rows([row], DirectoryIndex([emma], [salt]), PUPIL_PROFILES)
    assert (match.account_id, match.method) == (1, "cas_id")
    (unknown,) = match_rows([row], DirectoryIndex([emma]), PUPIL_PROFILES)
    assert unknown.method != "cas_id"  # without the service's salt, not a name of ours


def test_it_recognises_the_pairwise_name_of_the_schools_pronote_service(school):
    service = make_pronote_service(school, UsernameMode.PAIRWISE)
    name = pairwise_id(school.emma.uid, service.pairwise_salt)
    row = imported_emma(school, name)
    assert (row.person_id, row.method, row.outcome) == (school.emma.pk, "cas_id", "created")
    assert row.outcome_detail == ""  # the very name Socle sends: nothing to say


# --- the import --------------------------------------------------------------------------------


def test_it_notes_that_the_export_reset_a_pupil_bound_to_another_ents_name(school):
    make_pronote_service(school)
    row = imported_emma(school, OLD_ENT)
    assert (row.person_id, row.outcome) == (school.emma.pk, "created")
    assert row.outcome_detail == RESET.format(stored=OLD_ENT, sent=school.emma.uid)
    assert "Identification impossible" not in row.outcome_detail
    with translation.override("en"):
        assert row.localized_outcome_detail == (
            f"record bound in PRONOTE to the CAS identifier {OLD_ENT} (another ENT, or another "
            "setting of the service); the export of every user this file comes from reset it: "
            f"PRONOTE will store {school.emma.uid} at the next sign-in from the ENT"
        )
    lines = list(
        csv.reader(io.StringIO(report_csv(row.session).decode("utf-8-sig")), delimiter=";")
    )
    (emma,) = [line for line in lines if line[2] == "ELEVEEMMA0000001"]
    assert emma[11] == "importé" and OLD_ENT in emma[12]  # « Résultat », « Détail »
    assert emma[15].startswith("différent : réinitialisé par l'export de tous les utilisateurs")


def test_it_tells_the_notes_of_an_import_made_before_in_the_new_words(school):
    """Imports validated when the note was a predicted refusal store its code and parameters:
    they are shown with today's wording, no migration."""
    make_pronote_service(school)
    row = imported_emma(school, OLD_ENT)
    ImportRow.objects.filter(pk=row.pk).update(
        outcome_detail=(
            f"PRONOTE a l'identifiant CAS {OLD_ENT} pour cette fiche mais l'ENT enverra "
            f"{school.emma.uid} : PRONOTE répondra « Identification impossible » (dans PRONOTE, "
            "« Supprimer l'identifiant CAS » de cet utilisateur)"
        )
    )
    row.refresh_from_db()
    assert row.outcome_detail_parts == [
        ["cas_id_mismatch", {"stored": OLD_ENT, "sent": school.emma.uid}]
    ]
    assert row.localized_outcome_detail == RESET.format(stored=OLD_ENT, sent=school.emma.uid)
    assert row.localized_cas_mismatch == row.localized_outcome_detail


def test_it_counts_the_reset_identifiers_in_the_report_and_predicts_no_refusal(school):
    make_pronote_service(school)
    row = imported_emma(school, OLD_ENT)
    counts = {s.number: s.cas_mismatches for s in step_summaries(row.session)}
    assert counts == {1: 0, 2: 1, 3: 0, 4: 0, 5: 0, 6: 0}
    text = report_text(row.session)
    assert ONE_RESET in text
    assert "refusée" not in text and "Identification impossible" not in text


def test_it_notes_a_person_whose_cas_name_another_record_held_as_reset_too(school):
    """Gaëlle N'DIAYE's story: two PRONOTE records for one person, the first bound to her CAS
    name; a Complet import gives her the second. Both records were in the complete export,
    which reset both: PRONOTE will bind the second at her next connection. The report's column
    counts her, as a note."""
    make_pronote_service(school)
    copy = record(
        "eleve", "ROUX", "Emma", pid="ELEVEEMMA0000002", birth=dt.date(2012, 3, 4), cas_id=""
    )
    session = start(school.est, "complet", *emma_row(school, school.emma.uid), copy)
    validate_step(session, 1)
    prepare_step(session, 2)
    bound = ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")
    other = ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000002")
    validate_step(session, 2, {bound.pk: None, other.pk: school.emma.pk})
    other.refresh_from_db()
    assert other.outcome == "created"
    assert other.outcome_detail == (
        f"l'identifiant CAS {school.emma.uid}, que l'ENT enverra, était celui d'une autre fiche : "
        "ROUX Emma (ELEVEEMMA0000001) ; l'export de tous les utilisateurs dont vient ce fichier "
        f"les a réinitialisées toutes deux : PRONOTE enregistrera {school.emma.uid} sur cette "
        "fiche à la prochaine connexion depuis l'ENT"
    )
    counts = {s.number: s.cas_mismatches for s in step_summaries(session)}
    assert counts[2] == 1
    assert ONE_RESET in report_text(session)


def test_a_record_bound_to_the_name_of_its_own_account_is_no_mismatch(school):
    make_pronote_service(school)
    copy = record(
        "eleve", "ROUX", "Emma", pid="ELEVEEMMA0000002", birth=dt.date(2012, 3, 4), cas_id=""
    )
    session = run_automatic(start(school.est, "complet", *emma_row(school, school.emma.uid), copy))
    bound = ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")
    assert (bound.person_id, bound.outcome_detail) == (school.emma.pk, "")
    assert {s.number: s.cas_mismatches for s in step_summaries(session)}[2] == 0


def test_an_empty_or_identical_cas_id_is_no_mismatch(school):
    make_pronote_service(school)
    for cas_id in ("", school.emma.uid):
        row = imported_emma(school, cas_id)
        assert row.outcome in ("created", "unchanged") and row.outcome_detail == ""
    assert "Identification impossible" not in report_text(row.session)


def test_it_compares_with_the_name_of_the_services_username_mode(school):
    service = make_pronote_service(school, UsernameMode.PAIRWISE)
    row = imported_emma(school, school.emma.uid)  # the uid, recognised as ours…
    assert row.method == "cas_id"
    sent = pairwise_id(school.emma.uid, service.pairwise_salt)
    assert f"PRONOTE enregistrera {sent} " in row.outcome_detail  # … but not what Socle sends
    service.username_mode = UsernameMode.LOGIN
    service.save()
    assert imported_emma(school, school.emma.login).outcome_detail == ""


def test_without_a_pronote_service_it_compares_with_the_uid(school):
    row = imported_emma(school, OLD_ENT)
    assert f"PRONOTE enregistrera {school.emma.uid} " in row.outcome_detail


def test_a_conflict_keeps_its_own_note_and_the_mismatch(school):
    make_pronote_service(school)
    other = make_person("Zoé", "Autre", establishment=school.est, birth_date=dt.date(2012, 1, 1))
    make_pronote_identity(other, school.est, "ELEVEEMMA0000001")
    session = start(school.est, "partiel", *emma_row(school, OLD_ENT))
    validate_step(session, 1)
    prepare_step(session, 2)
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")
    validate_step(session, 2, {row.pk: school.emma.pk})
    row.refresh_from_db()
    assert row.outcome == "conflict"
    assert row.outcome_detail.startswith("identifiant déjà attribué à AUTRE Zoé")
    assert f" ; fiche liée dans PRONOTE à l'identifiant CAS {OLD_ENT} " in row.outcome_detail


def test_the_command_prints_each_reset_identifier_with_the_count(school, tmp_path):
    make_pronote_service(school)
    path = tmp_path / "EXP_ELEVES.csv"
    path.write_text(
        "Nom;Prénom;Né(e) le;Identifiant_PRONOTE-ENT;Identifiant CAS\n"
        f"ROUX;Emma;04/03/2012;ELEVEEMMA0000001;{OLD_ENT}\n"
        "ROUX;Tom;01/09/2014;ELEVETOM00000001;\n",
        encoding="utf-8",
    )
    preview = run("pronote_import", str(path), "--uai", school.est.uai, "--mode", "partiel")
    assert ONE_RESET in preview
    note = RESET.format(stored=OLD_ENT, sent=school.emma.uid)
    emma = f"  - ROUX Emma (ELEVEEMMA0000001) — {note}"
    assert emma in preview
    out = import_automatically(path, school, mode="partiel")
    assert ONE_RESET in out
    assert "Identification impossible" not in out
    assert f"Identifiants CAS réinitialisés par l'export :\n{emma}" in out


# --- the pages ---------------------------------------------------------------------------------


def test_the_step_page_and_the_report_page_note_the_reset_identifier(admin_client, school):
    make_pronote_service(school)
    xml = (
        f'<IDENTIFIANTS_PRONOTE UAI="{school.est.uai}"><Eleves>'
        '<Eleve IDPN="ELEVEEMMA0000001" Nom="ROUX" Prenom="Emma" DateNaissance="04/03/2012" '
        f'IdentifiantCAS="{OLD_ENT}"/></Eleves></IDENTIFIANTS_PRONOTE>'
    )
    upload(admin_client, school, mode="partiel", content=xml.encode())
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    shown = admin_client.get(reverse("pronote:step", args=[session.pk, 2]))
    step = page_text(shown)
    banner = html.fromstring(shown.content.decode()).get_element_by_id("cas-mismatch")
    listing = banner.getnext()  # the people, right under the banner
    assert listing.get("id") == "cas-mismatch-list"
    note = RESET.format(stored=OLD_ENT, sent=school.emma.uid)
    assert [" ".join(li.text_content().split()) for li in listing.iterchildren("li")] == [
        f"ROUX Emma (ELEVEEMMA0000001) — {note}"
    ]
    assert " ".join(banner.text_content().split()) == ONE_RESET
    assert "Identification impossible" not in step
    response = admin_client.post(
        reverse("pronote:step", args=[session.pk, 2]), {"action": "validate"}
    )
    for _number in (3, 4, 5, 6):
        response = admin_client.post(response["Location"], {"action": "validate"})
    final = page_text(admin_client.get(response["Location"]))
    assert "Identifiants CAS réinitialisés par l'export" in final
    assert f"ROUX Emma (ELEVEEMMA0000001) — {note}" in final
    assert "refusera" not in final


def test_the_step_page_lists_the_first_mismatches_and_counts_the_others(admin_client, school):
    make_pronote_service(school)
    records = []
    for n in range(CAS_MISMATCHES_SHOWN + 2):
        name = "Eleve" + "".join(chr(ord("a") + int(d)) for d in f"{n:02d}")  # Eleveaa, Eleveab…
        make_person(name, "Nombreux", establishment=school.est, birth_date=dt.date(2012, 1, 1))
        pid = f"NOMBREUX{n:08d}"
        records.append(
            record("eleve", "NOMBREUX", name, pid=pid, birth=dt.date(2012, 1, 1), cas_id=f"x-{n}")
        )
    session = start(school.est, "partiel", *records)
    validate_step(session, 1)
    shown = admin_client.get(reverse("pronote:step", args=[session.pk, 2]))
    assert "22 personnes avaient dans PRONOTE un autre identifiant CAS" in page_text(shown)
    listing = html.fromstring(shown.content.decode()).get_element_by_id("cas-mismatch-list")
    items = [" ".join(li.text_content().split()) for li in listing.iterchildren("li")]
    assert len(items) == CAS_MISMATCHES_SHOWN + 1
    assert items[0].startswith("NOMBREUX Eleveaa (NOMBREUX00000000) — fiche liée dans PRONOTE")
    assert items[-1] == "… et 2 autres"


# --- the diagnostics ---------------------------------------------------------------------------


def test_the_diagnostic_predicts_success_for_a_record_the_export_reset_and_notes_why(school):
    make_pronote_service(school)
    imported_emma(school, OLD_ENT)
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", school.emma.login)
    assert "PRONOTE recevra l'identifiant ELEVEEMMA0000001 et ouvrira" in out
    assert (
        f"la fiche PRONOTE ELEVEEMMA0000001 avait l'identifiant CAS {OLD_ENT} (un autre ENT, ou "
        f"un autre réglage du service), mais l'ENT enverra {school.emma.uid} : l'export de tous "
        "les utilisateurs dont vient ce fichier l'a réinitialisé, PRONOTE enregistrera "
        f"{school.emma.uid} à la prochaine connexion depuis l'ENT." in out
    )
    assert "Identification impossible" not in out
    assert "Supprimer l'identifiant CAS" not in out
    assert "## Identifiants CAS réinitialisés par l'export" in out
    assert (
        f"ROUX Emma ({school.emma.login}), fiche ELEVEEMMA0000001 : PRONOTE avait {OLD_ENT}, "
        f"réinitialisé par l'export du fichier du " in out
    )
    tom = run("pronote_doctor", "--uai", school.est.uai, "--login", school.tom.login)
    assert "PRONOTE recevra l'identifiant ELEVETOM00000001 et ouvrira" in tom


def test_a_newer_file_without_the_old_name_clears_the_diagnostic(school):
    make_pronote_service(school)
    imported_emma(school, OLD_ENT)
    assert [m.pronote_id for m in diagnose(school.est, allowed=None).cas_mismatches] == [
        "ELEVEEMMA0000001"
    ]
    session = ImportSession.objects.get()
    ImportSession.objects.filter(pk=session.pk).update(
        created_at=session.created_at - dt.timedelta(days=1)
    )
    imported_emma(school, "")  # PRONOTE's record was reset: the newer file says so
    assert diagnose(school.est, allowed=None).cas_mismatches == []
    report = diagnose(school.est, school.emma.login, allowed=None)
    assert report.account is not None
    assert report.account.verdict[0].startswith("PRONOTE recevra l'identifiant ELEVEEMMA0000001")


def test_the_diagnostics_page_lists_the_reset_identifiers_as_notes(admin_client, school):
    make_pronote_service(school)
    imported_emma(school, OLD_ENT)
    response = admin_client.get(
        reverse("pronote:doctor"), {"establishment": school.est.pk, "login": school.emma.login}
    )
    text = page_text(response)
    assert "Identifiants CAS réinitialisés par l'export" in text
    assert f"fiche ELEVEEMMA0000001 : PRONOTE avait {OLD_ENT}, réinitialisé par l'export" in text
    assert f"; il enregistrera {school.emma.uid}" in text
    assert f"avait l'identifiant CAS {OLD_ENT} (un autre ENT" in text
    assert "Identification impossible" not in text
