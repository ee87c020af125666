"""A person PRONOTE holds twice, the first record bound to their CAS user name (the field guides'
« Identification impossible » story, the demo's Gaëlle N'DIAYE) in the imported file, while the
ENT gives the account the other record. The file is a complete export (bound users are in no
other), which reset both records: PRONOTE will bind the other record at the next connection, no
refusal. The import counts them under « Identifiants CAS différents » as a note; « Diagnostic
PRONOTE » and ``pronote_doctor`` tell it with the same words, and ``pronote_import`` lists them as
the pages do."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.urls import reverse
from django.utils import timezone
from lxml import html

from socle.pronote.doctor import diagnose
from socle.pronote.importer.steps import run_automatic
from socle.pronote.models import ImportSession
from tests.pronote.helpers import School, page_text, record, run, start
from tests.pronote.test_cas_ids import make_pronote_service

BOUND = "ELEVEEMMA0000000"  # PRONOTE's first record of Emma, bound to her CAS user name


def _with_bound_copy(school: School, cas_id: str) -> list:
    """The school's file plus Emma's first record, under the birth name PRONOTE first had
    (so the matching leaves it), carrying ``cas_id``."""
    first = record("eleve", "DUPONT", "Emma", pid=BOUND, birth=dt.date(2012, 3, 4), cas_id=cas_id)
    return [*school.records(), first]


def _imported(school: School, cas_id: str | None = None) -> ImportSession:
    make_pronote_service(school)
    files = _with_bound_copy(school, school.emma.uid if cas_id is None else cas_id)
    return run_automatic(start(school.est, "complet", *files))


def _today() -> str:
    return f"{timezone.localtime():%d/%m/%Y}"


def test_the_import_counts_it_and_the_diagnostic_lists_it_as_reset(school):
    _imported(school)
    report = diagnose(school.est, allowed=None)
    (found,) = report.cas_mismatches
    assert (found.pronote_id, found.stored, found.sent) == ("ELEVEEMMA0000001", "", school.emma.uid)
    assert (found.holder_id, found.holder_name) == (BOUND, "DUPONT Emma")
    assert found.detail == (
        f"fiche ELEVEEMMA0000001 : l'ENT enverra {school.emma.uid}, que PRONOTE avait sur une "
        f"autre fiche, DUPONT Emma ({BOUND}), un doublon ; réinitialisées toutes deux par "
        f"l'export du fichier du {_today()}, PRONOTE enregistrera {school.emma.uid} sur la fiche "
        "ELEVEEMMA0000001"
    )
    assert report.cas_mismatch_text.startswith(
        "1 personne avait dans PRONOTE un autre identifiant CAS que celui que l'ENT enverra"
    )
    assert "refusée" not in report.cas_mismatch_text


def test_pronote_doctor_predicts_success_and_notes_that_the_export_reset_both(school):
    _imported(school)
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", school.emma.login)
    verdict = [line for line in out.splitlines() if line.startswith("=> ")]
    assert verdict == [
        "=> PRONOTE recevra l'identifiant ELEVEEMMA0000001 et ouvrira l'espace de ce compte sans "
        "nouvelle identification.",
        f"=> Dans le fichier importé le {_today()}, l'identifiant CAS {school.emma.uid}, que "
        f"l'ENT enverra, était celui d'une autre fiche que ELEVEEMMA0000001 : DUPONT Emma "
        f"({BOUND}), un doublon ; l'export de tous les utilisateurs dont vient ce fichier les a "
        f"réinitialisées toutes deux : PRONOTE enregistrera {school.emma.uid} sur la fiche "
        "ELEVEEMMA0000001 à la prochaine connexion depuis l'ENT.",
    ]
    assert "Supprimer l'identifiant CAS" not in out
    assert "## Identifiants CAS réinitialisés par l'export" in out
    assert (
        f"  ROUX Emma ({school.emma.login}), fiche ELEVEEMMA0000001 : l'ENT enverra "
        f"{school.emma.uid}, que PRONOTE avait sur une autre fiche, DUPONT Emma ({BOUND})" in out
    )
    tom = run("pronote_doctor", "--uai", school.est.uai, "--login", school.tom.login)
    assert "PRONOTE recevra l'identifiant ELEVETOM00000001 et ouvrira" in tom


def test_the_diagnostic_page_shows_the_note_and_the_list(admin_client, school):
    _imported(school)
    response = admin_client.get(
        reverse("pronote:doctor"), {"establishment": school.est.pk, "login": school.emma.login}
    )
    tree = html.fromstring(response.content.decode())
    (section,) = tree.xpath("//section[@id='compte']")
    verdict = " ".join(section.text_content().split())
    assert "PRONOTE recevra l'identifiant ELEVEEMMA0000001 et ouvrira" in verdict
    assert (
        f"l'identifiant CAS {school.emma.uid}, que l'ENT enverra, était celui d'une autre fiche "
        f"que ELEVEEMMA0000001 : DUPONT Emma ({BOUND}), un doublon ; l'export de tous les "
        "utilisateurs dont vient ce fichier les a réinitialisées toutes deux" in verdict
    )
    assert "« Supprimer l'identifiant CAS » de la fiche DUPONT Emma" not in verdict
    text = page_text(response)
    assert (
        f"ROUX Emma ({school.emma.login}) — fiche ELEVEEMMA0000001 : l'ENT enverra "
        f"{school.emma.uid}, que PRONOTE avait sur une autre fiche, DUPONT Emma ({BOUND})" in text
    )


def test_it_speaks_english_on_an_english_page(admin_client, school):
    _imported(school)
    response = admin_client.get(
        reverse("pronote:doctor"),
        {"establishment": school.est.pk, "login": school.emma.login},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = page_text(response)
    assert "that the ENT will send, was that of another record than ELEVEEMMA0000001" in text
    assert "reset them both: PRONOTE will store" in text


def test_a_newer_file_where_the_first_record_is_reset_clears_it(school):
    session = _imported(school)
    ImportSession.objects.filter(pk=session.pk).update(
        created_at=session.created_at - dt.timedelta(days=1)
    )
    # the school removed the first record's « Identifiant CAS »: the newcomers export lists it
    run_automatic(start(school.est, "partiel", *_with_bound_copy(school, "")))
    assert diagnose(school.est, allowed=None).cas_mismatches == []
    report = diagnose(school.est, school.emma.login, allowed=None)
    assert report.account is not None
    assert report.account.verdict[0].startswith("PRONOTE recevra l'identifiant ELEVEEMMA0000001")


def test_an_older_file_still_listing_a_merged_copy_does_not_count_once_bound(school):
    """The school merged the copies in PRONOTE and Emma's record got bound to her name: an older
    file still lists the merged copy with that name, but PRONOTE finds Emma's own record."""
    session = _imported(school)
    ImportSession.objects.filter(pk=session.pk).update(
        created_at=session.created_at - dt.timedelta(days=1)
    )
    bound_now = [
        dataclasses.replace(r, cas_id=school.emma.uid) if r.pronote_id == "ELEVEEMMA0000001" else r
        for r in school.records()
    ]
    run_automatic(start(school.est, "partiel", *bound_now))
    assert diagnose(school.est, allowed=None).cas_mismatches == []
    report = diagnose(school.est, school.emma.login, allowed=None)
    assert report.account is not None
    assert report.account.verdict[0].startswith("PRONOTE recevra l'identifiant ELEVEEMMA0000001")


def test_a_record_bound_to_someone_elses_name_is_not_this_case(school):
    _imported(school, cas_id="u-quelquun-dautre")
    assert diagnose(school.est, allowed=None).cas_mismatches == []
    report = diagnose(school.est, school.emma.login, allowed=None)
    assert report.account is not None
    assert report.account.verdict[0].startswith("PRONOTE recevra l'identifiant")


def test_in_identity_mode_pronote_opens_the_bound_record(school):
    """No identifier is sent: PRONOTE finds the person on the bound record and opens it."""
    _imported(school)
    service = school.est.services.get()
    service.pronote_recognition = "identity"
    service.save()
    report = diagnose(school.est, school.emma.login, allowed=None)
    assert report.account is not None
    assert not [line for line in report.account.verdict if "sur une autre fiche" in line]


def test_pronote_import_lists_it_as_the_pages_do(school, tmp_path):
    make_pronote_service(school)
    path = tmp_path / "EXP_ELEVES.csv"
    path.write_text(
        "Nom;Prénom;Né(e) le;Identifiant_PRONOTE-ENT;Identifiant CAS\n"
        f"DUPONT;Emma;04/03/2012;{BOUND};{school.emma.uid}\n"
        "ROUX;Emma;04/03/2012;ELEVEEMMA0000001;\n",
        encoding="utf-8",
    )
    detail = (
        f"l'identifiant CAS {school.emma.uid}, que l'ENT enverra, était celui d'une autre fiche : "
        f"DUPONT Emma ({BOUND}) ; l'export de tous les utilisateurs dont vient ce fichier les a "
        f"réinitialisées toutes deux : PRONOTE enregistrera {school.emma.uid} sur cette fiche à "
        "la prochaine connexion depuis l'ENT"
    )
    preview = run("pronote_import", str(path), "--uai", school.est.uai, "--mode", "partiel")
    assert "1 personne avait dans PRONOTE un autre identifiant CAS" in preview
    assert f"  - ROUX Emma (ELEVEEMMA0000001) — {detail}" in preview
    args = ("pronote_import", str(path), "--uai", school.est.uai, "--mode", "partiel")
    out = run(*args, "--auto-only")
    assert "Identification impossible" not in out
    assert (
        "Identifiants CAS réinitialisés par l'export :\n"
        f"  - ROUX Emma (ELEVEEMMA0000001) — {detail}\n" in out
    )


def test_it_notes_no_duplicate_in_identity_mode_where_pronote_would_open_the_bound_record(
    school,
):
    """The import's count and the diagnostic's list note a duplicate bound first only where it
    would have mattered: not in identity mode (no identifier is sent; the bound record opens)."""
    service = make_pronote_service(school)
    service.pronote_recognition = "identity"
    service.save()
    files = _with_bound_copy(school, school.emma.uid)
    session = run_automatic(start(school.est, "complet", *files))
    assert [row.cas_mismatch_parts for row in session.rows.all() if row.cas_mismatch_parts] == []
    assert diagnose(school.est, allowed=None).cas_mismatches == []


def test_it_gives_the_same_verdict_for_a_stored_name_with_surrounding_spaces(school):
    """An « Identifiant CAS » stored with spaces around it (a hand-edited export kept by an
    earlier version): the list and the per-account verdict compare it the same way."""
    from socle.pronote.cas_names import stored_elsewhere
    from socle.pronote.models import ImportRow

    session = _imported(school)
    ImportRow.objects.filter(session=session, pronote_id=BOUND).update(
        cas_id=f" {school.emma.uid}\t"
    )
    (listed,) = diagnose(school.est, allowed=None).cas_mismatches
    assert (listed.pronote_id, listed.holder_id) == ("ELEVEEMMA0000001", BOUND)
    verdict = stored_elsewhere(school.est, "ELEVEEMMA0000001", school.emma.uid)
    assert verdict is not None
    assert (verdict.holder_id, verdict.holder_name) == (BOUND, "DUPONT Emma")


def test_it_says_what_to_do_if_pronote_still_refuses_only_for_a_person_with_a_duplicate(school):
    # The file has a second, unbound record of Emma (her birth name): PRONOTE may have bound it
    # already (a partial export leaves bound users out), so the hint names it. Tom has one record:
    # nothing suggests « Identification impossible », the hint would only worry the reader.
    _imported(school, cas_id="")
    emma = run("pronote_doctor", "--uai", school.est.uai, "--login", school.emma.login)
    assert "PRONOTE recevra l'identifiant ELEVEEMMA0000001 et ouvrira" in emma
    assert (
        f"Correction : L'import du {_today()} a une autre fiche PRONOTE pour cette personne : "
        f"DUPONT Emma ({BOUND}), un doublon ? Si PRONOTE affiche tout de même « Identification "
        "impossible"
    ) in emma
    assert f"effacez l'« Identifiant CAS » de la fiche {BOUND}, puis reconnectez-vous" in emma
    tom = run("pronote_doctor", "--uai", school.est.uai, "--login", school.tom.login)
    assert "PRONOTE recevra l'identifiant ELEVETOM00000001 et ouvrira" in tom
    assert "tout de même" not in tom and "Identification impossible" not in tom
