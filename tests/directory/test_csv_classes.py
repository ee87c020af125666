"""The class column of a directory CSV: a row's class in its establishment, an empty cell being
no class (socle.directory.csv_apply), as an AAF record without ``ENTEleveClasses``."""

from __future__ import annotations

from pathlib import Path

import pytest

from socle.directory.models import Establishment, Membership
from tests.directory.helpers import run, write_csv
from tests.factories import make_establishment

UAI = "0312609T"
LAST_YEAR = """
profil;nom;prenom;date_naissance;classe;identifiant_externe
élève;Martin;Camille;2012-03-04;5E1;E1
élève;Martin;Léo;2013-06-05;6E2;E2
"""


@pytest.fixture
def college() -> Establishment:
    return make_establishment(UAI, "Collège Jean Jaurès")


def classes() -> dict[str, str]:
    return dict(
        Membership.objects.filter(establishment__uai=UAI).values_list(
            "person__external_id", "class_name"
        )
    )


def importing(tmp_path: Path, text: str, name: str, *args: str) -> str:
    return run("directory_import", str(write_csv(tmp_path, text, name=name)), *args, uai=UAI)[0]


def test_an_empty_class_at_the_rentree_removes_last_year_s_class(
    tmp_path: Path, college: Establishment
) -> None:
    importing(tmp_path, LAST_YEAR, "y1.csv")
    rentree = """
profil;nom;prenom;date_naissance;classe;identifiant_externe
élève;Martin;Camille;2012-03-04;4E1;E1
élève;Martin;Léo;2013-06-05;;E2
"""
    out = importing(tmp_path, rentree, "y2.csv", "--complet")
    assert classes() == {"E1": "4E1", "E2": ""}
    assert "0 créée(s), 2 mise(s) à jour" in out
    # The class known later comes with the next file.
    importing(tmp_path, LAST_YEAR.replace("6E2", "5E3"), "y2b.csv")
    assert classes()["E2"] == "5E3"


def test_a_file_without_a_class_column_keeps_the_classes(
    tmp_path: Path, college: Establishment
) -> None:
    importing(tmp_path, LAST_YEAR, "y1.csv")
    names_only = """
profil;nom;prenom;date_naissance;identifiant_externe
élève;Martin;Camille;2012-03-04;E1
élève;Martin;Léo;2013-06-05;E2
"""
    out = importing(tmp_path, names_only, "names.csv")
    assert classes() == {"E1": "5E1", "E2": "6E2"}
    assert "0 mise(s) à jour, 2 inchangée(s)" in out


def test_the_same_file_again_with_an_empty_class_changes_nothing(
    tmp_path: Path, college: Establishment
) -> None:
    text = LAST_YEAR.replace("6E2", "")
    importing(tmp_path, text, "a.csv")
    out = importing(tmp_path, text, "b.csv")
    assert classes() == {"E1": "5E1", "E2": ""}
    assert "0 mise(s) à jour, 2 inchangée(s)" in out
