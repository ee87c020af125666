"""``socle person_data`` gives what the PRONOTE imports kept say of the person beyond the rows
matched to them: the rows of other records they were proposed for as a candidate (their own
name, class and birth date, as the school's administrator saw them), and the identifiers of
theirs a Complet import removed (docs/privacy.md, "Right of access")."""

from __future__ import annotations

from socle.pronote.personal_data import pronote_data
from tests.pronote.helpers import School, proposed_candidate, removed_by_complet_import


def test_it_exports_the_rows_a_person_was_proposed_for_as_a_candidate():
    school = School()
    jules, session = proposed_candidate(school)
    (proposed,) = pronote_data(jules)["proposed_as_candidate"]
    assert proposed["uai"] == school.est.uai and proposed["import_of"] == session.created_at
    assert "DUPONT Jules" in proposed["shown_as"]
    assert "DUPONT-MOREAU" not in str(proposed)  # the other record: someone else's data
    assert pronote_data(school.emma)["proposed_as_candidate"] == []


def test_it_exports_the_identifiers_of_a_person_a_complet_import_removed():
    school = School()
    lea, session = removed_by_complet_import(school)
    assert pronote_data(lea)["identifiers_removed"] == [
        {
            "import_of": session.created_at,
            "uai": school.est.uai,
            "pronote_id": "ELEVELEA00000001",
            "shown_as": "MARTIN Léa",
        }
    ]
    assert pronote_data(school.emma)["identifiers_removed"] == []
