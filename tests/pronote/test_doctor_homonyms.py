"""An account without PRONOTE identifier: the diagnostic points at its row of the last import
(« Il figure dans l'import du … (étape …, identifiant …) : … »). It picked the row by names
alone: with homonyms (two pupils « MARTIN Léa », born different days) it could name the other
one's row, and so the wrong identifier and reason."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from socle.pronote.importer.steps import run_automatic
from socle.pronote.models import ImportRow, PronoteIdentity
from tests.factories import make_person, make_service
from tests.pronote.helpers import School, record, run, start

OLDER, YOUNGER = dt.date(2012, 5, 6), dt.date(2013, 7, 8)


def _doctor_lines(school: School, login: str) -> list[str]:
    url = f"https://{school.est.uai.lower()}.index-education.net/pronote/"
    if not school.est.services.exists():
        make_service(
            "pronote", sso_type="pronote", establishment=school.est, url=url, patterns=(url + "**",)
        )
    return run("pronote_doctor", "--uai", school.est.uai, "--login", login).splitlines()


def _hint(lines: list[str]) -> str:
    (hint,) = [line for line in lines if "Il figure dans l'import du" in line]
    return hint


def _lea(school: School, born: dt.date | None) -> object:
    return make_person("Léa", "Martin", establishment=school.est, class_name="5C", birth_date=born)


def _imported(school: School, *rows: tuple[str, dt.date | None]) -> None:
    """An import of the two homonyms' rows, in this order, validated automatically."""
    records = [record("eleve", "MARTIN", "Léa", pid=pid, birth=born) for pid, born in rows]
    run_automatic(start(school.est, "complet", *school.records(), *records))


def test_it_names_the_row_born_the_same_day_as_the_person(school: School) -> None:
    younger = _lea(school, YOUNGER)
    older = _lea(school, OLDER)
    # the other Léa first in the file: picked by names alone, her row was named
    _imported(school, ("LEAMARTIN2013001", YOUNGER), ("LEAMARTIN2012001", OLDER))
    assert ImportRow.objects.get(pronote_id="LEAMARTIN2012001").person_id == older.pk
    PronoteIdentity.objects.filter(person=older).delete()  # her identifier removed since
    hint = _hint(_doctor_lines(school, older.login))
    assert "identifiant LEAMARTIN2012001)" in hint, hint
    assert "LEAMARTIN2013001" not in hint
    # and the other way round
    PronoteIdentity.objects.filter(person=younger).delete()
    assert "identifiant LEAMARTIN2013001)" in _hint(_doctor_lines(school, younger.login))


def test_without_a_birth_date_it_leaves_the_row_given_to_another_account(school: School) -> None:
    """The person has no birth date in the directory (the other Léa has one): the row the
    matching gave to the other account is hers; the one given to nobody is named."""
    other = _lea(school, YOUNGER)
    undated = _lea(school, None)
    _imported(school, ("LEAMARTIN2013001", YOUNGER), ("LEAMARTIN2012001", OLDER))
    taken = ImportRow.objects.get(pronote_id="LEAMARTIN2013001")
    assert taken.person_id == other.pk
    assert ImportRow.objects.get(pronote_id="LEAMARTIN2012001").person_id is None
    hint = _hint(_doctor_lines(school, undated.login))
    assert "identifiant LEAMARTIN2012001)" in hint, hint


def test_only_a_homonym_born_another_day_is_said_so(school: School) -> None:
    """No row of the person's birth date: the homonym's row is not given as theirs; the hint
    names it as another birth date (a homonym, or a date to correct)."""
    lea = _lea(school, OLDER)
    _imported(school, ("LEAMARTIN2013001", YOUNGER))
    lines = _doctor_lines(school, lea.login)
    assert not [line for line in lines if "Il figure dans l'import du" in line]
    today = f"{timezone.localtime():%d/%m/%Y}"
    assert (
        f"L'import du {today} n'a, à ses nom et prénom, qu'une fiche d'une autre date de "
        "naissance : LEAMARTIN2013001 (08/07/2013). Un homonyme, ou une date de naissance à "
        "corriger dans PRONOTE ou dans l'annuaire (puis refaites l'export des identifiants)."
    ) in "\n".join(lines)
    assert "Il n'apparaît dans aucun fichier importé" not in "\n".join(lines)
