"""A block by hand (socle.directory.blocking): the account cannot log in until it is lifted or
its date has passed, and neither the CSV nor the AAF import lifts it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from socle.directory import blocking
from socle.directory.aaf.importer import import_aaf
from socle.directory.leavers import expired_leavers
from socle.directory.models import Person, Source
from socle.directory.signals import person_deactivated
from tests.directory.aaf_helpers import pupil, relative, school_files, staff
from tests.directory.helpers import run, write_csv
from tests.factories import make_establishment, make_person

JAURES = "0312609T"
HEADER = "profil;nom;prenom;date_naissance;classe;identifiant_externe;enfants;mot_de_passe"
FILE = f"""
{HEADER}
élève;Martin;Camille;2012-03-04;5E1;E1;;
élève;Bernard;Lucas;2010-01-01;3E1;E4;;
"""
WITHOUT_LUCAS = f"""
{HEADER}
élève;Martin;Camille;2012-03-04;5E1;E1;;
"""


@pytest.fixture
def admin() -> Person:
    return make_person("Anne", "Leroy", is_superuser=True)


def _import(tmp_path: Path, text: str, *args: str) -> str:
    out, _err = run("directory_import", str(write_csv(tmp_path, text)), *args, uai=JAURES)
    return out


def test_a_block_deactivates_the_account_and_ends_its_sessions(admin: Person) -> None:
    pupil = make_person("Camille", "Martin", establishment=make_establishment(JAURES))
    ended: list[str] = []
    person_deactivated.connect(
        lambda person, **kw: ended.append(person.login), weak=False, dispatch_uid="block-test"
    )
    try:
        blocking.block(pupil, by=admin, until=dt.date(2027, 1, 15), reason="  charte  ")
    finally:
        person_deactivated.disconnect(dispatch_uid="block-test")
    assert ended == [pupil.login]
    pupil.refresh_from_db()
    assert not pupil.is_active and pupil.blocked_by == admin
    assert (pupil.blocked_until, pupil.block_reason) == (dt.date(2027, 1, 15), "charte")
    assert pupil.blocked_at is not None and pupil.active_when_unblocked


def test_it_unblocks_to_what_the_imports_want(admin: Person) -> None:
    pupil = make_person("Camille", "Martin")
    blocking.block(pupil, by=admin)
    assert blocking.unblock(pupil, by=admin)
    pupil.refresh_from_db()
    assert pupil.is_active and pupil.blocked_at is None and pupil.deactivated_at is None
    assert not blocking.unblock(pupil, by=admin)  # not blocked any more
    left = make_person("Lucas", "Bernard", is_active=False)
    blocking.block(left, by=admin)
    blocking.unblock(left, by=admin)
    left.refresh_from_db()
    assert not left.is_active  # deactivated by an import before its block: still so


def test_a_block_ends_by_itself_after_its_last_day(admin: Person) -> None:
    pupil = make_person("Camille", "Martin")
    today = timezone.localdate()
    blocking.block(pupil, by=admin, until=today)
    assert not blocking.block_over(pupil)  # the last day is included
    assert not blocking.end_if_over(pupil)
    assert blocking.block_over(pupil, today + dt.timedelta(days=1))
    assert blocking.end_if_over(pupil, today + dt.timedelta(days=1))
    assert pupil.is_active and Person.objects.get(pk=pupil.pk).is_active
    forever = make_person("Léo", "Martin")
    blocking.block(forever, by=admin)  # no date: until lifted by hand
    assert not blocking.block_over(forever, today + dt.timedelta(days=3650))


def test_it_tells_a_block_still_running_from_one_past_its_date(admin: Person) -> None:
    pupil = make_person("Camille", "Martin")
    today = timezone.localdate()
    assert not blocking.blocked_now(pupil)
    blocking.block(pupil, by=admin, until=today)
    assert blocking.blocked_now(pupil) and blocking.blocked_now(pupil, today)
    assert not blocking.blocked_now(pupil, today + dt.timedelta(days=1))


def test_a_csv_import_leaves_a_hand_block_in_place(tmp_path: Path, admin: Person) -> None:
    make_establishment(JAURES)
    _import(tmp_path, FILE)
    camille = Person.objects.get(external_id="E1")
    blocking.block(camille, by=admin, reason="usurpation")
    out = _import(tmp_path, FILE)
    camille.refresh_from_db()
    assert not camille.is_active and camille.blocked_at is not None
    assert "Comptes bloqués à la main, laissés bloqués : 1." in out
    blocking.unblock(camille, by=admin)
    assert Person.objects.get(pk=camille.pk).is_active


def test_a_csv_account_blocked_after_it_was_deactivated_by_the_import_stays_blocked(
    tmp_path: Path, admin: Person
) -> None:
    make_establishment(JAURES)
    _import(tmp_path, FILE)
    _import(tmp_path, WITHOUT_LUCAS, "--complet")
    lucas = Person.objects.get(external_id="E4")
    assert not lucas.is_active and lucas.source == Source.CSV
    blocking.block(lucas, by=admin)
    out = _import(tmp_path, FILE)  # listed again: an unblocked account would come back
    lucas.refresh_from_db()
    assert not lucas.is_active and "laissés bloqués : 1." in out
    assert lucas.active_when_unblocked  # the file wants it: active once unblocked
    blocking.unblock(lucas, by=admin)
    assert Person.objects.get(pk=lucas.pk).is_active


def test_a_full_csv_file_that_leaves_a_blocked_pupil_out_deactivates_them_for_after(
    tmp_path: Path, admin: Person
) -> None:
    make_establishment(JAURES)
    _import(tmp_path, FILE)
    lucas = Person.objects.get(external_id="E4")
    blocking.block(lucas, by=admin)
    _import(tmp_path, WITHOUT_LUCAS, "--complet")
    lucas.refresh_from_db()
    assert lucas.blocked_at is not None and not lucas.active_when_unblocked
    assert not lucas.memberships.exists()  # left the school, as an active pupil would
    blocking.unblock(lucas, by=admin)
    assert not Person.objects.get(pk=lucas.pk).is_active


def test_an_aaf_import_leaves_a_hand_block_in_place(tmp_path: Path, admin: Person) -> None:
    import_aaf(school_files(tmp_path / "day1"))
    camille = Person.objects.get(external_id="E1")
    blocking.block(camille, by=admin, until=dt.date(2099, 6, 30))
    report = import_aaf(school_files(tmp_path / "day2", date="20250902"))
    camille.refresh_from_db()
    assert not camille.is_active and camille.blocked_until == dt.date(2099, 6, 30)
    assert "Comptes bloqués à la main, laissés bloqués : 1." in "\n".join(report.lines())


def test_it_counts_a_blocked_teacher_who_is_also_a_parent_once(
    tmp_path: Path, admin: Person
) -> None:
    files = {
        "staff_records": [staff("T1", "DURAND", "Paul")],
        "pupils": [pupil("E1", "DURAND", "Lou", relatives=["T1$1$0$1$0$0"])],
        "relatives": [relative("T1", "DURAND", "Paul", title="M.")],
    }
    import_aaf(school_files(tmp_path / "day1", **files))  # type: ignore[arg-type]
    blocking.block(Person.objects.get(external_id="T1"), by=admin)
    report = import_aaf(school_files(tmp_path / "day2", date="20250902", **files))  # type: ignore[arg-type]
    lines = "\n".join(report.lines())
    assert "Comptes bloqués à la main, laissés bloqués : 1." in lines  # one person, two files
    assert not Person.objects.get(external_id="T1").is_active


def test_the_retention_purge_keeps_a_blocked_account_the_imports_still_list(
    admin: Person,
) -> None:
    pupil = make_person("Camille", "Martin")
    blocking.block(pupil, by=admin)
    long_ago = timezone.now() - dt.timedelta(days=4000)
    Person.objects.filter(pk=pupil.pk).update(deactivated_at=long_ago)
    expired = expired_leavers()
    assert expired is not None and not expired.filter(pk=pupil.pk).exists()
    Person.objects.filter(pk=pupil.pk).update(active_when_unblocked=False)  # left meanwhile
    assert expired.filter(pk=pupil.pk).exists()


def test_a_blocked_pupil_is_still_of_the_school_for_pronote_and_the_relatives(
    admin: Person,
) -> None:
    from socle.directory.models import Membership
    from socle.directory.profiles import Profile
    from socle.directory.relatives import links_to_active_pupils
    from socle.pronote.directory_index import build_index
    from tests.factories import make_parent_link

    school = make_establishment(JAURES)
    pupil = make_person("Camille", "Martin", establishment=school, class_name="4A")
    parent = make_person("Nathalie", "Martin", establishment=school, profile=Profile.PARENT)
    make_parent_link(parent, pupil)
    gone = make_person("Lucas", "Bernard", establishment=school, is_active=False)
    blocking.block(pupil, by=admin)
    blocking.block(gone, by=admin)  # deactivated by an import before: not of the school
    assert list(links_to_active_pupils(school.pk).values_list("child_id", flat=True)) == [pupil.pk]
    index = build_index(school, frozenset({Profile.PUPIL, Profile.PARENT}))
    assert set(index.accounts) == {pupil.pk, parent.pk}
    assert Membership.objects.filter(person=gone).exists()
