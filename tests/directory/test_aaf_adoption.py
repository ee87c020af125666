"""A school moving from the CSV import (or hand-made accounts) to the AAF: its people's accounts
are taken over by their AAF records, never duplicated, and keep their uid and login."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from socle.directory.aaf.importer import import_aaf
from socle.directory.models import Establishment, Membership, Person
from socle.directory.profiles import Profile
from tests.directory.aaf_helpers import UAI_A, pupil, school_files
from tests.factories import make_establishment, make_person


def _csv_pupil(school: Establishment, last: str, first: str, born: dt.date) -> Person:
    person = make_person(first, last, establishment=school, birth_date=born, class_name="5E1")
    Person.objects.filter(pk=person.pk).update(source="csv", external_id=None)
    person.refresh_from_db()
    return person


def test_an_aaf_record_adopts_the_one_matching_csv_account(tmp_path: Path) -> None:
    school = make_establishment(UAI_A, name="COLLEGE JEAN JAURES")
    camille = _csv_pupil(school, "Martin", "Camille", dt.date(2012, 3, 4))
    uid, login = camille.uid, camille.login
    report = import_aaf(school_files(tmp_path, pupils=[pupil("E1", "MARTIN", "Camille")]))
    assert not report.errors
    adopted = Person.objects.get(external_id="E1")
    assert adopted.pk == camille.pk
    assert (adopted.uid, adopted.login, adopted.source) == (uid, login, "aaf")
    assert Person.objects.filter(last_name__iexact="martin", first_name="Camille").count() == 1
    assert Membership.objects.filter(person=adopted, profile=Profile.PUPIL).count() == 1
    assert any("1 compte(s) existant(s) sans identifiant AAF repris" in n for n in report.notes)
    again = import_aaf(school_files(tmp_path / "again", pupils=[pupil("E1", "MARTIN", "Camille")]))
    assert again.by_type["Eleve"].unchanged == 1 and not again.notes


def test_it_never_adopts_someone_born_another_day(tmp_path: Path) -> None:
    school = make_establishment(UAI_A, name="COLLEGE JEAN JAURES")
    other = _csv_pupil(school, "Martin", "Camille", dt.date(2011, 1, 1))
    import_aaf(school_files(tmp_path, pupils=[pupil("E1", "MARTIN", "Camille")]))
    assert Person.objects.get(external_id="E1").pk != other.pk
    other.refresh_from_db()
    assert other.source == "csv"


def test_it_creates_a_new_account_and_says_so_when_two_accounts_could_be_the_one(
    tmp_path: Path,
) -> None:
    school = make_establishment(UAI_A, name="COLLEGE JEAN JAURES")
    first = _csv_pupil(school, "Martin", "Camille", dt.date(2012, 3, 4))
    second = _csv_pupil(school, "MARTIN", "Camille", dt.date(2012, 3, 4))
    report = import_aaf(school_files(tmp_path, pupils=[pupil("E1", "MARTIN", "Camille")]))
    created = Person.objects.get(external_id="E1")
    assert created.pk not in (first.pk, second.pk)
    note = next(n for n in report.notes if "plusieurs comptes existants possibles" in n)
    assert first.login in note and second.login in note and "E1" in note
