"""A person entered twice in PRONOTE (the demo's Gaëlle N'DIAYE): once one record is bound to
the account, a later import keeps it and sends the other copy to the manual list, saying why
choosing it would make PRONOTE refuse the person."""

from __future__ import annotations

from socle.pronote.importer import validate_step
from socle.pronote.importer.step_matching import prepare_step
from socle.pronote.models import ImportRow
from tests.pronote.helpers import School, ids_of, record, start


def _with_copy(school: School) -> list:
    records = school.records()
    copy = record("responsable", "FAURE", "Claire", pid="RESPCLAIRE000002")
    tom = next(r for r in records if r.pronote_id == "ELEVETOM00000001")
    tom.responsables[:] = [copy.pronote_id]  # each copy is one child's responsable
    return [*records, copy]


def _step_3(school: School, **choices: int | None):
    session = start(school.est, "complet", *_with_copy(school))
    validate_step(session, 1)
    validate_step(session, 2)
    prepare_step(session, 3)
    rows = {
        r.pronote_id: r for r in ImportRow.objects.filter(session=session, category="responsable")
    }
    return session, rows


def test_the_first_import_leaves_both_copies_to_the_administrator():
    school = School()
    _session, rows = _step_3(school)
    for row in rows.values():
        assert row.person_id is None
        assert "doublon dans PRONOTE ?" in row.reason


def test_a_later_import_keeps_the_bound_copy_and_explains_the_other():
    school = School()
    session, rows = _step_3(school)
    validate_step(session, 3, {rows["RESPCLAIRE000001"].pk: school.mother.pk})
    assert ids_of(school.est)["RESPCLAIRE000001"] == school.mother.pk

    _again, rows = _step_3(school)

    bound, copy = rows["RESPCLAIRE000001"], rows["RESPCLAIRE000002"]
    assert bound.person_id == school.mother.pk and bound.method == "existing_id"
    assert copy.person_id is None
    assert "a déjà la fiche RESPCLAIRE000001, gardée" in copy.reason


def test_the_other_copy_can_still_be_chosen_by_hand_instead_of_the_bound_one():
    """The demo's « Identification impossible » story: the administrator insists."""
    school = School()
    session, rows = _step_3(school)
    validate_step(session, 3, {rows["RESPCLAIRE000001"].pk: school.mother.pk})
    session, rows = _step_3(school)

    validate_step(
        session,
        3,
        {rows["RESPCLAIRE000001"].pk: None, rows["RESPCLAIRE000002"].pk: school.mother.pk},
    )

    assert ids_of(school.est).get("RESPCLAIRE000002") == school.mother.pk
    assert "RESPCLAIRE000001" not in ids_of(school.est)
    assert ImportRow.objects.get(session=session, pronote_id="RESPCLAIRE000002").outcome == (
        "replaced"
    )
