"""Functions and « disciplines de poste » from the AAF's ``ENTPersonFonctions``
(``struct$code$libellé[$discipline$libellé]``), subjects taught from
``ENTAuxEnsMatiereEnseignEtab`` (``struct$matière``): ``MembershipGroup`` rows of kinds
« fonction », « discipline » and « matiere » of the staff member's membership in each
establishment (docs/aaf.md)."""

from __future__ import annotations

from pathlib import Path

from socle.directory.aaf.importer import import_aaf
from socle.directory.models import MembershipGroup
from socle.directory.profiles import Profile
from tests.directory.aaf_helpers import UAI_A, UAI_B, modify, school_files, staff, write

FUNCTIONS = ["S1$ENS$ENSEIGNEMENT$L1300$MATHEMATIQUES", "S2$DOC$DOCUMENTATION", "S9$ENS$X$Y$Z"]


def _functions(external_id: str) -> set[tuple[str, str, str, str]]:
    return set(
        MembershipGroup.objects.filter(
            membership__person__external_id=external_id,
            kind__in=("fonction", "discipline", "matiere"),
        ).values_list("membership__establishment__uai", "membership__profile", "kind", "name")
    )


UNKNOWN = "valeur ENTPersonFonctions « S9$ENS$X$Y$Z » ignorée : établissement inconnu (S9)."


def _import(folder: Path, functions: list[str]) -> None:
    teacher = staff("T1", "DURAND", "Paul", attached=["S1", "S2"], functions=functions)
    report = import_aaf(school_files(folder, staff_records=[teacher], pupils=[], relatives=[]))
    reported = [line.split(" : ", 1)[1] for line in report.errors]
    assert reported == ([UNKNOWN] if any(f.startswith("S9") for f in functions) else [])


def test_it_keeps_the_functions_and_disciplines_of_each_establishment(tmp_path: Path) -> None:
    _import(tmp_path, FUNCTIONS)
    assert _functions("T1") == {
        (UAI_A, Profile.TEACHER, "fonction", "ENSEIGNEMENT"),
        (UAI_A, Profile.TEACHER, "discipline", "MATHEMATIQUES"),
        (UAI_B, Profile.DOCUMENTALIST, "fonction", "DOCUMENTATION"),  # no discipline given
    }  # an unknown establishment (S9) is reported and left out


def test_the_code_stands_for_a_missing_label_and_long_labels_are_cut(tmp_path: Path) -> None:
    _import(tmp_path, ["S1$ENS$$L1300$", "S2$DOC$" + "D" * 60])
    assert _functions("T1") == {
        (UAI_A, Profile.TEACHER, "fonction", "ENS"),
        (UAI_A, Profile.TEACHER, "discipline", "L1300"),
        (UAI_B, Profile.DOCUMENTALIST, "fonction", "D" * 50),
    }


def test_a_file_read_again_writes_nothing_and_a_change_replaces_them(tmp_path: Path) -> None:
    _import(tmp_path, FUNCTIONS)
    before = set(MembershipGroup.objects.values_list("pk", "kind", "name"))
    _import(tmp_path, FUNCTIONS)
    assert set(MembershipGroup.objects.values_list("pk", "kind", "name")) == before
    _import(tmp_path, ["S1$ENS$ENSEIGNEMENT$L0422$ANGLAIS", "S2$DOC$DOCUMENTATION"])
    assert (UAI_A, Profile.TEACHER, "discipline", "ANGLAIS") in _functions("T1")
    assert (UAI_A, Profile.TEACHER, "discipline", "MATHEMATIQUES") not in _functions("T1")


def test_a_modify_of_the_functions_replaces_them_and_leaves_the_classes(tmp_path: Path) -> None:
    teacher = staff(
        "T1", "DURAND", "Paul", attached=["S1"], functions=FUNCTIONS[:1], classes=["S1$4A"]
    )
    import_aaf(school_files(tmp_path, staff_records=[teacher], pupils=[], relatives=[]))
    change = {"ENTPersonFonctions": ["S1$ENS$ENSEIGNEMENT$L1500$PHYSIQUE CHIMIE"]}
    write(
        tmp_path, "ENT_Delta_20250915_PersEducNat_0001.xml", [modify("PersEducNat", "T1", change)]
    )
    report = import_aaf(tmp_path)
    assert report.errors == []
    assert _functions("T1") == {
        (UAI_A, Profile.TEACHER, "fonction", "ENSEIGNEMENT"),
        (UAI_A, Profile.TEACHER, "discipline", "PHYSIQUE CHIMIE"),
    }
    assert MembershipGroup.objects.filter(kind="classe", name="4A").exists()


def test_it_keeps_the_subjects_taught_in_each_establishment(tmp_path: Path) -> None:
    subjects = ["S1$SCIENCES DE LA VIE ET DE LA TERRE", "S1$SCIENCES DE LA VIE ET DE LA TERRE"]
    subjects += ["S2$" + "M" * 60, "S9$LATIN", "S1$"]
    teacher = staff(
        "T1", "DURAND", "Paul", attached=["S1", "S2"], functions=FUNCTIONS[:2], subjects=subjects
    )
    report = import_aaf(school_files(tmp_path, staff_records=[teacher], pupils=[], relatives=[]))
    assert [line.split(" : ", 1)[1] for line in report.errors] == [
        "valeur ENTAuxEnsMatiereEnseignEtab « S9$LATIN » ignorée : établissement inconnu (S9)."
    ]
    subjects_kept = {row for row in _functions("T1") if row[2] == "matiere"}
    assert subjects_kept == {
        (UAI_A, Profile.TEACHER, "matiere", "SCIENCES DE LA VIE ET DE LA TERRE"),
        (UAI_B, Profile.DOCUMENTALIST, "matiere", "M" * 50),
    }
    change = {"ENTAuxEnsMatiereEnseignEtab": []}  # an empty modify removes them, and only them
    delta = [modify("PersEducNat", "T1", change)]
    write(tmp_path, "ENT_Delta_20250915_PersEducNat_0001.xml", delta)
    assert all("S9$LATIN" in line for line in import_aaf(tmp_path).errors)  # the full file's
    assert {row[2] for row in _functions("T1")} == {"fonction", "discipline"}
