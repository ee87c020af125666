"""People of two schools in the AAF: a mother with a child in each, a teacher of both, and a
pupil who moves from one to the other mid-year by a delta. One account each, whose uid and
login never change; the mother is a parent where her active children are (docs/aaf.md)."""

from __future__ import annotations

from pathlib import Path

from socle.directory.aaf.importer import import_aaf
from socle.directory.models import Membership, Person
from socle.directory.profiles import Profile
from tests.directory.aaf_helpers import (
    UAI_A,
    UAI_B,
    delete,
    modify,
    pupil,
    relative,
    school_files,
    staff,
    write,
)

MOTHER = "R1$10$1$1$1$0"


def memberships(external_id: str) -> set[tuple[str, str, str]]:
    return {
        (m.establishment.uai, m.profile, m.class_name)
        for m in Membership.objects.filter(person__external_id=external_id)
    }


def september(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Camille (S1) and Hugo (S2), children of Sophie; Paul teaches in both. → uid, login."""
    report = import_aaf(
        school_files(
            tmp_path / "full",
            pupils=[
                pupil("E1", "MARTIN", "Camille", klass="4A", relatives=[MOTHER]),
                pupil("E2", "MARTIN", "Hugo", school="S2", klass="2NDE1", relatives=[MOTHER]),
                pupil("E3", "ROUX", "Jean", klass="3B", relatives=["R2$10$1$1$1$0"]),
            ],
            relatives=[relative("R1", "MARTIN", "Sophie"), relative("R2", "ROUX", "Claire")],
            staff_records=[
                staff(
                    "T1", "DURAND", "Paul", attached=["S1", "S2"],
                    functions=["S1$ENS$ENSEIGNEMENT$L0201$LETTRES",
                               "S2$ENS$ENSEIGNEMENT$L0201$LETTRES"],
                ),
            ],
        )
    )  # fmt: skip
    assert not report.errors
    return {p.external_id: (p.uid, p.login) for p in Person.objects.all()}


def test_one_account_each_with_a_membership_in_each_school(tmp_path: Path) -> None:
    september(tmp_path)
    assert memberships("R1") == {(UAI_A, Profile.PARENT, ""), (UAI_B, Profile.PARENT, "")}
    assert memberships("T1") == {(UAI_A, Profile.TEACHER, ""), (UAI_B, Profile.TEACHER, "")}
    assert Person.objects.filter(first_name="Sophie").count() == 1


def test_a_pupil_who_moves_mid_year_keeps_his_account_and_his_mother_follows(
    tmp_path: Path,
) -> None:
    before = september(tmp_path)
    write(
        tmp_path / "january",
        "ENT_Delta_20260112_Eleve_0001.xml",
        [
            modify("Eleve", pid, {"ENTPersonStructRattach": ["S2"], "ENTEleveClasses": ["S2$3PM"]})
            for pid in ("E1", "E3")
        ],
    )
    assert not import_aaf(tmp_path / "january").errors
    assert memberships("E1") == memberships("E3") == {(UAI_B, Profile.PUPIL, "3PM")}
    # Both her children are at S2 now: Sophie is no longer a parent of S1; Claire, whose only
    # son moved, is a parent of S2 instead of S1 (she opens S2's services, S1's no longer).
    assert memberships("R1") == memberships("R2") == {(UAI_B, Profile.PARENT, "")}
    after = {p.external_id: (p.uid, p.login) for p in Person.objects.all()}
    assert after == before  # uid and login: PRONOTE's « Identifiant CAS » stays right


def test_a_child_who_leaves_the_ent_leaves_his_mother_a_parent_of_the_other_school(
    tmp_path: Path,
) -> None:
    september(tmp_path)
    write(tmp_path / "march", "ENT_Delta_20260302_Eleve_0001.xml", [delete("Eleve", "E2")])
    assert not import_aaf(tmp_path / "march").errors
    assert not Person.objects.get(external_id="E2").is_active
    assert memberships("R1") == {(UAI_A, Profile.PARENT, "")}
    assert Person.objects.get(external_id="R1").is_active
