"""``socle person_data`` gives what the PRONOTE imports kept say of the person beyond the rows
matched to them: the rows of other records they were proposed for as a candidate (their own
name, class and birth date, as the school's administrator saw them), and the identifiers of
theirs a Complet import removed (docs/privacy.md, "Right of access")."""

from __future__ import annotations

import datetime as dt

from socle.pronote.importer import prepare_step, validate_step
from socle.pronote.importer.steps import run_automatic
from socle.pronote.personal_data import pronote_data
from tests.factories import make_person, make_pronote_identity
from tests.pronote.helpers import School, record, start


def test_it_exports_the_rows_a_person_was_proposed_for_as_a_candidate():
    school = School()
    jules = make_person("Jules", "Dupont", establishment=school.est, birth_date=dt.date(2012, 1, 1))
    session = start(
        school.est,
        "partiel",
        *school.records(),
        record(
            "eleve", "DUPONT-MOREAU", "Jules", pid="JULES00000000001", birth=dt.date(2012, 1, 1)
        ),
    )
    validate_step(session, 1)
    prepare_step(session, 2)
    (proposed,) = pronote_data(jules)["proposed_as_candidate"]
    assert proposed["uai"] == school.est.uai and proposed["import_of"] == session.created_at
    assert "DUPONT Jules" in proposed["shown_as"]
    assert "DUPONT-MOREAU" not in str(proposed)  # the other record: someone else's data
    assert pronote_data(school.emma)["proposed_as_candidate"] == []


def test_it_exports_the_identifiers_of_a_person_a_complet_import_removed():
    school = School()
    make_pronote_identity(school.emma, school.est, "ELEVEEMMA0000001")
    make_pronote_identity(school.tom, school.est, "ELEVETOM00000001")
    lea = make_person("Léa", "Martin", establishment=school.est, class_name="5C")
    make_pronote_identity(lea, school.est, "ELEVELEA00000001")
    session = run_automatic(start(school.est, "complet", *school.records()))
    assert pronote_data(lea)["identifiers_removed"] == [
        {
            "import_of": session.created_at,
            "uai": school.est.uai,
            "pronote_id": "ELEVELEA00000001",
            "shown_as": "MARTIN Léa",
        }
    ]
    assert pronote_data(school.emma)["identifiers_removed"] == []
