"""The level column of a directory CSV (``level``, ``niveau``): a pupil's level in the row's
establishment, kept as a ``MembershipGroup`` row of kind « niveau », as from the AAF."""

from __future__ import annotations

from pathlib import Path

import pytest

from socle.directory.models import Establishment, MembershipGroup
from tests.directory.helpers import refused_import, run, write_csv
from tests.factories import make_establishment

UAI = "0312609T"
FIRST = """
profil;nom;prenom;date_naissance;classe;niveau;identifiant_externe
élève;Martin;Camille;2012-03-04;3B;3EME;E1
élève;Martin;Léo;2013-06-05;4A;4ème;E2
élève;Petit;Lou;2013-06-05;5A;;E3
"""


@pytest.fixture
def college() -> Establishment:
    return make_establishment(UAI, "Collège Jean Jaurès")


def levels() -> dict[str, str]:
    return dict(
        MembershipGroup.objects.filter(kind="niveau").values_list(
            "membership__person__external_id", "name"
        )
    )


def importing(tmp_path: Path, text: str, name: str) -> str:
    return run("directory_import", str(write_csv(tmp_path, text, name=name)), uai=UAI)[0]


def test_it_imports_the_pupils_levels_and_replaces_them(
    tmp_path: Path, college: Establishment
) -> None:
    importing(tmp_path, FIRST, "a.csv")
    assert levels() == {"E1": "3EME", "E2": "4ème"}  # kept as written

    out = importing(tmp_path, FIRST, "again.csv")
    assert "0 créée(s), 0 mise(s) à jour" in out
    assert levels() == {"E1": "3EME", "E2": "4ème"}

    changed = FIRST.replace("4A;4ème", "3A;3EME").replace("3B;3EME", "3B;")
    out = importing(tmp_path, changed, "b.csv")
    assert levels() == {"E2": "3EME"}  # an empty cell: no level
    assert "0 créée(s), 2 mise(s) à jour" in out

    without_column = "\n".join(
        line.rsplit(";", 2)[0] + ";" + line.rsplit(";", 1)[1]
        for line in changed.strip().splitlines()
    )
    assert (
        without_column.splitlines()[0]
        == "profil;nom;prenom;date_naissance;classe;identifiant_externe"
    )
    importing(tmp_path, without_column, "c.csv")
    assert levels() == {"E2": "3EME"}  # a file without the column leaves them


def test_it_refuses_a_level_for_someone_else_than_a_pupil(
    tmp_path: Path, college: Establishment
) -> None:
    text = FIRST + "enseignant;Durand;Paul;1980-01-02;;3EME;T1\n"
    err = refused_import(tmp_path, text, uai=UAI)
    assert "ligne 5 : niveau « 3EME » : seuls les élèves ont un niveau." in err
    assert levels() == {}  # all or nothing
