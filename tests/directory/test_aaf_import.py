import datetime as dt
from pathlib import Path

from socle.directory.aaf.importer import import_aaf
from socle.directory.models import Establishment, Membership, ParentLink, Person
from socle.directory.signals import person_deactivated
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


def _profiles(external_id: str) -> set[tuple[str, str, str]]:
    return {
        (m.establishment.uai, m.profile, m.class_name)
        for m in Membership.objects.filter(person__external_id=external_id)
    }


def test_a_full_export_creates_establishments_people_memberships_and_links(tmp_path: Path) -> None:
    report = import_aaf(school_files(tmp_path))
    assert not report.errors
    assert Establishment.objects.get(external_id="S1").uai == UAI_A
    camille = Person.objects.get(external_id="E1")
    assert (camille.login, camille.last_name, camille.birth_last_name) == (
        "camille.martin",
        "MARTIN",
        "MARTIN",
    )
    assert camille.birth_date == dt.date(2012, 3, 4)
    assert camille.source == "aaf" and not camille.has_usable_password()
    assert _profiles("E1") == {(UAI_A, "National_ELV", "5E1")}
    assert _profiles("E3") == {(UAI_B, "National_ELV", "4A")}
    links = {
        (link.parent.external_id, link.child.external_id): link
        for link in ParentLink.objects.select_related("parent", "child")
    }
    assert set(links) == {("R1", "E1"), ("R2", "E1"), ("R1", "E2"), ("R3", "E3")}
    assert links[("R1", "E1")].relation == "mere"
    assert (links[("R1", "E1")].financial, links[("R1", "E1")].contact) == (True, True)
    assert links[("R2", "E1")].relation == "pere" and links[("R2", "E1")].legal
    assert links[("R3", "E3")].relation == "mere"
    assert _profiles("R1") == {(UAI_A, "National_TUT", "")}
    assert _profiles("R3") == {(UAI_B, "National_TUT", "")}
    assert _profiles("T1") == {(UAI_A, "National_ENS", "")}
    assert _profiles("T2") == {(UAI_A, "National_DIR", "")}
    assert _profiles("T3") == {(UAI_A, "National_EVS", "")}
    assert _profiles("T4") == {(UAI_A, "National_ETA", "")}
    assert report.by_type["Eleve"].created == 3
    assert report.by_establishment[UAI_A].created == 2 + 4


def test_reading_the_same_export_again_changes_nothing(tmp_path: Path) -> None:
    folder = school_files(tmp_path)
    import_aaf(folder)
    before = list(Person.objects.order_by("pk").values_list("pk", "login", "updated_at"))
    memberships = list(Membership.objects.order_by("pk").values_list())
    links = list(ParentLink.objects.order_by("pk").values_list())
    report = import_aaf(folder)
    assert all(c.created == c.updated == c.deactivated == 0 for c in report.by_type.values())
    assert report.by_type["Eleve"].unchanged == 3
    assert list(Person.objects.order_by("pk").values_list("pk", "login", "updated_at")) == before
    assert list(Membership.objects.order_by("pk").values_list()) == memberships
    assert list(ParentLink.objects.order_by("pk").values_list()) == links


def test_a_full_file_deactivates_absent_accounts_without_deleting_them(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "day1"))
    received: list[Person] = []
    person_deactivated.connect(
        lambda person, **kw: received.append(person), weak=False, dispatch_uid="aaf-test"
    )
    try:
        report = import_aaf(
            school_files(
                tmp_path / "day2",
                date="20250902",
                pupils=[
                    pupil("E1", "MARTIN", "Camille", relatives=["R1$1$1$1$1$0"]),
                    pupil(
                        "E3", "DUBOIS", "Zoé", school="S2", klass="4A", relatives=["R3$10$0$1$0$0"]
                    ),
                ],
                relatives=[relative("R1", "MARTIN", "Sophie"), relative("R3", "DUBOIS", "Claire")],
            )
        )
    finally:
        person_deactivated.disconnect(dispatch_uid="aaf-test")
    leo = Person.objects.get(external_id="E2")
    jean = Person.objects.get(external_id="R2")
    assert not leo.is_active and not jean.is_active
    assert {p.external_id for p in received} == {"E2", "R2"}
    assert report.by_type["Eleve"].deactivated == 1
    assert report.by_type["PersRelEleve"].deactivated == 1
    assert "Comptes désactivés (absents d'un fichier complet ou supprimés par un delta) : 2" in (
        "\n".join(report.lines())
    )
    assert Person.objects.filter(external_id="E2").exists()  # never deleted
    assert not ParentLink.objects.filter(parent__external_id="R2").exists()
    # Léo comes back: reactivated.
    report = import_aaf(school_files(tmp_path / "day3", date="20250903"))
    assert Person.objects.get(external_id="E2").is_active
    assert report.by_type["Eleve"].updated == 1


def test_a_teacher_who_is_also_a_parent_keeps_the_account(tmp_path: Path) -> None:
    pupils = [pupil("E1", "DURAND", "Lou", relatives=["T1$1$0$1$0$0"])]
    import_aaf(school_files(tmp_path / "a", pupils=pupils, relatives=[]))
    assert {p for _, p, _ in _profiles("T1")} == {"National_ENS", "National_TUT"}
    report = import_aaf(
        school_files(tmp_path / "b", date="20250902", pupils=pupils, relatives=[], staff_records=[])
    )
    teacher = Person.objects.get(external_id="T1")
    assert teacher.is_active
    assert {p for _, p, _ in _profiles("T1")} == {"National_TUT"}
    assert report.memberships_ended == 1


def test_a_delta_applies_its_add_modify_and_delete_exactly(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "full"))
    delta = tmp_path / "delta"
    write(
        delta,
        "ENT_Delta_20250915_Eleve_0001.xml",
        [
            pupil("E9", "NOUVEAU", "Élise", klass="6E1"),
            modify("Eleve", "E1", {"sn": ["MARTIN-DUPONT"], "ENTEleveClasses": ["S1$4E2"]}),
            delete("Eleve", "E2"),
        ],
    )
    report = import_aaf(delta)
    assert not report.errors
    assert Person.objects.get(external_id="E9").login == "elise.nouveau"
    camille = Person.objects.get(external_id="E1")
    assert camille.last_name == "MARTIN-DUPONT" and camille.first_name == "Camille"
    assert _profiles("E1") == {(UAI_A, "National_ELV", "4E2")}
    assert not Person.objects.get(external_id="E2").is_active
    assert Person.objects.filter(is_active=False).count() == 1  # a delta deactivates no one else
    counts = report.by_type["Eleve"]
    assert (counts.created, counts.updated, counts.deactivated) == (1, 1, 1)
    again = import_aaf(delta)
    assert (again.by_type["Eleve"].created, again.by_type["Eleve"].updated) == (0, 0)
    assert again.by_type["Eleve"].deactivated == 0


def test_it_ends_the_parent_membership_of_relatives_whose_child_a_delta_deletes(
    tmp_path: Path,
) -> None:
    import_aaf(school_files(tmp_path / "full"))
    assert _profiles("R2") == {(UAI_A, "National_TUT", "")}
    delta = tmp_path / "delta"
    write(delta, "ENT_Delta_20251015_Eleve_0001.xml", [delete("Eleve", "E1")])
    report = import_aaf(delta)
    assert not report.errors
    assert _profiles("R2") == set()  # Camille was R2's only child: no parent of S1 any more
    assert _profiles("R1") == {(UAI_A, "National_TUT", "")}  # Léo is still at S1
    assert Person.objects.get(external_id="R2").is_active  # the PersRelEleve file decides that


def test_it_counts_a_delta_deletion_in_the_establishment_of_the_account(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "full"))
    delta = tmp_path / "delta"
    write(delta, "ENT_Delta_20251015_Eleve_0001.xml", [delete("Eleve", "E3")])
    report = import_aaf(delta)
    assert report.by_type["Eleve"].deactivated == 1
    assert report.by_establishment[UAI_B].deactivated == 1
    assert report.by_establishment[UAI_A].deactivated == 0


def test_a_malformed_record_is_reported_and_the_others_go_on(tmp_path: Path) -> None:
    folder = school_files(
        tmp_path,
        pupils=[
            pupil("E1", "MARTIN", "Camille"),
            pupil("E2", "MARTIN", "Léo", born="31/02/2012"),
            pupil("E3", "DUBOIS", "Zoé", school="S404"),
            pupil("E4", "", "Sans nom"),
            pupil("E5", "PETIT", "Lina"),
        ],
        relatives=[],
    )
    report = import_aaf(folder)
    assert set(
        Person.objects.filter(external_id__startswith="E").values_list("external_id", flat=True)
    ) == {"E1", "E5"}
    text = "\n".join(report.errors)
    assert "ENT_Complet_20250901_Eleve_0001.xml, enregistrement E2 : date de naissance" in text
    assert "enregistrement E3 : établissement inconnu (S404)" in text
    assert "enregistrement E4 : sn absent" in text
    assert report.by_type["Eleve"].errors == 3


def test_a_malformed_file_stops_that_file_only(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "day1"))
    folder = school_files(tmp_path / "day2", date="20250902", pupils=[])
    broken = folder / "ENT_Complet_20250902_Eleve_0001.xml"
    broken.write_text(
        broken.read_text().replace("</ficAlimMENESR>", "")
        + pupil("E7", "X", "Y")
        + "<addRequest><identifier>"
    )
    report = import_aaf(folder)
    assert report.files_failed == ["ENT_Complet_20250902_Eleve_0001.xml"]
    assert "fichier rejeté" in report.errors[0]
    assert not Person.objects.filter(external_id="E7").exists()
    # The pupils of day 1 are not deactivated by the unreadable full file...
    assert Person.objects.get(external_id="E1").is_active
    assert any("Désactivations non appliquées" in note for note in report.notes)
    # ...while the other files were read.
    assert "ENT_Complet_20250902_PersEducNat_0001.xml" in report.files_read


def test_it_deactivates_no_one_for_a_full_group_with_a_missing_part(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "y1"))
    y2 = tmp_path / "y2"
    school_files(y2, date="20260901", pupils=[pupil("E1", "MARTIN", "Camille")])
    (y2 / "ENT_Complet_20260901_Eleve_0001.xml").rename(y2 / "ENT_Complet_20260901_Eleve_0003.xml")
    write(y2, "ENT_Complet_20260901_Eleve_0001.xml", [pupil("E2", "MARTIN", "Léo", klass="6E2")])
    report = import_aaf(y2)  # part 0002 (Zoé's) was lost on the way
    assert Person.objects.get(external_id="E3").is_active
    assert report.by_type["Eleve"].deactivated == 0
    assert report.failed
    assert report.errors == [
        "ENT 20260901 Eleve : partie(s) 0002 manquante(s) ; les comptes absents de ce fichier "
        "complet n'ont pas été désactivés."
    ]


def test_a_file_with_another_root_is_malformed(tmp_path: Path) -> None:
    write(tmp_path, "ENT_Complet_20250901_Eleve_0001.xml", [pupil("E1", "A", "B")], root="autre")
    report = import_aaf(tmp_path)
    assert report.files_failed and "élément racine ficAlimMENESR attendu" in report.errors[0]


def test_an_empty_file_is_said_empty_in_french(tmp_path: Path) -> None:
    """A zero-byte file (a transfer cut short, a full disk at the academy): libxml2's English
    « no element found » at « ligne 0 » said nothing useful."""
    import_aaf(school_files(tmp_path / "day1"))
    folder = school_files(tmp_path / "day2", date="20250902")
    (folder / "ENT_Complet_20250902_Eleve_0001.xml").write_bytes(b"")
    report = import_aaf(folder)
    assert report.errors[0] == (
        "ENT_Complet_20250902_Eleve_0001.xml : fichier rejeté, rien n'en a été importé (fichier "
        "vide : transfert interrompu ou disque plein à l'écriture ?)"
    )
    assert Person.objects.get(external_id="E1").is_active  # no deactivation from it


def test_it_reads_iso_8859_1_files(tmp_path: Path) -> None:
    folder = school_files(tmp_path, pupils=[], relatives=[], staff_records=[])
    write(
        folder,
        "ENT_Complet_20250901_PersEducNat_0001.xml",
        [staff("T1", "LEFÈVRE", "Hélène", mail="helene.lefevre@ac-toulouse.fr")],
        encoding="ISO-8859-1",
    )
    assert (
        "LEFÈVRE".encode("latin-1")
        in (folder / "ENT_Complet_20250901_PersEducNat_0001.xml").read_bytes()
    )
    report = import_aaf(folder)
    assert not report.errors
    person = Person.objects.get(external_id="T1")
    assert (person.last_name, person.first_name, person.login) == (
        "LEFÈVRE",
        "Hélène",
        "helene.lefevre",
    )
    assert person.email == "helene.lefevre@ac-toulouse.fr"


def test_the_first_full_import_then_a_delta_for_relatives(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "full"))
    delta = tmp_path / "delta"
    write(
        delta,
        "ENT_Delta_20250915_PersRelEleve_0001.xml",
        [
            modify("PersRelEleve", "R1", {"mail": ["sophie@example.org"]}),
            modify("PersRelEleve", "R404", {"mail": ["x@example.org"]}),
        ],
    )
    report = import_aaf(delta)
    assert Person.objects.get(external_id="R1").email == "sophie@example.org"
    assert "enregistrement R404 : modification d'une personne inconnue." in report.errors[0]
