"""A person deleted (the Django admin, or the purge of people who left) leaves nothing of
themselves in the PRONOTE imports kept: the rows matched to them lose PRONOTE's names, birth
date, class…, they leave the candidates proposed on other rows, the notes that named them and
the lists of identifiers a Complet import removed (docs/privacy.md, "People who leave")."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from socle.directory.leavers import purge_leavers
from socle.directory.models import Membership, Person
from socle.pronote.importer.csv_report import report_csv
from socle.pronote.importer.steps import run_automatic
from socle.pronote.models import ImportRow, ImportStep
from socle.pronote.reasons import DETAIL_SEPARATOR, render_stored
from tests.pronote.helpers import School, proposed_candidate, removed_by_complet_import, start
from tests.pronote.test_outcome_details import zoe_holding_emmas_identifier


def report_text(session) -> str:  # noqa: ANN001
    return report_csv(session).decode("utf-8-sig")


def test_it_empties_a_deleted_persons_matched_rows_but_keeps_the_row_and_pronote_id():
    school = School()
    session = run_automatic(start(school.est, "complet", *school.records()))
    school.emma.delete()
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")
    assert row.person_id is None and row.status == "recognised"
    assert (row.last_name, row.first_name, row.birth_date, row.postal_code) == ("", "", None, "")
    assert (row.class_name, row.responsables, row.cas_id) == ("", [], "")
    tom = ImportRow.objects.get(session=session, pronote_id="ELEVETOM00000001")
    assert (tom.last_name, tom.first_name, tom.birth_date) == ("ROUX", "Tom", dt.date(2014, 9, 1))
    assert "Emma" not in report_text(session)


def test_it_removes_a_deleted_person_from_the_candidates_of_other_rows():
    school = School()
    stranger, session = proposed_candidate(school)
    row = ImportRow.objects.get(session=session, pronote_id="JULES00000000001")
    assert [c["id"] for c in row.candidates] == [stranger.pk]
    stranger.delete()
    row.refresh_from_db()
    assert row.candidates == []
    assert (row.last_name, row.first_name) == ("DUPONT-MOREAU", "Jules")  # PRONOTE's own row


def test_it_removes_a_deleted_persons_name_and_login_from_the_identifiers_removed():
    school = School()
    lea, session = removed_by_complet_import(school)
    step = ImportStep.objects.get(session=session, category="eleve")
    assert [(r["pronote_id"], r["login"]) for r in step.removed] == [
        ("ELEVELEA00000001", lea.login)
    ]
    login = lea.login
    lea.delete()
    step.refresh_from_db()
    assert step.removed == [{"pronote_id": "ELEVELEA00000001", "person": "", "login": ""}]
    assert "MARTIN" not in report_text(session) and login not in report_text(session)


def test_it_names_a_deleted_person_compte_supprime_in_the_notes_of_other_rows(school):
    row = zoe_holding_emmas_identifier(school)
    zoe = Person.objects.get(login="zoe.autre")
    zoe.delete()
    row.refresh_from_db()
    assert row.outcome_detail == "identifiant déjà attribué à compte supprimé"
    gone = {"label": "compte supprimé", "label_parts": {"deleted": "1"}}
    assert row.outcome_detail_parts == [["id_given_to", gone]]
    assert row.reason == (
        "l'identifiant est déjà celui de compte supprimé, dont le nom diffère : à vérifier"
    )
    assert row.reason_parts == [["id_of_other", gone]]
    assert "zoe.autre" not in report_text(row.session) and "AUTRE" not in report_text(row.session)


def test_it_says_compte_supprime_in_the_readers_language_new_rows_and_old_alike(school):
    row = zoe_holding_emmas_identifier(school)
    Person.objects.get(login="zoe.autre").delete()
    row.refresh_from_db()
    with translation.override("en"):
        shown = render_stored(row.outcome_detail_parts, row.outcome_detail, DETAIL_SEPARATOR)
        # a row written before the marker: its French label alone
        old = render_stored([["id_given_to", {"label": "compte supprimé"}]], "", DETAIL_SEPARATOR)
    assert "compte supprimé" not in shown and shown == old
    assert shown == "identifier already given to deleted account"


def test_it_forgets_a_deleted_person_in_the_imports_of_a_school_they_had_left(school):
    """Proposed as a candidate, and named in a note, at a school they have since left (no
    membership, identifier or matched row there any more): gone from that school's imports."""
    stranger, session = proposed_candidate(school)
    row = zoe_holding_emmas_identifier(school)
    zoe = Person.objects.get(login="zoe.autre")
    Membership.objects.filter(person__in=[stranger, zoe]).delete()
    zoe.pronote_identities.all().delete()
    stranger.delete()
    zoe.delete()
    proposed = ImportRow.objects.get(session=session, pronote_id="JULES00000000001")
    assert proposed.candidates == []
    row.refresh_from_db()
    assert row.outcome_detail == "identifiant déjà attribué à compte supprimé"
    assert "AUTRE" not in report_text(row.session)


def _left_and_deactivated(*people: Person) -> None:
    Membership.objects.filter(person__in=people).delete()
    for person in people:
        person.pronote_identities.all().delete()
    Person.objects.filter(pk__in=[p.pk for p in people]).update(
        is_active=False, deactivated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )


def test_the_purge_of_leavers_forgets_a_batch_in_every_schools_imports(school, settings):
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = 30
    stranger, session = proposed_candidate(school)
    row = zoe_holding_emmas_identifier(school)
    zoe = Person.objects.get(login="zoe.autre")
    _left_and_deactivated(stranger, zoe)
    assert purge_leavers(dry_run=False) == 2
    assert ImportRow.objects.get(session=session, pronote_id="JULES00000000001").candidates == []
    row.refresh_from_db()
    assert row.outcome_detail == "identifiant déjà attribué à compte supprimé"


def test_the_django_admins_deletion_of_a_selection_forgets_them_in_the_imports(school):
    stranger, session = proposed_candidate(school)
    row = zoe_holding_emmas_identifier(school)
    zoe = Person.objects.get(login="zoe.autre")
    _left_and_deactivated(stranger, zoe)
    admin = get_user_model().objects.create_superuser("admin", "admin-password-2026")
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/django-admin/directory/person/",
        {"action": "delete_selected", "_selected_action": [stranger.pk, zoe.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Person.objects.filter(pk__in=[stranger.pk, zoe.pk]).exists()
    assert ImportRow.objects.get(session=session, pronote_id="JULES00000000001").candidates == []
    row.refresh_from_db()
    assert row.reason == (
        "l'identifiant est déjà celui de compte supprimé, dont le nom diffère : à vérifier"
    )


def test_it_names_every_deleted_person_of_a_batch_in_one_pass_over_the_notes():
    """``_notes_without`` reads each note once for a whole batch (a frozenset of logins), and
    names « compte supprimé » exactly the labels that end with one of them."""
    from types import SimpleNamespace

    from socle.pronote.personal_data import _notes_without

    def note(label: str, **parts: str) -> list:
        params: dict = {"label": label}
        if parts:
            params["label_parts"] = parts
        return ["id_given_to", params]

    row = SimpleNamespace(
        reason_parts=[
            note("MARTIN Camille (camille.martin)"),
            note("MARTIN Camille (camille.martin2)"),  # another account
            note("AUTRE Zoé — 4A — zoe.autre"),
        ],
        outcome_detail_parts=[
            note("ROUX Tom", login="tom.roux"),
            note("ROUX Emma", login=["emma.roux"]),  # not a login: left alone
        ],
    )
    changes = _notes_without(row, frozenset({"camille.martin", "zoe.autre", "tom.roux"}))
    gone = {"label": "compte supprimé", "label_parts": {"deleted": "1"}}
    assert changes["reason_parts"] == [
        ["id_given_to", gone],
        note("MARTIN Camille (camille.martin2)"),
        ["id_given_to", gone],
    ]
    assert changes["outcome_detail_parts"] == [
        ["id_given_to", gone],
        note("ROUX Emma", login=["emma.roux"]),
    ]
    assert "camille.martin2" in changes["reason"] and "zoe.autre" not in changes["reason"]
