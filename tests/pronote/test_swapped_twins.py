"""Twins swapped by a wrong hand match (Maëlys's PRONOTE record on Maëlle's account and the
other way): each twin opens the other's espace. « Diagnostic PRONOTE » says so, and the next
Complet import no longer keeps the swapped identifiers on the near first names: both rows go to
the manual list, and matching each to the account bearing its name swaps the identifiers back
in one validation, neither lost."""

from __future__ import annotations

import datetime as dt

from socle.pronote.importer.step_matching import prepare_step
from socle.pronote.importer.steps import validate_step
from socle.pronote.models import ImportRow, PronoteIdentity
from tests.factories import make_person
from tests.pronote.helpers import School, ids_of, record, run, start
from tests.pronote.test_cas_ids import make_pronote_service

BORN = dt.date(2014, 2, 11)
MAELLE, MAELYS = "TTWGYCSKUL5LGYH5", "Z8JHDSNKJ28W5SA9"


def _twins_swapped(school: School):  # noqa: ANN202
    maelle = make_person("Maëlle", "Nguyen", establishment=school.est, birth_date=BORN)
    maelys = make_person("Maëlys", "Nguyen", establishment=school.est, birth_date=BORN)
    rows = [
        record("eleve", "NGUYEN", "Maëlle", pid=MAELLE, birth=BORN),
        record("eleve", "NGUYEN", "Maëlys", pid=MAELYS, birth=BORN),
    ]
    session = start(school.est, "complet", *rows)
    validate_step(session, 1)
    prepare_step(session, 2)
    by_id = {row.pronote_id: row.pk for row in ImportRow.objects.filter(session=session)}
    # the mistake: each record given by hand to the other twin
    validate_step(session, 2, {by_id[MAELLE]: maelys.pk, by_id[MAELYS]: maelle.pk})
    assert ids_of(school.est) == {MAELYS: maelle.pk, MAELLE: maelys.pk}
    return maelle, maelys, rows


def test_the_diagnostic_says_the_account_holds_its_twins_record(school):
    make_pronote_service(school)
    maelle, maelys, _rows = _twins_swapped(school)
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", maelle.login)
    verdict = [line for line in out.splitlines() if line.startswith("=> ")]
    assert verdict[0].startswith(
        f"=> PRONOTE recevra l'identifiant {MAELYS}, qui est dans l'import du "
    )
    assert (
        f"la fiche de NGUYEN Maëlys, nom et prénom exacts du compte {maelys.login} : PRONOTE "
        "ouvrira l'espace de cette personne, pas celui de ce compte" in verdict[0]
    )
    assert "un doublon ?" not in out
    assert "importez ce fichier en mode Complet" in out


def test_a_complet_import_matched_by_hand_swaps_them_back_and_loses_neither(school):
    make_pronote_service(school)
    maelle, maelys, rows = _twins_swapped(school)
    session = start(school.est, "complet", *rows)
    validate_step(session, 1)
    prepare_step(session, 2)
    pending = {row.pronote_id: row for row in ImportRow.objects.filter(session=session)}
    assert all(row.person_id is None for row in pending.values())  # not kept: to check by hand
    assert all(row.reason_parts[0][0] == "id_of_namesake" for row in pending.values())
    validate_step(session, 2, {pending[MAELLE].pk: maelle.pk, pending[MAELYS].pk: maelys.pk})
    assert ids_of(school.est) == {MAELLE: maelle.pk, MAELYS: maelys.pk}
    assert PronoteIdentity.objects.filter(person__in=[maelle, maelys]).count() == 2
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", maelle.login)
    assert f"=> PRONOTE recevra l'identifiant {MAELLE} et ouvrira l'espace de ce compte" in out
