"""The reasons of the matching: stored as data, shown in the visitor's language, French unchanged
(same bytes as the sentences the matching used to store), rows stored before kept as they are,
and the command printing them in its language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from socle.directory.profiles import Profile
from socle.pronote.importer.step_matching import prepare_step
from socle.pronote.models import ImportRow, ImportSession
from socle.pronote.reasons import TEXTS, decode, encode, french, part, render, render_stored
from tests.factories import make_person
from tests.pronote.helpers import School, page_text, record, run, start
from tests.pronote.test_languages import diagnose, pronote_service

# a value for every parameter a reason may take
PARAMS = {
    "count": 2,
    "label": "ROUX Emma — 4A",
    "class_name": "4A",
    "directory": "04/03/2012",
    "file": "05/03/2012",
    "pronote_id": "OLDEMMA000000001",
    "stored": "ENTLR-000123",
    "sent": "u-7f3a",
}


def make_reason(*codes: str):
    return tuple(
        part(code, **{k: v for k, v in PARAMS.items() if f"%({k})" in TEXTS[code]})
        for code in codes
    )


def make_unknown_pupil_session(school: School) -> ImportSession:
    """Step 2 with one pupil PRONOTE knows and the directory does not, next to Emma."""
    session = start(
        school.est,
        "partiel",
        record("eleve", "ROUXX", "Emma", birth=dt.date(2012, 3, 5)),
    )
    session.current_step = 2
    session.save()
    return session


# --- the module -------------------------------------------------------------------------------


def test_it_renders_every_reason_in_french_as_the_source_text_whatever_the_language_active():
    for code in TEXTS:
        reason = make_reason(code)
        with translation.override("fr"):
            assert render(reason) == french(reason)
        with translation.override(None):
            assert render(reason) == french(reason)


def test_it_renders_every_reason_in_english_with_its_parameters():
    for code in TEXTS:
        reason = make_reason(code)
        with translation.override("en"):
            english = render(reason)
        assert english != french(reason), code
        for name, value in PARAMS.items():
            if f"%({name})" in TEXTS[code]:
                assert str(value) in english, code


def test_it_joins_the_parts_like_the_french_sentence_of_before():
    reason = make_reason("same_name", "other_birth_date", "same_class", "parent_of_matched_child")
    assert french(reason) == (
        "même nom et prénom, né(e) le 04/03/2012, pas le 05/03/2012, même classe (4A), "
        "responsable d'un enfant rapproché"
    )
    with translation.override("en"):
        assert render(reason) == (
            "same last name and first name, born on 04/03/2012, not on 05/03/2012, "
            "same class (4A), parent/guardian of a matched child"
        )


def test_it_reads_back_what_it_stores():
    reason = make_reason("duplicate", "same_name")
    assert encode(reason) == [
        ["duplicate", {"count": 2, "label": "ROUX Emma — 4A"}],
        ["same_name"],
    ]
    assert decode(encode(reason)) == reason


@pytest.mark.parametrize(
    "stored",
    [[], None, "texte", [["code_since_removed"]], [["duplicate", {"count": 2}]], [[1, 2, 3]]],
)
def test_it_falls_back_to_the_stored_text_when_it_cannot_render(stored):
    with translation.override("en"):
        assert render_stored(stored, "ancien motif") == "ancien motif"


def test_it_refuses_an_unknown_code_at_once():
    with pytest.raises(KeyError):
        part("no_such_reason")


# --- the import ---------------------------------------------------------------------------------


def test_it_stores_the_french_text_and_the_parts_of_each_reason(school):
    session = make_unknown_pupil_session(school)
    prepare_step(session, 2)
    row = ImportRow.objects.get(session=session, category="eleve")
    assert row.reason == "aucun élève de ce nom et prénom dans l'établissement"
    assert row.reason_parts == [["no_pupil"]]
    (candidate,) = row.candidates
    assert candidate["why"] == "nom proche, né(e) le 04/03/2012, pas le 05/03/2012"
    assert candidate["why_parts"][0] == ["close_name"]
    with translation.override("en"):
        assert row.localized_reason == "no pupil with this last name and first name in the school"


def test_it_shows_the_reasons_in_english_to_an_english_visitor(admin_client, school):
    session = make_unknown_pupil_session(school)
    url = reverse("pronote:step", args=[session.pk, 2])
    page = page_text(admin_client.get(url, headers={"Accept-Language": "en"}))
    assert "no pupil with this last name and first name in the school" in page
    assert "similar name, born on 04/03/2012, not on 05/03/2012" in page
    for french_text in ("aucun élève", "nom proche", "pas le"):
        assert french_text not in page


def test_it_keeps_the_french_reasons_of_a_french_visitor(admin_client, school):
    session = make_unknown_pupil_session(school)
    url = reverse("pronote:step", args=[session.pk, 2])
    page = page_text(admin_client.get(url, headers={"Accept-Language": "fr"}))
    assert "aucun élève de ce nom et prénom dans l'établissement" in page
    assert "nom proche, né(e) le 04/03/2012, pas le 05/03/2012" in page


def test_it_shows_a_row_stored_before_the_parts_as_it_was_stored(admin_client, school):
    session = make_unknown_pupil_session(school)
    prepare_step(session, 2)
    row = ImportRow.objects.get(session=session, category="eleve")
    candidate = {k: v for k, v in row.candidates[0].items() if k != "why_parts"}
    ImportRow.objects.filter(pk=row.pk).update(
        reason="motif enregistré avant la traduction", reason_parts=[], candidates=[candidate]
    )
    url = reverse("pronote:step", args=[session.pk, 2])
    for language in ("en", "fr"):
        page = page_text(admin_client.get(url, headers={"Accept-Language": language}))
        assert "motif enregistré avant la traduction" in page
        assert "nom proche, né(e) le 04/03/2012, pas le 05/03/2012" in page


def test_it_explains_a_row_of_the_import_in_the_diagnostics_language(admin_client, school):
    jules = make_person("Jules", "Dupont", establishment=school.est, class_name="4A")
    session = start(school.est, "partiel", record("eleve", "DUPONT", "Jules", birth=None))
    prepare_step(session, 2)
    pronote_service(school)
    english = diagnose(admin_client, school, jules.login, "en")
    assert "date of birth missing from the file: to be confirmed" in english
    french_page = diagnose(admin_client, school, jules.login, "fr")
    assert "date de naissance absente du fichier : à confirmer" in french_page


def test_it_prints_the_reasons_in_the_command_s_language(school, tmp_path):
    make_person("Christian", "Berrone", establishment=school.est, profile=Profile.TEACHER)
    path = tmp_path / "IdPN_To_SOCLE.xml"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<IDENTIFIANTS_PRONOTE UAI="{school.est.uai}">
  <Professeurs><Professeur IDPN="PROFBERRONE00001" Nom="BERRONE" Prenom="Christian"/></Professeurs>
  <Eleves><Eleve IDPN="ELEVEEMMA0000001" Nom="ROUXX" Prenom="Emma" DateNaissance="05/03/2012"/>
  </Eleves>
</IDENTIFIANTS_PRONOTE>
""",
        encoding="utf-8",
    )
    printed = {}
    for language in ("fr", "en"):
        with translation.override(language):
            out = run(
                "pronote_import",
                str(path),
                "--uai",
                school.est.uai,
                "--mode",
                "partiel",
                "--dry-run",
            )
        printed[language] = out.splitlines()
    # French: the same bytes as the sentences the command printed before it was translated
    assert (
        "  - BERRONE Christian (PROFBERRONE00001) : 2 homonymes dans l'établissement ; "
        "proposé : BERRONE Christian — christian.berrone"
    ) in printed["fr"]
    assert (
        "  - ROUXX Emma (ELEVEEMMA0000001) : aucun élève de ce nom et prénom dans "
        "l'établissement ; proposé : ROUX Emma — 4A — né(e) le 04/03/2012 — emma.roux"
    ) in printed["fr"]
    english = "\n".join(printed["en"])
    assert "PROFBERRONE00001" in english and "ELEVEEMMA0000001" in english
    for french_word in ("homonymes", "proposé", "aucun élève", "né(e) le"):
        assert french_word not in english


# --- the migration ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # SQLite changes a table's schema outside transactions
def test_it_migrates_rows_stored_before_the_parts_both_ways(school):
    before = [("pronote", "0001_pronote_identities_and_imports")]
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes("pronote")  # the columns the model reads
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_session = old_apps.get_model("pronote", "ImportSession").objects.create(
        establishment_id=school.est.pk, mode="partiel", file_format="xml"
    )
    old_apps.get_model("pronote", "ImportRow").objects.create(
        session_id=old_session.pk,
        category="eleve",
        position=1,
        pronote_id="ELEVEOLD00000001",
        reason="2 homonymes dans l'établissement",
        outcome="conflict",
        outcome_detail="identifiant déjà attribué à AUTRE Zoé (zoe.autre)",
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    row = ImportRow.objects.get(pronote_id="ELEVEOLD00000001")
    assert row.reason_parts == []
    with translation.override("en"):
        assert row.localized_reason == "2 homonymes dans l'établissement"
        assert row.localized_outcome_detail == "identifiant déjà attribué à AUTRE Zoé (zoe.autre)"
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    assert ImportRow.objects.get(pronote_id="ELEVEOLD00000001").reason_parts == []
