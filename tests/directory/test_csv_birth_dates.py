"""A corrected birth date in a directory CSV without ``external_id``: never a second account.
A row whose ``login`` names an account of the same names but another birth date, or that would
create a person while such an account of its profile is in its establishment, refuses the file,
naming the account (socle.directory.csv_checks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from socle.directory.models import Establishment, Person
from tests.directory.helpers import refused_import, run, write_csv
from tests.factories import make_establishment

JAURES, VOLTAIRE = "0312609T", "0312799Z"
JEAN = "profil;nom;prenom;date_naissance;classe\nélève;Roux;Jean;2011-03-03;4A"


@pytest.fixture
def schools() -> tuple[Establishment, Establishment]:
    return make_establishment(JAURES, "Collège Jean Jaurès"), make_establishment(
        VOLTAIRE, "Collège Voltaire"
    )


def refused(tmp_path: Path, text: str, uai: str, *args: str) -> str:
    return refused_import(tmp_path, text, *args, uai=uai)


def test_a_login_naming_an_account_born_another_day_refuses_the_file_naming_it(
    tmp_path: Path, schools: object
) -> None:
    run("directory_import", str(write_csv(tmp_path, JEAN, name="a.csv")), uai=JAURES)
    corrected = (
        "profil;nom;prenom;date_naissance;classe;login\nélève;Roux;Jean;2011-03-04;4A;jean.roux"
    )
    err = refused(tmp_path, corrected, JAURES)
    assert err.startswith(
        "ligne 2 : l'identifiant « jean.roux » désigne ROUX Jean, né(e) un autre jour que le "
        "04/03/2011 comme cette ligne : une date de naissance corrigée ne se prend pas de la "
        "colonne login. Si c'est la même personne, faites d'abord corriger la date de naissance "
        "de son compte (administration Django, /django-admin/) ; sinon, retirez cet identifiant "
        "de la colonne login.\n"
    )
    assert "déjà pris" not in err
    assert list(Person.objects.values_list("login", "birth_date__day")) == [("jean.roux", 3)]


def test_a_login_and_names_without_the_accounts_birth_date_do_not_claim_it(
    tmp_path: Path, schools: object
) -> None:
    # Voltaire's file names a Jaurès pupil by his login (prenom.nom, easily guessed) and names,
    # without a birth date: the account is not handed to Voltaire, whose administrators could
    # then reset its password; the refusal does not tell the account's date either.
    run("directory_import", str(write_csv(tmp_path, JEAN, name="a.csv")), uai=JAURES)
    claim = "profil;nom;prenom;classe;login\nélève;Roux;Jean;3B;jean.roux"
    err = refused(tmp_path, claim, VOLTAIRE)
    assert err.startswith(
        "ligne 2 : l'identifiant « jean.roux » désigne ROUX Jean, dont le compte a une date de "
        "naissance : donnez-la dans la colonne date_naissance de cette ligne pour garder ce "
        "compte ; sinon, retirez cet identifiant de la colonne login.\n"
    )
    assert "2011" not in err
    wrong_day = "profil;nom;prenom;date_naissance;login\nélève;Roux;Jean;2011-01-01;jean.roux"
    assert "03/03/2011" not in refused(tmp_path, wrong_day, VOLTAIRE)
    jean = Person.objects.get()
    assert [m.establishment.uai for m in jean.memberships.all()] == [JAURES]


def test_a_corrected_birth_date_without_login_refuses_the_file_instead_of_a_second_account(
    tmp_path: Path, schools: object
) -> None:
    run("directory_import", str(write_csv(tmp_path, JEAN, name="a.csv")), uai=JAURES)
    err = refused(tmp_path, JEAN.replace("2011-03-03", "2011-03-04"), JAURES, "--complet")
    assert err.startswith(
        "ligne 2 : un compte ROUX Jean de même profil existe dans cet établissement, né(e) un "
        "autre jour que le 04/03/2011 comme cette ligne. Si c'est la même personne (date "
        "corrigée), faites d'abord corriger la date de naissance de son compte (administration "
        "Django, /django-admin/) ; si c'est un homonyme, ajoutez une colonne external_id pour "
        "les distinguer.\n"
    )
    # Neither the account's login nor its date: with the names, they are what the login
    # column asks of a next file to keep the account.
    assert "jean.roux" not in err and "03/03/2011" not in err
    assert Person.objects.count() == 1 and Person.objects.get().is_active


def test_once_the_account_s_date_is_corrected_the_file_keeps_the_account(
    tmp_path: Path, schools: object
) -> None:
    run("directory_import", str(write_csv(tmp_path, JEAN, name="a.csv")), uai=JAURES)
    jean = Person.objects.get()
    Person.objects.filter(pk=jean.pk).update(birth_date="2011-03-04")  # the Django admin
    corrected = JEAN.replace("2011-03-03", "2011-03-04").replace("4A", "3A")
    run("directory_import", str(write_csv(tmp_path, corrected, name="c.csv")), uai=JAURES)
    assert list(Person.objects.values_list("pk", "memberships__class_name")) == [(jean.pk, "3A")]


def test_namesakes_born_on_other_days_listed_together_are_two_people(
    tmp_path: Path, schools: object
) -> None:
    run("directory_import", str(write_csv(tmp_path, JEAN, name="a.csv")), uai=JAURES)
    both = JEAN + "\nélève;Roux;Jean;2012-05-05;5B"
    out, _ = run("directory_import", str(write_csv(tmp_path, both, name="c.csv")), uai=JAURES)
    assert "1 créée(s), 0 mise(s) à jour, 1 inchangée(s)" in out


def test_a_namesake_born_another_day_is_told_apart_by_external_id(
    tmp_path: Path, schools: object
) -> None:
    run("directory_import", str(write_csv(tmp_path, JEAN, name="a.csv")), uai=JAURES)
    other = "profil;nom;prenom;date_naissance;classe;external_id\nélève;Roux;Jean;2012-05-05;5B;X9"
    run("directory_import", str(write_csv(tmp_path, other, name="c.csv")), uai=JAURES)
    assert Person.objects.count() == 2


def test_a_namesake_born_another_day_in_another_school_is_not_the_same_person(
    tmp_path: Path, schools: object
) -> None:
    run("directory_import", str(write_csv(tmp_path, JEAN, name="a.csv")), uai=JAURES)
    other = JEAN.replace("2011-03-03", "2012-05-05")
    run("directory_import", str(write_csv(tmp_path, other, name="v.csv")), uai=VOLTAIRE)
    assert Person.objects.count() == 2
