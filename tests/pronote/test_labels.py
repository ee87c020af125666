"""The label of a candidate account: stored in French (as the CLI and the CSV report print it)
and as parts, shown in the visitor's language; candidates stored before the parts shown as they
were stored; the « Parcourir » results built by the same function."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from socle.pronote import labels
from socle.pronote.categories import STEP_BY_CATEGORY
from socle.pronote.importer.step_matching import prepare_step
from socle.pronote.matching_index import Account
from socle.pronote.models import ImportRow
from socle.pronote.reasons import decode, french, render, render_stored
from socle.pronote.search import browse_more
from tests.factories import make_person
from tests.pronote.helpers import page_text, record, start
from tests.pronote.test_languages import diagnose, pronote_service
from tests.pronote.test_reasons import make_unknown_pupil_session

CAMILLE = Account(
    id=1,
    last_name="Martin",
    first_name="Camille",
    birth_last_name="Dupont",
    birth_date=dt.date(2012, 2, 1),
    class_name="4A",
    login="camille.martin",
)
CAMILLE_FR = "MARTIN Camille (née DUPONT) — 4A — né(e) le 01/02/2012 — camille.martin"
CAMILLE_EN = "MARTIN Camille (birth name DUPONT) — 4A — born 01/02/2012 — camille.martin"
EMMA_FR = "ROUX Emma — 4A — né(e) le 04/03/2012 — emma.roux"
EMMA_EN = "ROUX Emma — 4A — born 04/03/2012 — emma.roux"


# --- the module -------------------------------------------------------------------------------


def test_it_keeps_the_french_label_of_an_account_byte_for_byte():
    assert CAMILLE.label == CAMILLE_FR
    assert CAMILLE.label_parts == {
        "name": "MARTIN Camille",
        "birth_name": "DUPONT",
        "class_name": "4A",
        "birth_date": "01/02/2012",
        "login": "camille.martin",
    }
    assert Account(id=2, last_name="Roux", first_name="Tom").label == "ROUX Tom"
    same_birth_name = Account(id=3, last_name="Roux", first_name="Tom", birth_last_name="roux")
    assert same_birth_name.label_parts == {"name": "ROUX Tom"}


def test_it_renders_the_label_in_the_active_language():
    with translation.override("fr"):
        assert labels.render(CAMILLE.label_parts) == CAMILLE_FR
    with translation.override("en"):
        assert labels.render(CAMILLE.label_parts) == CAMILLE_EN


@pytest.mark.parametrize(
    "stored",
    [None, [], "MARTIN", {}, {"name": 3}, {"name": "MARTIN Camille", "unknown": "x"}],
)
def test_it_falls_back_to_the_stored_label_when_it_cannot_render_the_parts(stored):
    with translation.override("en"):
        assert labels.render_stored(stored, CAMILLE_FR) == CAMILLE_FR


def test_it_renders_the_label_inside_a_reason_in_the_active_language():
    reason = decode(
        [["duplicate", {"count": 2, "label": CAMILLE_FR, "label_parts": CAMILLE.label_parts}]]
    )
    assert reason is not None
    assert french(reason) == (
        f"2 fiches PRONOTE pour le même compte ({CAMILLE_FR}) : doublon dans PRONOTE ?"
    )
    with translation.override("en"):
        assert CAMILLE_EN in render(reason)
        assert "né(e)" not in render(reason)


def test_it_falls_back_to_the_stored_label_inside_a_reason_when_the_parts_are_unreadable():
    stored = [["id_of_other", {"label": CAMILLE_FR, "label_parts": {"name": 1}}]]
    with translation.override("en"):
        assert CAMILLE_FR in render_stored(stored, "ancien motif")


# --- the import and the pages -----------------------------------------------------------------


def test_it_stores_the_french_label_and_its_parts(school):
    session = make_unknown_pupil_session(school)
    prepare_step(session, 2)
    (candidate,) = ImportRow.objects.get(session=session, category="eleve").candidates
    assert candidate["label"] == EMMA_FR
    assert candidate["label_parts"] == {
        "name": "ROUX Emma",
        "class_name": "4A",
        "birth_date": "04/03/2012",
        "login": school.emma.login,
    }


def test_it_shows_the_candidate_label_in_english_to_an_english_visitor(admin_client, school):
    session = make_unknown_pupil_session(school)
    url = reverse("pronote:step", args=[session.pk, 2])
    page = page_text(admin_client.get(url, headers={"Accept-Language": "en"}))
    assert EMMA_EN in page
    assert "né(e) le" not in page


def test_it_keeps_the_french_candidate_label_of_a_french_visitor(admin_client, school):
    session = make_unknown_pupil_session(school)
    url = reverse("pronote:step", args=[session.pk, 2])
    page = page_text(admin_client.get(url, headers={"Accept-Language": "fr"}))
    assert EMMA_FR in page


def test_it_shows_the_birth_name_in_english(admin_client, school):
    number = STEP_BY_CATEGORY["responsable"].number
    session = start(school.est, "partiel", record("responsable", "ROUXX", "Claire"))
    session.current_step = number
    session.save()
    url = reverse("pronote:step", args=[session.pk, number])
    english = page_text(admin_client.get(url, headers={"Accept-Language": "en"}))
    assert "ROUX Claire (birth name FAURE)" in english
    french_page = page_text(admin_client.get(url, headers={"Accept-Language": "fr"}))
    assert "ROUX Claire (née FAURE)" in french_page


def test_it_shows_a_candidate_stored_before_the_parts_as_it_was_stored(admin_client, school):
    session = make_unknown_pupil_session(school)
    prepare_step(session, 2)
    row = ImportRow.objects.get(session=session, category="eleve")
    candidate = {k: v for k, v in row.candidates[0].items() if k != "label_parts"}
    ImportRow.objects.filter(pk=row.pk).update(candidates=[candidate])
    url = reverse("pronote:step", args=[session.pk, 2])
    for language in ("en", "fr"):
        page = page_text(admin_client.get(url, headers={"Accept-Language": language}))
        assert EMMA_FR in page


def test_it_shows_the_label_of_a_duplicate_in_english(admin_client, school):
    born = dt.date(2012, 3, 4)
    session = start(
        school.est,
        "partiel",
        record("eleve", "ROUX", "Emma", birth=born),
        record("eleve", "ROUX", "Emma", birth=born),
    )
    session.current_step = 2
    session.save()
    prepare_step(session, 2)
    row = ImportRow.objects.filter(session=session, category="eleve").first()
    assert row is not None
    assert (
        row.reason == f"2 fiches PRONOTE pour le même compte ({EMMA_FR}) : doublon dans PRONOTE ?"
    )
    with translation.override("en"):
        assert f"({EMMA_EN})" in row.localized_reason
    url = reverse("pronote:step", args=[session.pk, 2])
    page = page_text(admin_client.get(url, headers={"Accept-Language": "en"}))
    assert f"({EMMA_EN})" in page
    assert "né(e) le" not in page
    pronote_service(school)
    assert f"({EMMA_EN})" in diagnose(admin_client, school, school.emma.login, "en")
    assert f"({EMMA_FR})" in diagnose(admin_client, school, school.emma.login, "fr")


def test_it_labels_the_browse_results_with_the_same_function(school):
    make_person("Emma", "Hors", birth_date=dt.date(2011, 1, 2))
    with translation.override("fr"):
        found = {r["id"]: r["label"] for r in browse_more("Emma", school.est, None)[0]}
    assert found[school.emma.pk] == f"ROUX Emma — 4A — né(e) le 04/03/2012 — {school.emma.login}"
    outside = next(label for label in found.values() if label.startswith("HORS Emma"))
    assert outside.startswith("HORS Emma — hors établissement — né(e) le 02/01/2011 — ")
    with translation.override("en"):
        found = {r["id"]: r["label"] for r in browse_more("Emma", school.est, None)[0]}
    assert found[school.emma.pk] == f"ROUX Emma — 4A — born 04/03/2012 — {school.emma.login}"
