"""The September CSV (``directory_import FILE.csv --complet``): a school's file lists everyone of
its establishment, so the CSV accounts it no longer lists have left — their membership ends, or
the account is deactivated when it has no other; whoever stays keeps account and password."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError

from socle.directory.csv_full import Absences, apply_absences
from socle.directory.models import Establishment, Membership, Person, Source
from socle.directory.profiles import Profile
from socle.directory.signals import person_deactivated
from tests.directory.helpers import run, write_csv
from tests.factories import make_establishment, make_person

JAURES, VOLTAIRE = "0312609T", "0312799Z"
HEADER = "profil;nom;prenom;date_naissance;classe;identifiant_externe;enfants;mot_de_passe"

YEAR_ONE_JAURES = f"""
{HEADER}
élève;Martin;Camille;2012-03-04;5E1;E1;;
élève;Martin;Léo;2013-06-05;6E2;E2;;
élève;Bernard;Lucas;2010-01-01;3E1;E4;;
parent;Martin;Sophie;;;R1;E1|E2;
parent;Bernard;Julie;;;R4;E4;
enseignant;Durand;Paul;1980-01-02;;T1;;un mot de passe de Paul
"""

# The next September: Lucas left (3e), Léo went to Voltaire, Camille goes up to 4E1, Paul
# teaches at Voltaire now, Yanis and his mother arrive.
YEAR_TWO_JAURES = f"""
{HEADER}
élève;Martin;Camille;2012-03-04;4E1;E1;;
élève;Haddad;Yanis;2015-09-09;6E1;E11;;
parent;Martin;Sophie;;;R1;E1;
parent;Haddad;Samia;;;R7;E11;
direction;Leroy;Anne;1975-05-05;;D1;;
"""

YEAR_TWO_VOLTAIRE = f"""
{HEADER}
élève;Martin;Léo;2013-06-05;5E2;E2;;
parent;Martin;Sophie;;;R1;E2;
enseignant;Durand;Paul;1980-01-02;;T1;;
"""


@pytest.fixture
def schools() -> tuple[Establishment, Establishment]:
    return make_establishment(JAURES, "Collège Jean Jaurès"), make_establishment(
        VOLTAIRE, "Collège Voltaire"
    )


@pytest.fixture
def deactivated() -> Any:
    seen: list[str] = []

    def receiver(sender: object, person: Person, **kwargs: object) -> None:
        seen.append(person.login)

    person_deactivated.connect(receiver, dispatch_uid="csv-full-test")
    yield seen
    person_deactivated.disconnect(dispatch_uid="csv-full-test")


def year_one(tmp_path: Path) -> None:
    run("directory_import", str(write_csv(tmp_path, YEAR_ONE_JAURES, name="y1.csv")), uai=JAURES)


def year_two(tmp_path: Path, text: str, uai: str, *args: str) -> tuple[str, str]:
    path = write_csv(tmp_path, text, name=f"y2-{uai}.csv")
    return run("directory_import", str(path), "--complet", *args, uai=uai)


def where(external_id: str) -> list[tuple[str, str, str]]:
    return sorted(
        Membership.objects.filter(person__external_id=external_id).values_list(
            "establishment__uai", "profile", "class_name"
        )
    )


def test_it_deactivates_the_pupils_a_full_file_no_longer_lists(
    tmp_path: Path, schools: object, deactivated: list[str]
) -> None:
    year_one(tmp_path)
    out, _ = year_two(tmp_path, YEAR_TWO_JAURES, JAURES)
    lucas = Person.objects.get(external_id="E4")
    assert not lucas.is_active
    assert "lucas.bernard" in deactivated  # the CAS ends the former pupil's sessions
    assert where("E4") == []  # his membership ended with the account
    assert "Absents du fichier complet : " in out


def test_whoever_stays_keeps_account_login_and_password(tmp_path: Path, schools: object) -> None:
    year_one(tmp_path)
    paul = Person.objects.get(external_id="T1")
    camille = Person.objects.get(external_id="E1")
    year_two(tmp_path, YEAR_TWO_JAURES, JAURES)
    year_two(tmp_path, YEAR_TWO_VOLTAIRE, VOLTAIRE)
    again = Person.objects.get(external_id="E1")
    assert (again.uid, again.login) == (camille.uid, camille.login)
    assert again.password == camille.password
    assert where("E1") == [(JAURES, Profile.PUPIL, "4E1")]
    moved = Person.objects.get(external_id="T1")
    assert (moved.uid, moved.login, moved.is_active) == (paul.uid, paul.login, True)
    assert check_password("un mot de passe de Paul", moved.password)
    assert where("T1") == [(VOLTAIRE, Profile.TEACHER, "")]


def test_a_pupil_who_changes_school_leaves_the_former_one_whatever_the_order(
    tmp_path: Path, schools: object, deactivated: list[str]
) -> None:
    year_one(tmp_path)
    leo = Person.objects.get(external_id="E2")
    # The former school's file first: Léo has no other membership yet, so he is deactivated…
    year_two(tmp_path, YEAR_TWO_JAURES, JAURES)
    assert not Person.objects.get(external_id="E2").is_active
    # … and the new school's file brings him back, same account.
    out, _ = year_two(tmp_path, YEAR_TWO_VOLTAIRE, VOLTAIRE)
    again = Person.objects.get(external_id="E2")
    assert again.is_active and again.uid == leo.uid
    assert where("E2") == [(VOLTAIRE, Profile.PUPIL, "5E2")]
    assert "Comptes réactivés (de nouveau dans le fichier) : 2." in out  # Léo and Paul


def test_a_pupil_who_changes_school_keeps_his_account_when_the_new_school_comes_first(
    tmp_path: Path, schools: object, deactivated: list[str]
) -> None:
    year_one(tmp_path)
    year_two(tmp_path, YEAR_TWO_VOLTAIRE, VOLTAIRE)
    out, _ = year_two(tmp_path, YEAR_TWO_JAURES, JAURES)
    assert where("E2") == [(VOLTAIRE, Profile.PUPIL, "5E2")]
    assert where("T1") == [(VOLTAIRE, Profile.TEACHER, "")]
    assert "leo.martin" not in deactivated
    assert "2 compte(s) désactivé(s), 2 rattachement(s) retiré(s)" in out  # Lucas and Julie


def test_a_parent_in_two_schools_stays_parent_in_both(tmp_path: Path, schools: object) -> None:
    year_one(tmp_path)
    year_two(tmp_path, YEAR_TWO_VOLTAIRE, VOLTAIRE)
    year_two(tmp_path, YEAR_TWO_JAURES, JAURES)
    assert where("R1") == [(JAURES, Profile.PARENT, ""), (VOLTAIRE, Profile.PARENT, "")]
    assert not Person.objects.get(external_id="R4").is_active  # Lucas's mother: gone with him


def test_a_relative_left_out_but_parent_of_a_pupil_still_there_stays(
    tmp_path: Path, schools: object
) -> None:
    year_one(tmp_path)
    pupils_and_one_parent = YEAR_TWO_JAURES.replace("parent;Martin;Sophie;;;R1;E1;\n", "")
    out, _ = year_two(tmp_path, pupils_and_one_parent, JAURES)
    assert Person.objects.get(external_id="R1").is_active  # Camille's mother
    assert where("R1") == [(JAURES, Profile.PARENT, "")]


def test_a_file_of_pupils_only_leaves_staff_and_relatives_alone(
    tmp_path: Path, schools: object
) -> None:
    year_one(tmp_path)
    pupils_only = f"{HEADER}\nélève;Martin;Camille;2012-03-04;4E1;E1;;\n"
    year_two(tmp_path, pupils_only, JAURES)
    assert Person.objects.get(external_id="T1").is_active
    assert Person.objects.get(external_id="R4").is_active
    assert not Person.objects.get(external_id="E2").is_active


def test_accounts_made_by_hand_or_by_the_aaf_are_never_touched(
    tmp_path: Path, schools: tuple[Establishment, Establishment]
) -> None:
    jaures = schools[0]
    principal = make_person(
        "Anne", "Leroy", establishment=jaures, profile=Profile.DIRECTION, is_admin=True
    )
    fed = make_person("Zoé", "Aaf", establishment=jaures, profile=Profile.PUPIL, source=Source.AAF)
    year_one(tmp_path)
    year_two(tmp_path, YEAR_TWO_JAURES, JAURES)
    assert Person.objects.get(pk=principal.pk).is_active
    assert Membership.objects.filter(person=principal, is_admin=True).exists()
    assert Person.objects.get(pk=fed.pk).is_active


def test_without_complet_nobody_leaves(tmp_path: Path, schools: object) -> None:
    year_one(tmp_path)
    out, _ = run(
        "directory_import", str(write_csv(tmp_path, YEAR_TWO_JAURES, name="b.csv")), uai=JAURES
    )
    assert not Person.objects.filter(is_active=False).exists()
    assert "Absents" not in out


def test_it_refuses_a_full_file_that_would_remove_more_than_half_unless_forced(
    tmp_path: Path, schools: object
) -> None:
    pupils = "\n".join(f"élève;Eleve;Numero{n};2012-01-01;5E1;E{n};;" for n in range(1, 25))
    run("directory_import", str(write_csv(tmp_path, f"{HEADER}\n{pupils}")), uai=JAURES)
    first_part = "\n".join(pupils.splitlines()[:8])
    with pytest.raises(
        CommandError,
        match="Fichier refusé, rien n'a été importé : Élèves de l'établissement 0312609T : 16 ",
    ):
        year_two(tmp_path, f"{HEADER}\n{first_part}", JAURES)
    assert not Person.objects.filter(is_active=False).exists()
    out, _ = year_two(tmp_path, f"{HEADER}\n{first_part}", JAURES, "--force")
    assert Person.objects.filter(is_active=False).count() == 16
    assert "16 compte(s) désactivé(s), 0 rattachement(s) retiré(s)" in out


def test_it_refuses_a_stray_row_of_another_school_that_would_empty_it(
    tmp_path: Path, schools: object
) -> None:
    # Voltaire's 12 CSV pupils; Jaurès' September file (30 pupils) carries one row with
    # Voltaire's UAI (a mistyped UAI, or a pupil listed under his former school): counted over
    # the whole file, 11 absent of 42 pupils passed the guard and emptied Voltaire.
    voltaire = "\n".join(f"élève;Volt;Numero{n};2012-01-01;5V;V{n};;" for n in range(1, 13))
    run(
        "directory_import",
        str(write_csv(tmp_path, f"{HEADER}\n{voltaire}", name="v.csv")),
        uai=VOLTAIRE,
    )
    jaures = [f"élève;Jau;Numero{n};2012-01-01;5J;J{n};;" for n in range(1, 31)]
    run("directory_import", str(write_csv(tmp_path, "\n".join([HEADER, *jaures]))), uai=JAURES)
    stray = "élève;Volt;Numero1;2012-01-01;5V;V1;;"
    text = "profil;nom;prenom;date_naissance;classe;identifiant_externe;enfants;mot_de_passe;uai\n"
    text += "\n".join(f"{row};{JAURES}" for row in jaures) + f"\n{stray};{VOLTAIRE}"
    path = write_csv(tmp_path, text, name="y2.csv")
    with pytest.raises(
        CommandError, match="Élèves de l'établissement 0312799Z : 11 comptes sur 12"
    ):
        run("directory_import", str(path), "--complet")
    assert not Person.objects.filter(is_active=False).exists()


def test_a_usual_september_turnover_needs_no_force(tmp_path: Path, schools: object) -> None:
    pupils = [f"élève;Eleve;Numero{n};2012-01-01;5E1;E{n};;" for n in range(1, 25)]
    run("directory_import", str(write_csv(tmp_path, "\n".join([HEADER, *pupils]))), uai=JAURES)
    out, _ = year_two(tmp_path, "\n".join([HEADER, *pupils[6:]]), JAURES)
    assert "6 compte(s) désactivé(s)" in out


def test_complet_is_for_csv_files_only(tmp_path: Path, schools: object) -> None:
    with pytest.raises(CommandError, match="--complet ne s'emploie qu'avec le format CSV"):
        run("directory_import", str(tmp_path), "--format", "aaf", "--complet")


def test_the_files_refusal_writes_nothing_even_with_absences(
    tmp_path: Path, schools: object
) -> None:
    year_one(tmp_path)
    broken = YEAR_TWO_JAURES + "élève;Sans;Date;pas une date;6E1;E99;;\n"
    with pytest.raises(CommandError):
        year_two(tmp_path, broken, JAURES)
    assert not Person.objects.filter(is_active=False).exists()
    assert not Person.objects.filter(external_id="E11").exists()


def test_a_parent_link_of_a_pupil_who_left_is_kept(tmp_path: Path, schools: object) -> None:
    year_one(tmp_path)
    year_two(tmp_path, YEAR_TWO_JAURES, JAURES)
    julie, lucas = Person.objects.get(external_id="R4"), Person.objects.get(external_id="E4")
    assert julie.children_links.filter(child=lucas).exists()


def test_a_corrected_name_keeps_the_account_and_login_without_external_id(
    tmp_path: Path, schools: object
) -> None:
    text = "profil;nom;prenom;date_naissance;classe\nélève;LEFEVRE;Helene Marie;2011-02-02;4A"
    run("directory_import", str(write_csv(tmp_path, text, name="a.csv")), uai=JAURES)
    before = Person.objects.get()
    corrected = text.replace("LEFEVRE;Helene Marie", "Lefèvre;Hélène-Marie").replace("4A", "3A")
    out, _ = year_two(tmp_path, corrected, JAURES)
    after = Person.objects.get()
    assert (after.uid, after.login) == (before.uid, before.login)
    assert (after.last_name, after.first_name) == ("Lefèvre", "Hélène-Marie")
    assert after.memberships.get().class_name == "3A"
    assert "0 compte(s) désactivé(s)" in out


def test_without_external_id_a_pupil_who_changes_school_is_not_given_a_second_account(
    tmp_path: Path, schools: object
) -> None:
    text = "profil;nom;prenom;date_naissance;classe\nélève;Roux;Jean;2011-03-03;4A"
    run("directory_import", str(write_csv(tmp_path, text, name="a.csv")), uai=JAURES)
    path = write_csv(tmp_path, text.replace("4A", "3B"), name="v.csv")
    err = io.StringIO()
    with pytest.raises(CommandError, match="corrigez les lignes signalées"):
        call_command("directory_import", str(path), uai=VOLTAIRE, stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith(
        "ligne 2 : un compte de mêmes nom, prénom, date de naissance et profil existe déjà hors "
        f"de cet établissement : jean.roux ({JAURES}). Si c'est la même personne (changement "
        "d'établissement), donnez son identifiant dans la colonne login pour garder son compte ; "
        "sinon, ajoutez une colonne external_id pour les distinguer.\n"
    )
    assert Person.objects.count() == 1


def test_the_login_column_keeps_the_account_of_a_pupil_who_changes_school(
    tmp_path: Path, schools: object
) -> None:
    text = "profil;nom;prenom;date_naissance;classe\nélève;Roux;Jean;2011-03-03;4A"
    run("directory_import", str(write_csv(tmp_path, text, name="a.csv")), uai=JAURES)
    jean = Person.objects.get()
    moved = "profil;nom;prenom;date_naissance;classe;login\nélève;ROUX;Jean;2011-03-03;3B;jean.roux"
    year_two(tmp_path, moved, VOLTAIRE)
    year_two(tmp_path, "profil;nom;prenom;date_naissance\nélève;Autre;Eleve;2011-01-01", JAURES)
    again = Person.objects.get(last_name__iexact="roux")
    assert (again.pk, again.uid, again.is_active) == (jean.pk, jean.uid, True)
    assert [(m.establishment.uai, m.class_name) for m in again.memberships.all()] == [
        (VOLTAIRE, "3B")
    ]


def test_a_login_naming_someone_else_is_still_refused_as_taken(
    tmp_path: Path, schools: object
) -> None:
    text = "profil;nom;prenom;date_naissance;classe\nélève;Roux;Jean;2011-03-03;4A"
    run("directory_import", str(write_csv(tmp_path, text, name="a.csv")), uai=JAURES)
    other = "profil;nom;prenom;date_naissance;login\nélève;Roux;Paul;2011-03-03;jean.roux"
    with pytest.raises(CommandError):
        year_two(tmp_path, other, VOLTAIRE)
    assert Person.objects.count() == 1


def test_one_file_for_several_schools_covers_each_of_them(tmp_path: Path, schools: object) -> None:
    year_one(tmp_path)
    both = (
        "uai;"
        + HEADER
        + "\n"
        + "\n".join(
            [f"{JAURES};{line}" for line in YEAR_TWO_JAURES.strip().splitlines()[1:]]
            + [f"{VOLTAIRE};{line}" for line in YEAR_TWO_VOLTAIRE.strip().splitlines()[1:]]
        )
    )
    out = run("directory_import", str(write_csv(tmp_path, both, name="all.csv")), "--complet")[0]
    assert where("E2") == [(VOLTAIRE, Profile.PUPIL, "5E2")]
    assert where("T1") == [(VOLTAIRE, Profile.TEACHER, "")]
    assert where("R1") == [(JAURES, Profile.PARENT, ""), (VOLTAIRE, Profile.PARENT, "")]
    assert "2 compte(s) désactivé(s), 2 rattachement(s) retiré(s)" in out  # Lucas, Julie


def test_a_teacher_who_becomes_principal_there_loses_the_teacher_membership(
    tmp_path: Path, schools: object
) -> None:
    year_one(tmp_path)
    promoted = YEAR_TWO_JAURES + "direction;Durand;Paul;1980-01-02;;T1;;\n"
    out, _ = year_two(tmp_path, promoted, JAURES)
    assert where("T1") == [(JAURES, Profile.DIRECTION, "")]
    assert Person.objects.get(external_id="T1").is_active


def test_absences_of_no_row_cover_no_establishment(tmp_path: Path, schools: object) -> None:
    year_one(tmp_path)
    assert apply_absences({}, {}) == Absences()
    assert not Person.objects.filter(is_active=False).exists()


def test_a_real_namesake_in_another_school_is_told_apart_by_external_id(
    tmp_path: Path, schools: object
) -> None:
    text = "profil;nom;prenom;date_naissance;classe\nélève;Roux;Jean;2011-03-03;4A"
    run("directory_import", str(write_csv(tmp_path, text, name="a.csv")), uai=JAURES)
    namesake = "profil;nom;prenom;date_naissance;identifiant_externe\nélève;Roux;Jean;2011-03-03;V9"
    out, _ = run("directory_import", str(write_csv(tmp_path, namesake, name="v.csv")), uai=VOLTAIRE)
    assert "1 créée(s)" in out
    assert sorted(Person.objects.values_list("login", flat=True)) == ["jean.roux", "jean.roux2"]


def test_a_pupil_deactivated_by_his_former_schools_file_is_not_given_a_second_account(
    tmp_path: Path, schools: object
) -> None:
    text = "profil;nom;prenom;date_naissance;classe\nélève;Roux;Jean;2011-03-03;4A"
    run("directory_import", str(write_csv(tmp_path, text, name="a.csv")), uai=JAURES)
    year_two(tmp_path, "profil;nom;prenom;date_naissance\nélève;Autre;Eleve;2011-01-01", JAURES)
    jean = Person.objects.get(login="jean.roux")
    assert not jean.is_active and not jean.memberships.exists()
    with pytest.raises(CommandError):
        year_two(tmp_path, text.replace("4A", "3B"), VOLTAIRE)
    moved = "profil;nom;prenom;date_naissance;classe;login\nélève;Roux;Jean;2011-03-03;3B;jean.roux"
    out, _ = year_two(tmp_path, moved, VOLTAIRE)
    assert "Comptes réactivés (de nouveau dans le fichier) : 1." in out
    assert Person.objects.get(pk=jean.pk).is_active
    assert where_login("jean.roux") == [(VOLTAIRE, Profile.PUPIL, "3B")]


def where_login(login: str) -> list[tuple[str, str, str]]:
    return sorted(
        Membership.objects.filter(person__login=login).values_list(
            "establishment__uai", "profile", "class_name"
        )
    )
