"""What validating a step did to a row, or why it left it (« conflit, laissé inchangé — … »), in
the visitor's language: the plan keeps its notes as reason parts, the row stores them beside the
French ``outcome_detail`` that the CLI and the CSV report print, byte for byte as before."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import translation

from socle.pronote.importer import prepare_step, validate_step
from socle.pronote.importer.steps import plan_step
from socle.pronote.models import ImportRow
from socle.pronote.reasons import DETAIL_SEPARATOR, french, part, render
from tests.factories import make_person, make_pronote_identity
from tests.pronote.helpers import School, page_text, start


def emma_with_an_old_identifier(school: School) -> ImportRow:
    """A partial import where Emma already has another identifier: step 2 plans a conflict."""
    make_pronote_identity(school.emma, school.est, "OLDEMMA000000001")
    session = start(school.est, "partiel", *school.records())
    validate_step(session, 1)
    prepare_step(session, 2)
    return ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")


def zoe_holding_emmas_identifier(school: School) -> ImportRow:
    """Emma chosen by hand for an identifier that Zoé AUTRE holds: a conflict on validation."""
    other = make_person("Zoé", "Autre", establishment=school.est, birth_date=dt.date(2012, 1, 1))
    make_pronote_identity(other, school.est, "ELEVEEMMA0000001")
    session = start(school.est, "partiel", *school.records())
    validate_step(session, 1)
    prepare_step(session, 2)
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")
    validate_step(session, 2, {row.pk: school.emma.pk})
    row.refresh_from_db()
    return row


def test_it_joins_several_notes_with_a_semicolon_in_french_and_in_english():
    notes = (part("replaces_id", pronote_id="OLD1"), part("removed_from", label="AUTRE Zoé (z)"))
    assert french(notes, DETAIL_SEPARATOR) == (
        "remplace l'identifiant OLD1 ; retiré à AUTRE Zoé (z)"
    )
    with translation.override("en"):
        assert render(notes, DETAIL_SEPARATOR) == (
            "replaces identifier OLD1 ; taken away from AUTRE Zoé (z)"
        )


def test_the_planned_conflict_reads_in_the_active_language(school):
    row = emma_with_an_old_identifier(school)
    conflict = next(i for i in plan_step(row.session, 2).items if i.pair.row_id == row.pk)
    assert conflict.detail == (
        "ce compte a déjà l'identifiant OLDEMMA000000001 pour cet établissement"
    )
    with translation.override("en"):
        assert conflict.localized_detail == (
            "this account already has identifier OLDEMMA000000001 for this school"
        )
        assert conflict.detail.startswith("ce compte")  # the French text whatever the language


def test_the_row_keeps_the_french_detail_and_renders_its_parts(school):
    row = zoe_holding_emmas_identifier(school)
    assert row.outcome == "conflict"
    assert row.outcome_detail == "identifiant déjà attribué à AUTRE Zoé (zoe.autre)"
    assert row.outcome_detail_parts == [["id_given_to", {"label": "AUTRE Zoé (zoe.autre)"}]]
    with translation.override("en"):
        assert row.localized_outcome_detail == "identifier already given to AUTRE Zoé (zoe.autre)"
    with translation.override("fr"):
        assert row.localized_outcome_detail == row.outcome_detail


def test_a_row_stored_before_the_parts_shows_its_french_detail(school):
    row = zoe_holding_emmas_identifier(school)
    ImportRow.objects.filter(pk=row.pk).update(outcome_detail_parts=[])
    row.refresh_from_db()
    with translation.override("en"):
        assert row.localized_outcome_detail == row.outcome_detail
    ImportRow.objects.filter(pk=row.pk).update(outcome_detail_parts=[["no_such_code"]])
    row.refresh_from_db()
    with translation.override("en"):
        assert row.localized_outcome_detail == row.outcome_detail


def test_a_row_left_unidentified_has_no_detail(school):
    session = start(school.est, "partiel", *school.records())
    validate_step(session, 1)
    prepare_step(session, 2)
    validate_step(session, 2)
    for row in ImportRow.objects.filter(session=session, category="eleve"):
        assert row.outcome in ("created", "unchanged", "not_identified")
        assert (row.outcome_detail, row.outcome_detail_parts) == ("", [])


def test_the_step_page_shows_the_planned_conflict_in_the_visitors_language(admin_client, school):
    row = emma_with_an_old_identifier(school)
    url = reverse("pronote:step", args=[row.session.pk, 2])
    english = page_text(admin_client.get(url, headers={"Accept-Language": "en"}))
    assert "this account already has identifier OLDEMMA000000001 for this school" in english
    assert "ce compte a déjà" not in english
    french_page = page_text(admin_client.get(url, headers={"Accept-Language": "fr"}))
    assert "ce compte a déjà l'identifiant OLDEMMA000000001 pour cet établissement" in french_page


def test_the_report_and_the_diagnostics_show_the_conflict_in_the_visitors_language(
    admin_client, school
):
    row = zoe_holding_emmas_identifier(school)
    session = row.session
    for number in range(3, 7):
        validate_step(session, number)
    final = reverse("pronote:final", args=[session.pk])
    doctor = reverse("pronote:doctor")
    for url, query in ((final, {}), (doctor, {"establishment": school.est.pk})):
        english = page_text(admin_client.get(url, query, headers={"Accept-Language": "en"}))
        assert "identifier already given to AUTRE Zoé (zoe.autre)" in english, url
        assert "déjà attribué" not in english, url
        french_page = page_text(admin_client.get(url, query, headers={"Accept-Language": "fr"}))
        assert "identifiant déjà attribué à AUTRE Zoé (zoe.autre)" in french_page, url
    csv_report = admin_client.get(reverse("pronote:report", args=[session.pk]))
    assert "identifiant déjà attribué à AUTRE Zoé (zoe.autre)" in csv_report.content.decode(
        "utf-8-sig"
    )
