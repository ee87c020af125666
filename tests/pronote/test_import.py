"""The import workflow: six steps, complet vs partiel, conflicts, interruption, report."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import translation

from socle.directory.profiles import Profile
from socle.pronote.importer import interrupt, prepare_step, validate_step
from socle.pronote.importer.csv_report import report_csv
from socle.pronote.importer.report import summary_line
from socle.pronote.importer.steps import StepError, plan_step, run_automatic
from socle.pronote.models import ImportRow, PronoteIdentity, SessionStatus, StepState
from tests.factories import make_membership, make_person, make_pronote_identity
from tests.pronote.helpers import School, ids_of, proposed_candidate, record, start


def test_it_imports_a_whole_school_automatically():
    school = School()
    session = run_automatic(start(school.est, "complet", *school.records()))
    assert session.status == SessionStatus.FINISHED
    assert ids_of(school.est) == {
        "PROFBERRONE00001": school.teacher.pk,
        "ELEVEEMMA0000001": school.emma.pk,
        "ELEVETOM00000001": school.tom.pk,
        "RESPCLAIRE000001": school.mother.pk,
        "PERSDURAND000001": school.cpe.pk,
    }
    identity = PronoteIdentity.objects.get(person=school.emma)
    assert identity.category == "eleve" and identity.source_id == session.pk
    assert summary_line(school.est).startswith(
        "5 identifiant(s) PRONOTE importé(s). Dernier import fait le : "
    )
    assert summary_line(school.est).endswith(" en mode Complet.")


def test_each_step_counts_recognised_and_unrecognised_rows():
    school = School()
    session = start(
        school.est,
        "partiel",
        *school.records(),
        record("eleve", "INCONNU", "Jules", birth=dt.date(2012, 1, 1)),
    )
    validate_step(session, 1)
    step = prepare_step(session, 2)
    assert (step.recognised, step.unrecognised) == (2, 1)
    row = ImportRow.objects.get(session=session, last_name="INCONNU")
    assert row.status == "unrecognised" and row.reason.startswith("aucun élève")


def test_a_manual_choice_is_written_on_validation():
    school = School()
    stranger, session = proposed_candidate(school)
    row = ImportRow.objects.get(session=session, pronote_id="JULES00000000001")
    assert row.candidates and row.candidates[0]["id"] == stranger.pk
    validate_step(session, 2, {row.pk: stranger.pk})
    assert ids_of(school.est)["JULES00000000001"] == stranger.pk
    row.refresh_from_db()
    assert (row.outcome, row.method) == ("created", "manual")


def test_an_automatic_match_can_be_cleared():
    school = School()
    session = start(school.est, "partiel", *school.records())
    validate_step(session, 1)
    prepare_step(session, 2)
    emma_row = ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")
    validate_step(session, 2, {emma_row.pk: None})
    assert "ELEVEEMMA0000001" not in ids_of(school.est)
    emma_row.refresh_from_db()
    assert emma_row.outcome == "not_identified"


def test_the_same_account_cannot_be_picked_twice():
    school = School()
    session = start(
        school.est,
        "partiel",
        record("eleve", "X", "Y", birth=dt.date(2012, 1, 1)),
        record("eleve", "Z", "W", birth=dt.date(2012, 1, 1)),
    )
    validate_step(session, 1)
    rows = list(ImportRow.objects.filter(session=session, category="eleve").order_by("position"))
    with pytest.raises(StepError) as caught:
        validate_step(session, 2, {rows[0].pk: school.emma.pk, rows[1].pk: school.emma.pk})
    assert str(caught.value) == (
        f"Le compte ROUX Emma ({school.emma.login}) est choisi pour plusieurs lignes : "
        f"X Y ({rows[0].pronote_id}), Z W ({rows[1].pronote_id}). Un compte ne peut avoir "
        "qu'un identifiant PRONOTE par établissement : gardez une seule de ces lignes (« retirer » "
        "sur une ligne reconnue, « — non identifié — » sur une autre)."
    )
    assert not ids_of(school.est)


def test_it_names_each_account_chosen_twice_and_its_rows_in_english():
    school = School()
    session = start(
        school.est,
        "partiel",
        *[record("eleve", name, "Y", birth=dt.date(2012, 1, 1)) for name in ("A", "B", "C", "D")],
    )
    validate_step(session, 1)
    a, b, c, d = ImportRow.objects.filter(session=session, category="eleve").order_by("position")
    choices = {a.pk: school.emma.pk, b.pk: school.tom.pk, c.pk: school.emma.pk, d.pk: school.tom.pk}
    with translation.override("en"), pytest.raises(StepError) as caught:
        validate_step(session, 2, choices)
    assert str(caught.value) == (
        f"The account ROUX Emma ({school.emma.login}) is chosen for several rows: "
        f"A Y ({a.pronote_id}), C Y ({c.pronote_id}). "
        f"The account ROUX Tom ({school.tom.login}) is chosen for several rows: "
        f"B Y ({b.pronote_id}), D Y ({d.pronote_id}). "
        "An account can hold only one PRONOTE identifier per school: keep only one of these rows "
        "(“remove” on a recognised row, “— not identified —” on another)."
    )


def test_interrupting_keeps_the_steps_already_validated():
    school = School()
    session = start(school.est, "complet", *school.records())
    validate_step(session, 1)
    validate_step(session, 2)
    session = interrupt(session)
    assert session.status == SessionStatus.INTERRUPTED
    assert set(ids_of(school.est)) == {"PROFBERRONE00001", "ELEVEEMMA0000001", "ELEVETOM00000001"}
    states = dict(session.steps.values_list("number", "state"))
    assert states[2] == StepState.VALIDATED and states[3] == StepState.NOT_DONE
    with pytest.raises(StepError, match="interrompu"):
        validate_step(session, 3)
    mother_row = ImportRow.objects.get(session=session, pronote_id="RESPCLAIRE000001")
    assert mother_row.outcome == "not_done"


def test_a_new_import_interrupts_the_one_left_open():
    school = School()
    first = start(school.est, "partiel", *school.records())
    start(school.est, "partiel", *school.records())
    first.refresh_from_db()
    assert first.status == SessionStatus.INTERRUPTED


def test_mode_complet_removes_former_pupils_of_validated_categories_only():
    school = School()
    former = make_person("Léo", "Ancien", establishment=school.est, birth_date=dt.date(2008, 1, 1))
    make_pronote_identity(former, school.est, "ANCIEN0000000001")
    left_teacher = make_person("Marc", "Parti", establishment=school.est, profile=Profile.TEACHER)
    make_pronote_identity(left_teacher, school.est, "PARTI00000000001", "enseignant")
    session = start(school.est, "complet", *school.records())
    # each step removes its category's only identifier, with no « Identifiant CAS » in the
    # file: a large removal (test_removals.py), confirmed here
    validate_step(session, 1, confirm_removals=True)
    assert "PARTI00000000001" not in ids_of(school.est)
    plan = plan_step(session, 2)
    assert [r["pronote_id"] for r in plan.removals] == ["ANCIEN0000000001"]
    step = validate_step(session, 2, confirm_removals=True)
    assert step.removed == [
        {"pronote_id": "ANCIEN0000000001", "person": "ANCIEN Léo", "login": former.login}
    ]
    assert "ANCIEN0000000001" not in ids_of(school.est)


def test_mode_complet_never_purges_a_category_absent_from_the_file():
    school = School()
    make_pronote_identity(school.teacher, school.est, "PROFBERRONE00001", "enseignant")
    session = start(school.est, "complet", *[r for r in school.records() if r.category == "eleve"])
    run_automatic(session)
    assert ids_of(school.est)["PROFBERRONE00001"] == school.teacher.pk


def test_mode_partiel_only_adds():
    school = School()
    former = make_person("Léo", "Ancien", establishment=school.est)
    make_pronote_identity(former, school.est, "ANCIEN0000000001")
    run_automatic(start(school.est, "partiel", *school.records()))
    assert ids_of(school.est)["ANCIEN0000000001"] == former.pk
    assert len(ids_of(school.est)) == 6


def test_mode_partiel_leaves_a_different_identifier_unless_confirmed():
    school = School()
    make_pronote_identity(school.emma, school.est, "OLDEMMA000000001")
    records = [r for r in school.records() if r.category == "eleve"]
    session = start(school.est, "partiel", *records)
    validate_step(session, 1)
    prepare_step(session, 2)
    emma_row = ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")
    plan = plan_step(session, 2)
    conflict = next(i for i in plan.items if i.pair.row_id == emma_row.pk)
    assert conflict.action == "conflict" and conflict.confirmable
    assert "déjà l'identifiant OLDEMMA000000001" in conflict.detail

    validate_step(session, 2)
    assert ids_of(school.est)["OLDEMMA000000001"] == school.emma.pk
    emma_row.refresh_from_db()
    assert emma_row.outcome == "conflict"

    again = start(school.est, "partiel", *records)
    validate_step(again, 1)
    prepare_step(again, 2)
    row = ImportRow.objects.get(session=again, pronote_id="ELEVEEMMA0000001")
    validate_step(again, 2, confirmed={row.pk})
    assert ids_of(school.est)["ELEVEEMMA0000001"] == school.emma.pk
    assert "OLDEMMA000000001" not in ids_of(school.est)


def test_mode_complet_replaces_a_different_identifier():
    school = School()
    make_pronote_identity(school.emma, school.est, "OLDEMMA000000001")
    run_automatic(start(school.est, "complet", *school.records()))
    assert ids_of(school.est)["ELEVEEMMA0000001"] == school.emma.pk
    assert "OLDEMMA000000001" not in ids_of(school.est)


def test_an_identifier_held_by_another_account_is_a_conflict_until_confirmed():
    school = School()
    other = make_person("Zoé", "Autre", establishment=school.est, birth_date=dt.date(2012, 1, 1))
    make_pronote_identity(other, school.est, "ELEVEEMMA0000001")
    for mode in ("partiel", "complet"):
        session = start(school.est, mode, *school.records())
        validate_step(session, 1)
        prepare_step(session, 2)
        row = ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")
        # the held id is checked against the holder's name first: not recognised
        assert row.status == "unrecognised" and "dont le nom diffère" in row.reason
        validate_step(session, 2, {row.pk: school.emma.pk})
        row.refresh_from_db()
        assert row.outcome == "conflict" and "déjà attribué à AUTRE Zoé" in row.outcome_detail
        assert ids_of(school.est)["ELEVEEMMA0000001"] == other.pk

    session = start(school.est, "partiel", *school.records())
    validate_step(session, 1)
    prepare_step(session, 2)
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")
    validate_step(session, 2, {row.pk: school.emma.pk}, confirmed={row.pk})
    assert ids_of(school.est)["ELEVEEMMA0000001"] == school.emma.pk
    assert not PronoteIdentity.objects.filter(person=other).exists()


def test_swapped_identifiers_are_exchanged_in_mode_complet():
    school = School()
    make_pronote_identity(school.emma, school.est, "ELEVETOM00000001")
    make_pronote_identity(school.tom, school.est, "ELEVEEMMA0000001")
    session = start(school.est, "complet", *school.records())
    validate_step(session, 1)
    prepare_step(session, 2)
    choices = {
        r.pk: (school.emma.pk if r.first_name == "Emma" else school.tom.pk)
        for r in ImportRow.objects.filter(session=session, category="eleve")
    }
    validate_step(session, 2, choices)
    assert ids_of(school.est)["ELEVEEMMA0000001"] == school.emma.pk
    assert ids_of(school.est)["ELEVETOM00000001"] == school.tom.pk


def test_responsables_are_matched_against_the_pupils_validated_in_step_two():
    school = School()
    other_mother = make_person("Claire", "Roux", establishment=school.est, profile=Profile.PARENT)
    other_child = make_person(
        "Lou", "Roux", establishment=school.est, birth_date=dt.date(2013, 1, 1)
    )
    from tests.factories import make_parent_link

    make_parent_link(other_mother, other_child)
    session = start(school.est, "partiel", *school.records())
    validate_step(session, 1)
    validate_step(session, 2)
    step = prepare_step(session, 3)
    row = ImportRow.objects.get(session=session, pronote_id="RESPCLAIRE000001")
    assert step.recognised == 1
    assert row.person_id == school.mother.pk and row.method in ("name", "children")


def test_a_teacher_of_two_schools_gets_one_identifier_in_each():
    first, second = School(), School()

    make_membership(first.teacher, second.est, profile=Profile.TEACHER)
    second.teacher.delete()
    run_automatic(
        start(
            first.est,
            "complet",
            record("enseignant", "Berrone", "Christian", pid="PROFA00000000001"),
        )
    )
    run_automatic(
        start(
            second.est,
            "complet",
            record("enseignant", "BERRONE", "Christian", pid="PROFB00000000001"),
        )
    )
    assert ids_of(first.est) == {"PROFA00000000001": first.teacher.pk}
    assert ids_of(second.est) == {"PROFB00000000001": first.teacher.pk}


def test_the_report_lists_every_row_and_every_removal():
    school = School()
    former = make_person("Léo", "Ancien", establishment=school.est)
    make_pronote_identity(former, school.est, "ANCIEN0000000001")
    session = run_automatic(
        start(school.est, "complet", *school.records(), record("eleve", "INCONNU", "Jules")),
        confirm_removals=True,  # the only pupil identifier: a large removal
    )
    lines = list(csv.reader(io.StringIO(report_csv(session).decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:3] == ["Étape", "Catégorie", "Identifiant PRONOTE"]
    by_id = {line[2]: line for line in lines[1:]}
    assert by_id["ELEVEEMMA0000001"][8] == school.emma.login
    assert by_id["ELEVEEMMA0000001"][11] == "importé"
    assert by_id["ANCIEN0000000001"][11] == "supprimé"
    assert by_id[next(k for k, v in by_id.items() if v[3] == "INCONNU")][11] == "non identifié"


def test_validation_is_all_or_nothing(monkeypatch):
    school = School()
    session = start(school.est, "partiel", *school.records())
    validate_step(session, 1)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("socle.pronote.importer.steps._record_outcomes", boom)
    with pytest.raises(RuntimeError):
        validate_step(session, 2)
    assert set(ids_of(school.est)) == {"PROFBERRONE00001"}
    session.refresh_from_db()
    assert session.current_step == 2


def test_the_report_never_hands_a_formula_to_a_spreadsheet():
    school = School()
    session = run_automatic(start(school.est, "partiel", record("eleve", "=HYPERLINK(1)", "@x")))
    text = report_csv(session).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and ";'@x;" in text
