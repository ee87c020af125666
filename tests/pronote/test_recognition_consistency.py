"""The three places that predict PRONOTE's answer — the import report, the per-account verdict of
« Diagnostic PRONOTE » (and ``pronote_doctor``), the service-level words for a plain-http
PRONOTE.net — agree on the service's recognition mode, and on what an imported file's « Identifiant
CAS » tells: the complete export that made the file reset it, so that it neither refuses anyone
nor lets PRONOTE recognise a user without attributes."""

from __future__ import annotations

import pytest

from socle.portal.models import Service
from socle.pronote.doctor import diagnose
from socle.pronote.doctor_account import IDENTIFICATION_IMPOSSIBLE, missing_attribute_message
from socle.pronote.importer.steps import run_automatic
from socle.pronote.models import ImportRow, ImportSession
from tests.pronote.helpers import School, run, start
from tests.pronote.test_cas_ids import emma_row
from tests.pronote.test_doctor_duplicates import BOUND, _with_bound_copy
from tests.pronote.test_http_pronote import HTTP_BASE, pronote_at
from tests.pronote.test_several_services import pronote

CAS = "http://testserver/cas"
HELD = "était celui d'une autre fiche"


pytestmark = pytest.mark.usefixtures("fresh_withheld_notes")


def _pronote(school: School, code: str, recognition: str, order: int = 0) -> Service:
    return pronote(school, code, pronote_recognition=recognition, order=order)


def _import_with_bound_copy(school: School) -> ImportSession:
    return run_automatic(start(school.est, "complet", *_with_bound_copy(school, school.emma.uid)))


def _held_noted(session: ImportSession) -> list[str]:
    return [
        row.pronote_id
        for row in ImportRow.objects.filter(session=session)
        if any(part[0] == "cas_id_held_elsewhere" for part in row.cas_mismatch_parts)
    ]


def _verdict(school: School, person) -> list[str]:
    report = diagnose(school.est, person.login, allowed=None)
    assert report.account is not None
    return [str(line) for line in report.account.verdict]


def test_it_leaves_the_bound_duplicate_out_of_the_import_report_in_identity_mode(school):
    _pronote(school, "PRONOTE-ID", "identity")
    session = _import_with_bound_copy(school)
    assert _held_noted(session) == []  # the step page, final page and CSV read these notes
    assert diagnose(school.est, allowed=None).cas_mismatches == []
    assert not [line for line in _verdict(school, school.emma) if HELD in line]


@pytest.mark.parametrize("recognition", ["pronote", "both"])
def test_it_counts_the_bound_duplicate_where_the_identifier_designates_the_record(
    school, recognition
):
    _pronote(school, "PRONOTE-ID", recognition)
    session = _import_with_bound_copy(school)
    assert _held_noted(session) == ["ELEVEEMMA0000001"]
    (found,) = diagnose(school.est, allowed=None).cas_mismatches
    assert found.holder_id == BOUND
    assert [line for line in _verdict(school, school.emma) if HELD in line]


def test_it_follows_the_service_in_use_when_the_modes_differ(school):
    """Several PRONOTE services: the one in use (enabled, then « Ordre », then the oldest) — the
    one whose names are compared and whose account verdict is shown — decides, everywhere."""
    identity = _pronote(school, "PRONOTE-IDENTITE", "identity", order=1)
    _pronote(school, "PRONOTE-IDPN", "pronote", order=2)
    assert _held_noted(_import_with_bound_copy(school)) == []
    assert diagnose(school.est, allowed=None).cas_mismatches == []
    assert not [line for line in _verdict(school, school.emma) if HELD in line]

    Service.objects.filter(pk=identity.pk).update(order=3)  # the identifier service in use now
    assert _held_noted(_import_with_bound_copy(school)) == ["ELEVEEMMA0000001"]
    assert len(diagnose(school.est, allowed=None).cas_mismatches) == 1
    assert [line for line in _verdict(school, school.emma) if HELD in line]


def test_it_quotes_both_messages_for_a_plain_http_service_in_both_mode(school):
    service = pronote_at(school, HTTP_BASE)
    service.pronote_recognition = "both"
    service.save()
    report = diagnose(school.est, school.emma.login, allowed=None)
    assert report.account is not None
    verdict = report.account.verdict
    assert verdict[0].startswith("Adresse en http")  # the service's own sentence, as in the form
    assert "selon sa reconnaissance" in verdict[0]
    assert verdict[1] == (
        "Sans attribut, PRONOTE affichera, selon la reconnaissance choisie dans sa console "
        f"(identifiant PRONOTE ou identité) : {missing_attribute_message(CAS, 'idPronote')} ou "
        f"{IDENTIFICATION_IMPOSSIBLE}"
    )
    quotes = [text for text, quoted in verdict[1].parts if quoted]
    assert quotes == [missing_attribute_message(CAS, "idPronote"), IDENTIFICATION_IMPOSSIBLE]
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", school.emma.login)
    assert f"=> {verdict[1]}" in out


@pytest.mark.parametrize("recognition", ["pronote", "identity", "both"])
def test_over_http_a_binding_the_export_reset_no_longer_opens_the_espace(school, recognition):
    """The file showed Emma bound to the name Socle sends; the complete export it comes from
    reset that: with no attribute, PRONOTE meets her as it meets Tom, never bound."""
    service = pronote_at(school, HTTP_BASE)
    service.pronote_recognition = recognition
    service.save()
    run_automatic(start(school.est, "complet", *emma_row(school, school.emma.uid)))

    emma = _verdict(school, school.emma)
    assert emma[0].startswith("Adresse en http")
    assert emma[1].startswith("Dans le fichier importé le ")
    assert emma[1].endswith(
        f"la fiche PRONOTE ELEVEEMMA0000001 avait l'identifiant CAS {school.emma.uid}, celui que "
        "l'ENT enverra, mais l'export de tous les utilisateurs dont vient ce fichier l'a "
        "réinitialisé : sans attribut, PRONOTE ne reconnaîtra pas ce compte par son identifiant "
        "CAS."
    )
    tom = _verdict(school, school.tom)  # never bound: PRONOTE refuses him without attribute
    assert len(tom) == 2 and "PRONOTE affichera" in tom[1]
    assert emma[2:] == tom[1:]  # the same answer for her
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", school.emma.login)
    assert "ouvrira son espace" not in out


def test_over_http_a_duplicate_the_export_reset_opens_neither_record(school):
    """The file showed the first copy bound to Emma's name; the complete export reset both
    copies: with no attribute, PRONOTE recognises her on neither. The import notes nothing (no
    identifier would have designated the account's record), the diagnostics neither."""
    pronote_at(school, HTTP_BASE)
    assert _held_noted(_import_with_bound_copy(school)) == []  # the import agrees
    assert diagnose(school.est, allowed=None).cas_mismatches == []
    emma = _verdict(school, school.emma)
    assert emma[1].endswith(
        f"l'identifiant CAS {school.emma.uid}, que l'ENT enverra, était celui d'une autre fiche "
        f"que ELEVEEMMA0000001 : DUPONT Emma ({BOUND}), un doublon ; l'export de tous les "
        "utilisateurs dont vient ce fichier les a réinitialisées toutes deux : sans attribut, "
        "PRONOTE ne reconnaîtra la personne sur aucune des deux."
    )
    assert emma[2] == "PRONOTE affichera : " + missing_attribute_message(CAS, "idPronote")


def test_it_keeps_the_refusal_over_http_for_a_record_bound_to_another_name(school):
    pronote_at(school, HTTP_BASE)
    run_automatic(start(school.est, "complet", *emma_row(school, "ENTLR-000123")))
    emma = _verdict(school, school.emma)
    assert emma[1] == "PRONOTE affichera : " + missing_attribute_message(CAS, "idPronote")
