"""The ``login`` column and accounts without a birth date (a parent, an account made by hand):
another school's file keeps such an account only with a proof — the account's e-mail in the
row, or the operator's ``--rattacher LOGIN`` — never by names alone (socle.directory.csv_logins)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management.base import CommandError

from socle.directory.models import Person
from tests.directory.helpers import refused_import, run, write_csv
from tests.factories import make_establishment, make_person

JAURES, VOLTAIRE = "0312609T", "0312799Z"
HEADER = "profil;nom;prenom;date_naissance;classe;external_id;enfants;mail;login"
JAURES_FILE = (
    HEADER + "\n"
    "élève;Martin;Camille;2012-02-01;4A;E1;;;\n"
    "parent;Martin;Nathalie;;;R1;E1;Nathalie.Martin@example.org;"
)
# Voltaire's software has its own ids (Hugo's); his mother, already in the ENT, is named by her
# login (with an id of Voltaire's software, she would be someone else: « déjà pris »).
VOLTAIRE_FILE = (
    HEADER + "\n"
    "élève;Martin;Hugo;2015-06-07;6C;V-E7;;;\n"
    "parent;Martin;Nathalie;;;;V-E7;{mail};nathalie.martin"
)


@pytest.fixture
def nathalie(tmp_path: Path) -> Person:
    make_establishment(JAURES, "Collège Jean Jaurès")
    make_establishment(VOLTAIRE, "Collège Voltaire")
    run("directory_import", str(write_csv(tmp_path, JAURES_FILE, name="j.csv")), uai=JAURES)
    return Person.objects.get(login="nathalie.martin")


def voltaire(tmp_path: Path, text: str, *args: str) -> tuple[str, str]:
    return run(
        "directory_import", str(write_csv(tmp_path, text, name="v.csv")), *args, uai=VOLTAIRE
    )


def refused(tmp_path: Path, text: str, *args: str) -> str:
    return refused_import(tmp_path, text, *args, uai=VOLTAIRE, name="v.csv")


def schools_of(person: Person) -> list[str]:
    return sorted(person.memberships.values_list("establishment__uai", flat=True))


def test_it_refuses_another_schools_file_naming_an_undated_parent_by_login_and_names(
    tmp_path: Path, nathalie: Person
) -> None:
    err = refused(tmp_path, VOLTAIRE_FILE.format(mail=""))
    assert err.startswith(
        "ligne 3 : l'identifiant « nathalie.martin » désigne MARTIN Nathalie, dont le compte "
        "n'a pas de date de naissance et n'appartient pas à cet établissement seul : les noms "
        "ne prouvent pas que c'est la même personne. Si c'est elle (un parent d'élèves de deux "
        "établissements), donnez dans la colonne email l'adresse électronique de son compte, ou "
        "relancez l'import avec --rattacher nathalie.martin après l'avoir vérifié ; sinon, "
        "retirez cet identifiant de la colonne login.\n"
    )
    # Neither her address nor her school is told; nothing was written.
    assert "example.org" not in err and JAURES not in err
    assert schools_of(nathalie) == [JAURES]
    assert not Person.objects.filter(first_name="Hugo").exists()


def test_a_birth_date_in_the_row_is_no_proof_for_an_account_without_one(
    tmp_path: Path, nathalie: Person
) -> None:
    text = VOLTAIRE_FILE.format(mail="").replace(
        "parent;Martin;Nathalie;;", "parent;Martin;Nathalie;1980-01-01;"
    )
    assert "--rattacher nathalie.martin" in refused(tmp_path, text)
    nathalie.refresh_from_db()
    assert nathalie.birth_date is None and schools_of(nathalie) == [JAURES]


def test_it_keeps_the_parent_of_two_schools_when_the_row_gives_her_accounts_e_mail(
    tmp_path: Path, nathalie: Person
) -> None:
    out, _ = voltaire(tmp_path, VOLTAIRE_FILE.format(mail="nathalie.martin@EXAMPLE.org"))
    assert "1 créée(s), 1 mise(s) à jour" in out and "--rattacher" not in out
    again = Person.objects.get(pk=nathalie.pk)
    assert (again.uid, again.login, again.password) == (
        nathalie.uid,
        nathalie.login,
        nathalie.password,
    )
    assert schools_of(again) == [JAURES, VOLTAIRE]
    assert sorted(again.children_links.values_list("child__first_name", flat=True)) == [
        "Camille",
        "Hugo",
    ]


def test_another_e_mail_address_is_no_proof(tmp_path: Path, nathalie: Person) -> None:
    err = refused(tmp_path, VOLTAIRE_FILE.format(mail="n.martin@example.net"))
    assert "--rattacher nathalie.martin" in err
    assert schools_of(nathalie) == [JAURES]


def test_the_operator_confirms_the_login_with_rattacher(tmp_path: Path, nathalie: Person) -> None:
    out, _ = voltaire(tmp_path, VOLTAIRE_FILE.format(mail=""), "--rattacher", "nathalie.martin")
    assert out.endswith("Comptes gardés sur confirmation (--rattacher) : nathalie.martin.\n")
    again = Person.objects.get(pk=nathalie.pk)
    assert (again.uid, again.login) == (nathalie.uid, nathalie.login)
    assert schools_of(again) == [JAURES, VOLTAIRE]


def test_rattacher_naming_no_row_of_the_file_refuses_it(tmp_path: Path, nathalie: Person) -> None:
    with pytest.raises(CommandError) as refusal:
        voltaire(tmp_path, VOLTAIRE_FILE.format(mail=""), "--rattacher", "nathalie.martn")
    assert str(refusal.value) == (
        "Fichier refusé, rien n'a été importé : --rattacher nathalie.martn : aucune ligne du "
        "fichier ne donne cet identifiant dans la colonne login."
    )
    assert schools_of(nathalie) == [JAURES]


def test_rattacher_does_not_lift_the_birth_date_of_an_account_that_has_one(
    tmp_path: Path, nathalie: Person
) -> None:
    claim = "profil;nom;prenom;classe;login\nélève;Martin;Camille;3B;camille.martin"
    err = refused(tmp_path, claim, "--rattacher", "camille.martin")
    assert "dont le compte a une date de naissance" in err
    assert schools_of(Person.objects.get(login="camille.martin")) == [JAURES]


def test_rattacher_is_for_csv_files_only(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--rattacher ne s'emploie qu'avec le format CSV"):
        run("directory_import", str(tmp_path), "--format", "aaf", "--rattacher", "x")


def test_its_own_schools_file_still_names_its_undated_parent_by_login(
    tmp_path: Path, nathalie: Person
) -> None:
    own = (
        "profil;nom;prenom;login;mail\n"
        "parent;MARTIN;Nathalie;nathalie.martin;nathalie.martin@example.org\n"
    ).replace("nathalie.martin@example.org", "nouvelle@example.org")
    out, _ = run("directory_import", str(write_csv(tmp_path, own, name="j2.csv")), uai=JAURES)
    assert "0 créée(s), 1 mise(s) à jour" in out
    assert Person.objects.get(pk=nathalie.pk).email == "nouvelle@example.org"


def test_a_hand_made_account_without_school_is_not_taken_by_names(tmp_path: Path) -> None:
    make_establishment(VOLTAIRE, "Collège Voltaire")
    principal = make_person("Paul", "Durand")
    assert principal.login == "paul.durand"
    claim = "profil;nom;prenom;login\ndirection;Durand;Paul;paul.durand"
    err = refused(tmp_path, claim)
    assert "l'identifiant « paul.durand » désigne DURAND Paul, dont le compte n'a pas" in err
    assert not principal.memberships.exists()


def test_an_undated_account_left_without_membership_needs_a_proof_too(
    tmp_path: Path, nathalie: Person
) -> None:
    # Camille and her mother leave (the collège's full file lists someone else): no membership
    # tells which school the account was; the next file's login column needs a proof.
    other = HEADER + "\nélève;Autre;Eleve;2012-01-01;4A;E9;;;\nparent;Autre;Mère;;;R9;E9;;"
    run("directory_import", str(write_csv(tmp_path, other, name="j2.csv")), "--complet", uai=JAURES)
    assert not Person.objects.get(pk=nathalie.pk).is_active
    assert "--rattacher nathalie.martin" in refused(tmp_path, VOLTAIRE_FILE.format(mail=""))
    voltaire(tmp_path, VOLTAIRE_FILE.format(mail="nathalie.martin@example.org"))
    again = Person.objects.get(pk=nathalie.pk)
    assert again.is_active and schools_of(again) == [VOLTAIRE]
