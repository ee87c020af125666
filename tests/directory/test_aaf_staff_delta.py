"""A delta modify of a staff member that carries only some of the attributes their profiles are
deduced from recomputes the memberships as the full file would, with the values last received
for the others (docs/aaf.md, "Full and delta")."""

from __future__ import annotations

from pathlib import Path

import pytest

from socle.directory.aaf.importer import import_aaf
from socle.directory.aaf.report import Report
from socle.directory.models import Membership, Person
from tests.directory.aaf_helpers import UAI_A, UAI_B, modify, school_files, staff, write

ATTACHED = "ENTPersonStructRattach"
FUNCTIONS = "ENTPersonFonctions"
PROFILES = "ENTPersonProfils"
TEACHES = "PersEducNatPresenceDevantEleves"
TEACHER = {ATTACHED: ["S1"], FUNCTIONS: ["S1$ENS$LIBELLE"], PROFILES: [], TEACHES: ["O"]}
DIRECTOR = {**TEACHER, FUNCTIONS: ["S1$DIR$LIBELLE"], TEACHES: ["N"]}
NAMES = {"T1": ("DURAND", "Paul"), "T2": ("LEROY", "Anne")}


def _staff(pid: str, values: dict[str, list[str]]) -> str:
    last, first = NAMES[pid]
    return staff(
        pid,
        last,
        first,
        attached=values[ATTACHED],
        functions=values[FUNCTIONS],
        profiles=values[PROFILES],
        teaches=values[TEACHES] == ["O"],
    )


def _full(folder: Path, *records: str, date: str = "20250901") -> Report:
    return import_aaf(school_files(folder, date=date, staff_records=list(records)))


def _delta(folder: Path, *records: str, date: str = "20250915") -> Report:
    write(folder, f"ENT_Delta_{date}_PersEducNat_0001.xml", list(records))
    return import_aaf(folder)


def _profiles(external_id: str) -> set[tuple[str, str]]:
    return {
        (uai, profile)
        for uai, profile in Membership.objects.filter(person__external_id=external_id).values_list(
            "establishment__uai", "profile"
        )
    }


def test_it_recomputes_a_teachers_profile_when_only_the_teaching_flag_changes(
    tmp_path: Path,
) -> None:
    _full(tmp_path / "full", _staff("T1", TEACHER))
    assert Person.objects.get(external_id="T1").aaf_staff_inputs == TEACHER
    assert Person.objects.get(external_id="E1").aaf_staff_inputs is None  # a pupil
    assert _profiles("T1") == {(UAI_A, "National_ENS")}
    report = _delta(tmp_path / "n", modify("PersEducNat", "T1", {TEACHES: ["N"]}))
    assert not report.errors and report.staff_without_inputs == 0
    assert _profiles("T1") == {(UAI_A, "National_ETA")}
    assert report.by_type["PersEducNat"].updated == 1
    assert Person.objects.get(external_id="T1").aaf_staff_inputs == {**TEACHER, TEACHES: ["N"]}
    again = import_aaf(tmp_path / "n")
    assert (again.by_type["PersEducNat"].updated, again.by_type["PersEducNat"].unchanged) == (0, 1)
    _delta(tmp_path / "o", modify("PersEducNat", "T1", {TEACHES: ["O"]}), date="20250916")
    assert _profiles("T1") == {(UAI_A, "National_ENS")}


def test_it_recomputes_with_the_kept_teaching_flag_when_only_the_functions_change(
    tmp_path: Path,
) -> None:
    _full(
        tmp_path / "full",
        _staff("T1", {**TEACHER, FUNCTIONS: ["S1$DOC$LIBELLE"]}),
        _staff("T2", DIRECTOR),
    )
    assert _profiles("T1") == {(UAI_A, "National_DOC")}
    assert _profiles("T2") == {(UAI_A, "National_DIR")}
    both = {FUNCTIONS: ["S1$ENS$LIBELLE", "S2$ENS$LIBELLE"]}
    report = _delta(
        tmp_path / "delta", modify("PersEducNat", "T1", both), modify("PersEducNat", "T2", both)
    )
    assert not report.errors
    assert _profiles("T1") == {(UAI_A, "National_ENS"), (UAI_B, "National_ENS")}  # O, kept
    assert _profiles("T2") == {(UAI_A, "National_ETA"), (UAI_B, "National_ETA")}  # N, kept


def test_it_recomputes_when_only_the_attached_structures_change(tmp_path: Path) -> None:
    _full(tmp_path / "full", _staff("T1", TEACHER), _staff("T2", DIRECTOR))
    both = {ATTACHED: ["S1", "S2"]}
    report = _delta(
        tmp_path / "both", modify("PersEducNat", "T1", both), modify("PersEducNat", "T2", both)
    )
    assert not report.errors
    assert _profiles("T1") == {(UAI_A, "National_ENS"), (UAI_B, "National_ENS")}
    assert _profiles("T2") == {(UAI_A, "National_DIR"), (UAI_B, "National_ETA")}
    # No attachment left: the kept function still places the teacher in S1 only.
    _delta(tmp_path / "none", modify("PersEducNat", "T1", {ATTACHED: []}), date="20250916")
    assert _profiles("T1") == {(UAI_A, "National_ENS")}


def test_it_recomputes_with_the_national_profiles_given_earlier(tmp_path: Path) -> None:
    _full(tmp_path / "full", _staff("T1", {**TEACHER, PROFILES: ["National_DOC"]}))
    assert _profiles("T1") == {(UAI_A, "National_DOC")}
    _delta(tmp_path / "n", modify("PersEducNat", "T1", {TEACHES: ["N"]}))
    assert _profiles("T1") == {(UAI_A, "National_DOC")}
    functions = {FUNCTIONS: ["S1$DIR$LIBELLE", "S2$ENS$LIBELLE"]}
    _delta(tmp_path / "f", modify("PersEducNat", "T1", functions), date="20250916")
    assert _profiles("T1") == {(UAI_A, "National_DOC"), (UAI_B, "National_DOC")}
    # The national profiles withdrawn: back to the deduction, with the flag N kept.
    _delta(tmp_path / "p", modify("PersEducNat", "T1", {PROFILES: []}), date="20250917")
    assert _profiles("T1") == {(UAI_A, "National_DIR"), (UAI_B, "National_ETA")}


def test_it_keeps_the_memberships_of_staff_imported_before_and_says_so(tmp_path: Path) -> None:
    _full(tmp_path / "full", _staff("T1", TEACHER), _staff("T2", TEACHER))
    # As imported before the inputs were kept.
    Person.objects.filter(external_id__in=["T1", "T2"]).update(aaf_staff_inputs=None)
    report = _delta(
        tmp_path / "delta",
        modify("PersEducNat", "T1", {TEACHES: ["N"]}),
        modify("PersEducNat", "T2", {TEACHES: ["N"], "givenName": ["Anne-Marie"]}),
    )
    assert not report.errors
    assert _profiles("T1") == _profiles("T2") == {(UAI_A, "National_ENS")}
    assert Person.objects.get(external_id="T2").first_name == "Anne-Marie"  # the rest applies
    assert Person.objects.get(external_id="T1").aaf_staff_inputs is None
    assert report.staff_without_inputs == 2
    summary = "\n".join(report.lines())
    assert (
        "PersEducNat : 2 modification(s) partielle(s) de personnels importés avant que leurs "
        "fonctions, rattachements, profils et présence devant élèves ne soient conservés"
    ) in summary
    assert "le prochain fichier complet les corrigera." in summary
    # The next full file keeps the values without counting it as a change of the person...
    updated_at = Person.objects.get(external_id="T1").updated_at
    report = _full(tmp_path / "again", _staff("T1", TEACHER), date="20250916")
    counts = report.by_type["PersEducNat"]
    assert (counts.updated, counts.unchanged, counts.deactivated) == (0, 1, 1)
    assert "modification(s) partielle(s)" not in "\n".join(report.lines())
    teacher = Person.objects.get(external_id="T1")
    assert teacher.aaf_staff_inputs == TEACHER and teacher.updated_at == updated_at
    # ...and from then on a delta recomputes.
    _delta(tmp_path / "later", modify("PersEducNat", "T1", {TEACHES: ["N"]}), date="20250917")
    assert _profiles("T1") == {(UAI_A, "National_ETA")}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({TEACHES: ["N"]}, {(UAI_A, "National_ETA")}),
        (
            {FUNCTIONS: ["S1$DIR$LIBELLE", "S2$ENS$LIBELLE"]},
            {(UAI_A, "National_DIR"), (UAI_B, "National_ENS")},
        ),
        ({ATTACHED: ["S1", "S2"]}, {(UAI_A, "National_ENS"), (UAI_B, "National_ENS")}),
        ({PROFILES: ["National_EVS"]}, {(UAI_A, "National_EVS")}),
        (
            {FUNCTIONS: ["S2$DOC$LIBELLE"], TEACHES: ["N"]},
            {(UAI_A, "National_ETA"), (UAI_B, "National_DOC")},
        ),
    ],
)
def test_it_recomputes_what_the_full_file_gives_for_the_same_values(
    tmp_path: Path, changes: dict[str, list[str]], expected: set[tuple[str, str]]
) -> None:
    _full(tmp_path / "full", _staff("T1", TEACHER))
    report = _delta(tmp_path / "delta", modify("PersEducNat", "T1", changes))
    assert not report.errors
    assert _profiles("T1") == expected
    memberships = list(Membership.objects.order_by("pk").values_list())
    person = Person.objects.get(external_id="T1")
    # The full file with the same final values finds nothing to change.
    report = _full(tmp_path / "final", _staff("T1", {**TEACHER, **changes}), date="20250916")
    counts = report.by_type["PersEducNat"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 1)
    assert list(Membership.objects.order_by("pk").values_list()) == memberships
    again = Person.objects.get(external_id="T1")
    assert (again.aaf_staff_inputs, again.updated_at) == (
        person.aaf_staff_inputs,
        person.updated_at,
    )


def test_it_keeps_an_attribute_an_add_lacks_as_empty_and_recomputes_later(tmp_path: Path) -> None:
    """Exports often give no ENTPersonProfils: the add still keeps the whole set of inputs."""
    _full(tmp_path / "full", staff("T1", *NAMES["T1"]))  # no ENTPersonProfils at all
    assert Person.objects.get(external_id="T1").aaf_staff_inputs[PROFILES] == []
    report = _delta(tmp_path / "n", modify("PersEducNat", "T1", {TEACHES: ["N"]}))
    assert not report.errors and report.staff_without_inputs == 0
    assert _profiles("T1") == {(UAI_A, "National_ETA")}
