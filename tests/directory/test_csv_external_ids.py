"""``external_id`` between schools: a CSV file's ids are its school software's, so another
school's file may give the same « 1 » to someone else. Such a row does not take over the other
school's account, and the ``enfants`` column names people of the row's establishment only
(socle.directory.csv_checks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from socle.directory.models import ParentLink, Person
from tests.directory.helpers import refused_import, run, write_csv
from tests.factories import make_establishment

JAURES, LYCEE = "0312609T", "0310001H"
HEADER = "profil;nom;prenom;date_naissance;classe;external_id;enfants"
CAMILLE = f"{HEADER}\nélève;Martin;Camille;2012-02-01;4A;1;"


@pytest.fixture
def camille(tmp_path: Path) -> Person:
    make_establishment(JAURES, "Collège Jean Jaurès")
    make_establishment(LYCEE, "Lycée Pierre de Fermat")
    run("directory_import", str(write_csv(tmp_path, CAMILLE, name="j.csv")), uai=JAURES)
    return Person.objects.get()


def lycee(tmp_path: Path, text: str) -> tuple[str, str]:
    return run("directory_import", str(write_csv(tmp_path, text, name="l.csv")), uai=LYCEE)


def refused(tmp_path: Path, text: str, uai: str = LYCEE) -> str:
    return refused_import(tmp_path, text, uai=uai, name="l.csv")


def test_it_refuses_another_schools_id_given_to_someone_else(
    tmp_path: Path, camille: Person
) -> None:
    err = refused(tmp_path, f"{HEADER}\nélève;Dupont;Paul;2010-01-01;2NDE1;1;")
    assert err.startswith(
        "ligne 2 : external_id « 1 » est celui d'un compte d'un autre établissement dont le "
        "nom, le prénom ou la date de naissance diffèrent de cette ligne : deux logiciels "
        "numérotent-ils leurs personnes de la même façon ? Rendez les external_id de ce fichier "
        "uniques dans l'ENT (par exemple préfixés de l'UAI). Si c'est bien la même personne, "
        "faites d'abord corriger son nom ou sa date de naissance (administration Django, "
        "/django-admin/).\n"
    )
    assert "camille" not in err.lower() and JAURES not in err
    after = Person.objects.get()
    assert (after.last_name, after.first_name, after.birth_date) == (
        "Martin", "Camille", camille.birth_date,
    )  # fmt: skip
    assert list(after.memberships.values_list("establishment__uai", flat=True)) == [JAURES]


def test_a_namesake_born_another_day_under_the_same_id_is_refused_too(
    tmp_path: Path, camille: Person
) -> None:
    assert "external_id « 1 »" in refused(
        tmp_path, f"{HEADER}\nélève;MARTIN;Camille;2011-02-01;;1;"
    )
    assert list(camille.memberships.values_list("establishment__uai", flat=True)) == [JAURES]


def test_the_same_person_moving_with_her_id_keeps_her_account(
    tmp_path: Path, camille: Person
) -> None:
    lycee(tmp_path, f"{HEADER}\nélève;MARTIN;Camille;2012-02-01;3PM;1;")
    after = Person.objects.get()
    assert (after.uid, after.login) == (camille.uid, camille.login)
    assert sorted(after.memberships.values_list("establishment__uai", flat=True)) == [
        LYCEE, JAURES,
    ]  # fmt: skip


def test_her_own_school_still_renames_her_by_her_id(tmp_path: Path, camille: Person) -> None:
    renamed = f"{HEADER}\nélève;Martin-Lefèvre;Camille;2012-02-01;4A;1;"
    run("directory_import", str(write_csv(tmp_path, renamed, name="j2.csv")), uai=JAURES)
    assert Person.objects.get().last_name == "Martin-Lefèvre"


def test_a_parent_row_cannot_name_another_schools_pupil_as_her_child(
    tmp_path: Path, camille: Person
) -> None:
    err = refused(tmp_path, f"{HEADER}\nparent;Dupont;Marie;;;L-R1;1")
    assert err.startswith(
        "ligne 2 : enfant « 1 » inconnu (ni dans le fichier ni parmi les personnes de "
        f"l'établissement {LYCEE}).\n"
    )
    assert not ParentLink.objects.exists()


def test_a_parents_file_names_the_pupils_of_its_own_school_already_imported(
    tmp_path: Path, camille: Person
) -> None:
    parents = f"{HEADER}\nparent;Martin;Nathalie;;;J-R1;1"
    run("directory_import", str(write_csv(tmp_path, parents, name="p.csv")), uai=JAURES)
    link = ParentLink.objects.get()
    assert (link.parent.first_name, link.child_id) == ("Nathalie", camille.pk)
