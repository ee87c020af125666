"""One account, two PRONOTE records of one school (a teacher who is also a parent): an account
holds one identifier per establishment, and mode Complet must not swap one record's for the
other's."""

from __future__ import annotations

from socle.pronote.importer import prepare_step, validate_step
from socle.pronote.importer.steps import plan_step, run_automatic
from socle.pronote.models import ImportRow
from tests.factories import make_parent_link, make_pronote_identity
from tests.pronote.helpers import School, ids_of, record, start


def _teacher_parent_records(school: School) -> list:
    """The school's file, where the teacher is also the responsable of Emma."""
    records = school.records()
    father = record("responsable", "BERRONE", "Christian", pid="RESPBERRONE00001")
    emma = next(r for r in records if r.pronote_id == "ELEVEEMMA0000001")
    emma.responsables.append(father.pronote_id)
    return [*records, father]


def test_it_keeps_a_teachers_identifier_when_he_is_also_a_parent_in_mode_complet():
    school = School()
    make_parent_link(school.teacher, school.emma, relation="pere")

    session = run_automatic(start(school.est, "complet", *_teacher_parent_records(school)))

    assert ids_of(school.est)["PROFBERRONE00001"] == school.teacher.pk
    assert "RESPBERRONE00001" not in ids_of(school.est)
    row = ImportRow.objects.get(session=session, pronote_id="RESPBERRONE00001")
    assert row.outcome == "conflict"
    assert "celui d'une autre de ses fiches PRONOTE" in row.outcome_detail


def test_it_replaces_another_records_identifier_once_confirmed():
    school = School()
    make_parent_link(school.teacher, school.emma, relation="pere")
    session = start(school.est, "complet", *_teacher_parent_records(school))
    for number in (1, 2):
        validate_step(session, number)
    prepare_step(session, 3)
    row = ImportRow.objects.get(session=session, pronote_id="RESPBERRONE00001")
    planned = next(i for i in plan_step(session, 3).items if i.pair.row_id == row.pk)
    assert planned.action == "conflict" and planned.confirmable

    validate_step(session, 3, confirmed={row.pk})

    assert ids_of(school.est)["RESPBERRONE00001"] == school.teacher.pk
    assert "PROFBERRONE00001" not in ids_of(school.est)


def test_it_still_replaces_in_mode_complet_an_identifier_of_another_category_the_file_dropped():
    school = School()
    make_pronote_identity(school.teacher, school.est, "OLDPERSBERRONE01", "personnel")

    session = run_automatic(start(school.est, "complet", *school.records()))

    assert ids_of(school.est)["PROFBERRONE00001"] == school.teacher.pk
    assert "OLDPERSBERRONE01" not in ids_of(school.est)
    row = ImportRow.objects.get(session=session, pronote_id="PROFBERRONE00001")
    assert row.outcome == "replaced"


def test_it_keeps_in_mode_complet_an_identifier_of_a_category_the_file_does_not_cover():
    school = School()
    make_pronote_identity(school.cpe, school.est, "PROFDURAND000001", "enseignant")
    staff_only = [r for r in school.records() if r.category == "personnel"]

    run_automatic(start(school.est, "complet", *staff_only))

    assert ids_of(school.est)["PROFDURAND000001"] == school.cpe.pk
    assert "PERSDURAND000001" not in ids_of(school.est)
