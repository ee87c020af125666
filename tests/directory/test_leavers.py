"""People who left: when an account was deactivated (``Person.deactivated_at``), and the deletion
of those deactivated longer than ``SOCLE_DEACTIVATED_RETENTION_DAYS`` (socle.directory.leavers)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from socle.directory import leavers
from socle.directory.aaf.importer import import_aaf
from socle.directory.models import Membership, ParentLink, Person
from socle.directory.signals import person_deactivated
from tests.directory.aaf_helpers import delete, pupil, relative, school_files, write
from tests.directory.helpers import run, write_csv
from tests.factories import make_establishment, make_membership, make_parent_link, make_person

CSV = """
profil;nom;prenom;date_naissance;classe;identifiant_externe;enfants
élève;Martin;Camille;2012-03-04;5E1;E1;
élève;Bernard;Lucas;2010-01-01;3E1;E4;
"""
CSV_WITHOUT_LUCAS = """
profil;nom;prenom;date_naissance;classe;identifiant_externe;enfants
élève;Martin;Camille;2012-03-04;4E1;E1;
"""


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def make_leaver(first_name: str, days: int, **fields: Any) -> Person:
    person = make_person(first_name, "Parti", is_active=False, **fields)
    Person.objects.filter(pk=person.pk).update(deactivated_at=days_ago(days))
    return person


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("retention_purge", *args, stdout=out)
    return out.getvalue()


def test_an_aaf_full_file_dates_the_deactivation_and_a_return_clears_it(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "day1"))
    before = timezone.now()
    import_aaf(
        school_files(
            tmp_path / "day2",
            date="20250902",
            pupils=[pupil("E1", "MARTIN", "Camille", relatives=["R1$1$1$1$1$0"])],
            relatives=[relative("R1", "MARTIN", "Sophie")],
        )
    )
    leo = Person.objects.get(external_id="E2")
    assert not leo.is_active and leo.deactivated_at is not None and leo.deactivated_at >= before
    assert Person.objects.get(external_id="E1").deactivated_at is None
    import_aaf(school_files(tmp_path / "day3", date="20250903"))
    leo.refresh_from_db()
    assert leo.is_active and leo.deactivated_at is None


def test_an_aaf_delta_deletion_dates_the_deactivation(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "full"))
    write(tmp_path / "delta", "ENT_Delta_20250915_Eleve_0001.xml", [delete("Eleve", "E2")])
    import_aaf(tmp_path / "delta")
    assert Person.objects.get(external_id="E2").deactivated_at is not None


def test_a_full_csv_dates_the_deactivation_and_a_return_clears_it(tmp_path: Path) -> None:
    school = make_establishment()
    run("directory_import", str(write_csv(tmp_path, CSV, name="a.csv")), uai=school.uai)
    path = write_csv(tmp_path, CSV_WITHOUT_LUCAS, name="b.csv")
    run("directory_import", str(path), "--complet", uai=school.uai)
    lucas = Person.objects.get(external_id="E4")
    assert not lucas.is_active and lucas.deactivated_at is not None
    run("directory_import", str(write_csv(tmp_path, CSV, name="c.csv")), uai=school.uai)
    lucas.refresh_from_db()
    assert lucas.is_active and lucas.deactivated_at is None


def test_saving_a_person_inactive_dates_it_once_and_active_clears_it() -> None:
    person = make_person()
    assert person.deactivated_at is None
    person.is_active = False
    person.save(update_fields=["is_active"])
    person.refresh_from_db()
    first = person.deactivated_at
    assert first is not None
    person.first_name = "Camila"
    person.save()  # still inactive: the date of the deactivation stays
    person.refresh_from_db()
    assert person.deactivated_at == first
    person.is_active = True
    person.save(update_fields=["is_active"])
    person.refresh_from_db()
    assert person.deactivated_at is None


def test_a_deactivation_signalled_without_a_date_gets_one() -> None:
    person = make_person()
    Person.objects.filter(pk=person.pk).update(is_active=False)
    person_deactivated.send(sender=Person, person=person)
    person.refresh_from_db()
    assert person.deactivated_at is not None


def test_the_upgrade_dates_the_people_already_inactive_at_its_time() -> None:
    from importlib import import_module

    migration = import_module("socle.directory.migrations.0009_person_deactivated_at")
    gone = make_person("Lucas", "Bernard", is_active=False)
    stays = make_person()
    Person.objects.filter(pk=gone.pk).update(deactivated_at=None)
    before = timezone.now()

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.date_the_inactive(apps, editor)
    gone.refresh_from_db()
    stays.refresh_from_db()
    assert gone.deactivated_at is not None and gone.deactivated_at >= before
    assert stays.deactivated_at is None


def test_the_purge_deletes_people_deactivated_longer_than_the_retention(settings: Any) -> None:
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = 395
    school = make_establishment()
    old = make_leaver("Lucas", 396, establishment=school)
    parent = make_person("Julie", "Bernard", establishment=school, profile="National_TUT")
    make_parent_link(parent, old)
    recent = make_leaver("Léo", 394)
    active = make_person()
    Person.objects.filter(pk=active.pk).update(deactivated_at=days_ago(1000))  # stale: active
    output = purge()
    assert not Person.objects.filter(pk=old.pk).exists()
    assert not Membership.objects.filter(person_id=old.pk).exists()
    assert not ParentLink.objects.filter(child_id=old.pk).exists()
    assert set(Person.objects.values_list("pk", flat=True)) == {parent.pk, recent.pk, active.pk}
    assert "comptes désactivés depuis plus de SOCLE_DEACTIVATED_RETENTION_DAYS : 1" in output


def test_the_purge_deletes_no_one_when_the_retention_is_zero(settings: Any) -> None:
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = 0
    leaver = make_leaver("Lucas", 5000)
    purge()
    assert Person.objects.filter(pk=leaver.pk).exists()


def test_a_dry_run_counts_the_leavers_and_deletes_none(settings: Any) -> None:
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = 30
    leaver = make_leaver("Lucas", 31)
    output = purge("--dry-run")
    assert "comptes désactivés depuis plus de SOCLE_DEACTIVATED_RETENTION_DAYS : 1" in output
    assert Person.objects.filter(pk=leaver.pk).exists()


def test_the_purge_goes_by_batches_and_prints_its_progress(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = 30
    monkeypatch.setattr(leavers, "BATCH", 2)
    for name in ("Ana", "Bob", "Cléo"):
        make_leaver(name, 31)
    output = purge()
    assert "2 sur 3…" in output and "3 sur 3…" in output
    assert not Person.objects.filter(is_active=False).exists()
    assert purge("-v", "0") == ""


def test_an_interrupted_purge_leaves_each_batch_whole(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = 30
    monkeypatch.setattr(leavers, "BATCH", 1)
    first = make_leaver("Ana", 31)
    second = make_leaver("Bob", 31)
    school = make_establishment()
    make_membership(second, school, profile="National_ELV")
    calls: list[int] = []

    def interrupted(done: int, total: int) -> None:
        calls.append(done)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        leavers.purge_leavers(False, progress=interrupted)
    assert calls == [1]
    assert not Person.objects.filter(pk=first.pk).exists()
    assert Person.objects.filter(pk=second.pk).exists()
    assert Membership.objects.filter(person=second).exists()
    assert leavers.purge_leavers(False) == 1  # the next run goes on


def test_a_person_reactivated_before_the_purge_stays(settings: Any) -> None:
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = 30
    leaver = make_leaver("Lucas", 31)
    leaver.is_active = True
    leaver.save()
    purge()
    assert Person.objects.filter(pk=leaver.pk).exists()
