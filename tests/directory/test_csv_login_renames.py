"""The ``login`` column renaming an account: a school's file may rename its own people, not,
without the operator's ``--renommer LOGIN``, an account that belongs to another school too
(``socle.directory.csv_logins.check_renames``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management.base import CommandError

from socle.directory.models import Person
from tests.directory.helpers import refused_import, run, write_csv
from tests.factories import make_establishment

JAURES, VOLTAIRE = "0312609T", "0312799Z"
HEADER = "profil;nom;prenom;date_naissance;classe;external_id;enfants;mail;login"
JAURES_FILE = (
    HEADER + "\n"
    "élève;Martin;Camille;2012-02-01;4A;E1;;;{camille}\n"
    "parent;Martin;Nathalie;;;R1;E1;nathalie.martin@example.org;{nathalie}\n"
    "enseignant;Le Gall;Hélène;1985-04-04;;;;;{helene}"
)
VOLTAIRE_FILE = (
    HEADER + "\n"
    "élève;Martin;Hugo;2015-06-07;6C;V-E7;;;\n"
    "parent;Martin;Nathalie;;;;V-E7;nathalie.martin@example.org;nathalie.martin\n"
    "enseignant;Le Gall;Hélène;1985-04-04;;;;;helene.le-gall"
)


def jaures_file(camille: str = "", nathalie: str = "", helene: str = "") -> str:
    return JAURES_FILE.format(camille=camille, nathalie=nathalie, helene=helene)


@pytest.fixture
def both(tmp_path: Path) -> None:
    """Nathalie (parent) and Hélène (teacher) in both schools, Camille at Jaurès only."""
    make_establishment(JAURES, "Collège Jean Jaurès")
    make_establishment(VOLTAIRE, "Collège Voltaire")
    jaures(tmp_path, jaures_file())
    assert Person.objects.get(first_name="Hélène").login == "helene.le-gall"
    run("directory_import", str(write_csv(tmp_path, VOLTAIRE_FILE, name="v.csv")), uai=VOLTAIRE)


def jaures(tmp_path: Path, text: str, *args: str) -> tuple[str, str]:
    return run("directory_import", str(write_csv(tmp_path, text, name="j.csv")), *args, uai=JAURES)


def logins() -> dict[str, str]:
    return dict(Person.objects.values_list("first_name", "login"))


def test_it_refuses_a_file_renaming_an_account_of_another_school_too(
    tmp_path: Path, both: None
) -> None:
    before = logins()
    err = refused_import(
        tmp_path, jaures_file(nathalie="n.martin", helene="h.legall"), uai=JAURES, name="j.csv"
    )
    assert (
        "ligne 3 : cette ligne changerait l'identifiant du compte de MARTIN Nathalie en "
        "« n.martin », mais ce compte appartient aussi à un autre établissement : son "
        "identifiant changerait pour tous ses établissements (services qui reçoivent "
        "l'identifiant, lettres d'activation de l'autre établissement). Si ce changement est "
        "voulu, relancez l'import avec --renommer n.martin après l'avoir vérifié ; sinon, "
        "laissez la colonne login de cette ligne vide pour garder son identifiant."
    ) in err
    assert "ligne 4 : cette ligne changerait l'identifiant du compte de LE GALL Hélène" in err
    assert "nathalie.martin" not in err and VOLTAIRE not in err and "Voltaire" not in err
    assert logins() == before  # nothing imported


def test_it_renames_on_the_operators_word_and_says_so(tmp_path: Path, both: None) -> None:
    out, _err = jaures(tmp_path, jaures_file(nathalie="n.martin"), "--renommer", "n.martin")
    assert "Identifiants changés sur confirmation (--renommer) : n.martin." in out
    nathalie = Person.objects.get(first_name="Nathalie")
    assert nathalie.login == "n.martin"
    assert sorted(nathalie.memberships.values_list("establishment__uai", flat=True)) == [
        JAURES, VOLTAIRE,
    ]  # fmt: skip


def test_it_still_renames_an_account_of_this_school_alone_without_the_option(
    tmp_path: Path, both: None
) -> None:
    out, _err = jaures(tmp_path, jaures_file(camille="camille.m"))
    assert logins()["Camille"] == "camille.m"
    assert "--renommer" not in out


def test_it_refuses_a_renommer_that_renames_nothing(tmp_path: Path, both: None) -> None:
    # A typo confirms nothing: the rename stays refused on its line.
    before = logins()
    refused_import(
        tmp_path, jaures_file(nathalie="n.martin"), "--renommer", "n.martn", uai=JAURES,
        name="j.csv",
    )  # fmt: skip
    # A rename this school's file may make anyway is no use of the option: the file is refused.
    with pytest.raises(CommandError) as caught:
        jaures(tmp_path, jaures_file(camille="camille.m"), "--renommer", "camille.m")
    assert str(caught.value) == (
        "Fichier refusé, rien n'a été importé : --renommer camille.m : aucune ligne du fichier "
        "ne donne cet identifiant à un compte qui appartient aussi à un autre établissement."
    )
    assert logins() == before
    with pytest.raises(CommandError, match="--renommer ne s'emploie qu'avec le format CSV"):
        run("directory_import", str(tmp_path), "--format", "aaf", "--renommer", "x")
