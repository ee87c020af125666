"""Classes and groups from the AAF: ``ENTAuxEnsClasses``, ``ENTAuxEnsGroupes`` (staff) and
``ENTEleveGroupes`` (pupils) become ``MembershipGroup`` rows of the person's membership in each
establishment (docs/aaf.md, "Mapping")."""

from __future__ import annotations

from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

from socle.directory.aaf.importer import import_aaf
from socle.directory.aaf.report import Report
from socle.directory.models import Membership, MembershipGroup
from socle.directory.profiles import Profile
from tests.directory.aaf_helpers import UAI_A, UAI_B, modify, pupil, school_files, staff, write

TEACHER_CLASSES = ["S1$5E1$L0201$MATHEMATIQUES", "S1$4A", "S1$4A", "S2$3B"]


def _groups(external_id: str) -> set[tuple[str, str, str, str]]:
    return set(
        MembershipGroup.objects.filter(
            membership__person__external_id=external_id, kind__in=("classe", "groupe")
        ).values_list("membership__establishment__uai", "membership__profile", "kind", "name")
    )


def _teacher(**kwargs: list[str]) -> str:
    return staff(
        "T1",
        "DURAND",
        "Paul",
        attached=["S1", "S2"],
        functions=["S1$ENS$LIBELLE", "S2$DOC$LIBELLE"],
        **kwargs,
    )


def _full(folder: Path, *, teacher: str | None = None, pupils: list[str] | None = None) -> Report:
    return import_aaf(
        school_files(
            folder,
            staff_records=[teacher or _teacher(classes=TEACHER_CLASSES, groups=["S1$LATIN"])],
            pupils=pupils
            if pupils is not None
            else [pupil("E1", "MARTIN", "Camille", groups=["S1$ANGLAIS", f"{UAI_A}$LATIN"])],
            relatives=[],
        )
    )


def _delta(folder: Path, kind: str, *records: str) -> Report:
    write(folder, f"ENT_Delta_20250915_{kind}_0001.xml", list(records))
    return import_aaf(folder)


def test_it_imports_the_classes_and_groups_of_teachers_and_pupils(tmp_path: Path) -> None:
    report = _full(tmp_path)

    assert report.errors == []
    assert _groups("T1") == {
        (UAI_A, Profile.TEACHER, "classe", "5E1"),  # the subject after the name is not kept
        (UAI_A, Profile.TEACHER, "classe", "4A"),
        (UAI_B, Profile.DOCUMENTALIST, "classe", "3B"),
        (UAI_A, Profile.TEACHER, "groupe", "LATIN"),
    }
    assert _groups("E1") == {  # a bare UAI names the establishment too
        (UAI_A, Profile.PUPIL, "groupe", "ANGLAIS"),
        (UAI_A, Profile.PUPIL, "groupe", "LATIN"),
    }
    # The pupil's own class stays on the membership.
    assert Membership.objects.get(person__external_id="E1").class_name == "5E1"


def test_it_writes_nothing_when_the_same_file_is_read_again(tmp_path: Path) -> None:
    _full(tmp_path)
    before = set(MembershipGroup.objects.values_list("pk", "membership_id", "kind", "name"))

    with CaptureQueriesContext(connection) as queries:
        report = _full(tmp_path)

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "membershipgroup" in q["sql"].lower()
        and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert set(MembershipGroup.objects.values_list("pk", "membership_id", "kind", "name")) == before
    assert all(c.created == c.updated == 0 for c in report.by_type.values())


def test_it_counts_a_person_whose_groups_alone_changed_as_modified(tmp_path: Path) -> None:
    _full(tmp_path)
    report = _full(tmp_path, teacher=_teacher(classes=TEACHER_CLASSES, groups=["S1$GREC"]))

    assert report.by_type["PersEducNat"].updated == 1
    assert (UAI_A, Profile.TEACHER, "groupe", "GREC") in _groups("T1")
    assert (UAI_A, Profile.TEACHER, "groupe", "LATIN") not in _groups("T1")


def test_a_modify_replaces_exactly_the_attributes_it_lists(tmp_path: Path) -> None:
    _full(tmp_path)

    report = _delta(
        tmp_path, "PersEducNat", modify("PersEducNat", "T1", {"ENTAuxEnsClasses": ["S1$3C"]})
    )

    assert report.errors == []
    assert _groups("T1") == {
        (UAI_A, Profile.TEACHER, "classe", "3C"),
        (UAI_A, Profile.TEACHER, "groupe", "LATIN"),  # not listed: kept
    }
    # The memberships were not touched by a modify that does not list their attributes.
    assert Membership.objects.filter(person__external_id="T1").count() == 2


def test_an_empty_modify_removes_the_groups_and_keeps_the_class(tmp_path: Path) -> None:
    _full(tmp_path)

    _delta(
        tmp_path,
        "PersEducNat",
        modify("PersEducNat", "T1", {"ENTAuxEnsGroupes": []}),
    )
    _delta(tmp_path, "Eleve", modify("Eleve", "E1", {"ENTEleveGroupes": ["S1$CHORALE"]}))

    assert {row[2:] for row in _groups("T1")} == {
        ("classe", "5E1"),
        ("classe", "4A"),
        ("classe", "3B"),
    }
    assert _groups("E1") == {(UAI_A, Profile.PUPIL, "groupe", "CHORALE")}
    assert Membership.objects.get(person__external_id="E1").class_name == "5E1"


def test_a_delta_that_changes_the_profile_keeps_the_classes_as_the_full_file(
    tmp_path: Path,
) -> None:
    """No longer before pupils: « Enseignant » becomes « Personnel » in S1, and the classes and
    group named by the full file go to that membership, not away with the old one."""
    _full(tmp_path / "full")
    expected = {
        (UAI_A, Profile.ADMIN_STAFF, "classe", "5E1"),
        (UAI_A, Profile.ADMIN_STAFF, "classe", "4A"),
        (UAI_B, Profile.DOCUMENTALIST, "classe", "3B"),
        (UAI_A, Profile.ADMIN_STAFF, "groupe", "LATIN"),
    }
    teaches = {"PersEducNatPresenceDevantEleves": ["N"]}
    report = _delta(tmp_path / "full", "PersEducNat", modify("PersEducNat", "T1", teaches))
    assert report.errors == []
    assert _groups("T1") == expected
    # The full file with the same final values finds these rows where it would put them.
    final = _teacher(classes=TEACHER_CLASSES, groups=["S1$LATIN"], teaches=False)
    report = _full(tmp_path / "again", teacher=final)
    assert _groups("T1") == expected
    assert report.by_type["PersEducNat"].updated == 0  # nothing left for it to change


def test_the_groups_go_with_the_membership_a_full_file_ends(tmp_path: Path) -> None:
    _full(tmp_path)
    assert (UAI_B, Profile.DOCUMENTALIST, "classe", "3B") in _groups("T1")

    report = _full(  # no longer in S2, but still naming a class there
        tmp_path, teacher=staff("T1", "DURAND", "Paul", classes=["S1$4A", "S2$3B"])
    )

    assert _groups("T1") == {(UAI_A, Profile.TEACHER, "classe", "4A")}
    assert not Membership.objects.filter(person__external_id="T1", establishment__uai=UAI_B)
    assert [e for e in report.errors if "« 3B » ignorée" in e] != []


def test_it_reports_malformed_values_and_keeps_the_others(tmp_path: Path) -> None:
    report = _full(
        tmp_path,
        teacher=_teacher(
            classes=["5E1", "S1$", "S9$4A", "S1$" + "X" * 51, "S1$4A"],
            groups=["$LATIN"],
        ),
        pupils=[pupil("E1", "MARTIN", "Camille", school="S1", groups=["S2$ANGLAIS", "S1$LATIN"])],
    )

    assert report.by_type["PersEducNat"].created == 1
    assert report.by_type["Eleve"].created == 1
    assert _groups("T1") == {(UAI_A, Profile.TEACHER, "classe", "4A")}
    assert _groups("E1") == {(UAI_A, Profile.PUPIL, "groupe", "LATIN")}
    errors = "\n".join(report.errors)
    assert len(report.errors) == 6, errors
    assert (
        "ENT_Complet_20250901_PersEducNat_0001.xml, enregistrement T1 : valeur ENTAuxEnsClasses "
        "« 5E1 » ignorée : « établissement$nom » attendu."
    ) in report.errors
    assert "valeur ENTAuxEnsClasses « S1$ » ignorée" in errors
    assert "« S9$4A » ignorée : établissement inconnu (S9)." in errors
    assert "nom trop long (51 caractères, 50 au plus)" in errors
    assert "valeur ENTAuxEnsGroupes « $LATIN » ignorée" in errors
    assert (
        "enregistrement E1 : valeur ENTEleveGroupes « ANGLAIS » ignorée : la personne n'est pas "
        "rattachée à cet établissement."
    ) in errors
