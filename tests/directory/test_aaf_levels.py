"""A pupil's level from the AAF: ``ENTEleveNivFormation``, else ``ENTEleveLibelleMEF``, else
``ENTEleveMEF``, as a ``MembershipGroup`` row of kind « niveau » (docs/aaf.md, "Mapping")."""

from __future__ import annotations

from pathlib import Path

from socle.directory.aaf.importer import import_aaf
from socle.directory.aaf.report import Report
from socle.directory.models import MembershipGroup
from tests.directory.aaf_helpers import UAI_A, UAI_B, modify, pupil, school_files, write

# As a real export carries them (the three of one pupil)
FULL_LEVEL = {
    "ENTEleveMEF": "10310019110",
    "ENTEleveLibelleMEF": "3EME",
    "ENTEleveNivFormation": "3EME GENERALE",
}


def _levels(external_id: str) -> set[tuple[str, str]]:
    return set(
        MembershipGroup.objects.filter(
            membership__person__external_id=external_id, kind="niveau"
        ).values_list("membership__establishment__uai", "name")
    )


def _full(folder: Path, pupils: list[str]) -> Report:
    return import_aaf(school_files(folder, pupils=pupils, relatives=[]))


def _pupils() -> list[str]:
    return [
        pupil("E1", "MARTIN", "Camille", klass="3B", level=FULL_LEVEL),
        pupil("E2", "MARTIN", "Léo", klass="4A", level={"ENTEleveLibelleMEF": "4EME"}),
        pupil("E3", "DUBOIS", "Zoé", school="S2", klass="6A", level={"ENTEleveMEF": "10010012110"}),
        pupil("E4", "PETIT", "Lou", klass="5A"),
    ]


def test_it_imports_the_level_of_each_pupil_by_the_first_attribute_given(tmp_path: Path) -> None:
    report = _full(tmp_path, _pupils())

    assert report.errors == []
    assert _levels("E1") == {(UAI_A, "3EME GENERALE")}  # the « niveau de formation » first
    assert _levels("E2") == {(UAI_A, "4EME")}  # else the MEF's label
    assert _levels("E3") == {(UAI_B, "10010012110")}  # else its code
    assert _levels("E4") == set()


def test_it_replaces_the_level_in_a_full_file_and_a_modify_and_writes_nothing_again(
    tmp_path: Path,
) -> None:
    _full(tmp_path, _pupils())
    before = set(MembershipGroup.objects.values_list("pk", "membership_id", "kind", "name"))
    _full(tmp_path, _pupils())
    assert set(MembershipGroup.objects.values_list("pk", "membership_id", "kind", "name")) == before

    moved_up = [pupil("E1", "MARTIN", "Camille", klass="2A", level={"ENTEleveLibelleMEF": "2NDE"})]
    report = _full(tmp_path / "next", moved_up + _pupils()[1:])
    assert report.by_type["Eleve"].updated == 1
    assert _levels("E1") == {(UAI_A, "2NDE")}

    write(
        tmp_path / "next",
        "ENT_Delta_20250915_Eleve_0001.xml",
        [
            modify("Eleve", "E2", {"ENTEleveNivFormation": ["3EME"]}),
            modify("Eleve", "E3", {"ENTEleveGroupes": ["S2$LATIN"]}),  # no level: kept
            modify("Eleve", "E1", {"ENTEleveMEF": []}),  # an empty level: none
        ],
    )
    report = import_aaf(tmp_path / "next")
    assert report.errors == []
    assert _levels("E2") == {(UAI_A, "3EME")}
    assert _levels("E3") == {(UAI_B, "10010012110")}
    assert _levels("E1") == set()


def test_a_level_goes_with_the_pupil_who_changes_school(tmp_path: Path) -> None:
    _full(tmp_path, _pupils()[:1])
    moved = [pupil("E1", "MARTIN", "Camille", school="S2", klass="3C", level=FULL_LEVEL)]
    _full(tmp_path / "next", moved)
    assert _levels("E1") == {(UAI_B, "3EME GENERALE")}
