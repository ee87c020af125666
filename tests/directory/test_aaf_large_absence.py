"""A full AAF file that would deactivate more than half of its kind's accounts (and more than
ten) most likely lost a part — a missing last part cannot be told from the file names: nothing
is deactivated, the report says why, and ``--force`` applies it when the departures are real."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from socle.directory.aaf.importer import import_aaf
from socle.directory.models import Person
from tests.directory.aaf_helpers import UAI_B, pupil, school_files

PUPILS = [pupil(f"E{n}", "ELEVE", f"Numero{n}") for n in range(1, 25)]


def first_half(tmp_path: Path, name: str) -> Path:
    return school_files(tmp_path / name, date="20250902", pupils=PUPILS[:8])


def test_it_deactivates_nobody_when_more_than_half_would_go(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "day1", pupils=PUPILS))
    report = import_aaf(first_half(tmp_path, "day2"))
    assert Person.objects.filter(external_id__startswith="E", is_active=False).count() == 0
    assert report.by_type["Eleve"].deactivated == 0
    (error,) = [e for e in report.errors if "plus de la moitié" in e]
    assert "16 comptes sur 24, absents de ce fichier complet, seraient désactivés" in error
    assert "relancez l'import avec --force" in error


def test_force_applies_them(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "day1", pupils=PUPILS))
    report = import_aaf(first_half(tmp_path, "day2"), force=True)
    assert Person.objects.filter(external_id__startswith="E", is_active=False).count() == 16
    assert report.by_type["Eleve"].deactivated == 16


def test_a_usual_september_turnover_goes_through(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "day1", pupils=PUPILS))
    report = import_aaf(school_files(tmp_path / "day2", date="20250902", pupils=PUPILS[6:]))
    assert report.by_type["Eleve"].deactivated == 6  # a quarter left: not a lost part
    assert not [e for e in report.errors if "plus de la moitié" in e]


def test_the_command_fails_then_forces(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "day1", pupils=PUPILS))
    with pytest.raises(CommandError):
        call_command(
            "directory_import",
            str(first_half(tmp_path, "day2")),
            "--format",
            "aaf",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not Person.objects.filter(is_active=False).exists()
    call_command(
        "directory_import",
        str(first_half(tmp_path, "day3")),
        "--format",
        "aaf",
        "--force",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert Person.objects.filter(external_id__startswith="E", is_active=False).count() == 16


def test_force_is_for_aaf_only(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("nom;prenom\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--force ne s'emploie qu'avec le format AAF"):
        call_command("directory_import", str(path), "--force", stdout=io.StringIO())


def test_it_deactivates_nobody_when_one_school_would_lose_more_than_half(tmp_path: Path) -> None:
    # A region's export lacking one school's pupils: well under half of the region's pupils,
    # but every pupil of that school (it deactivated them all, exit status 0).
    region = [pupil(f"A{n}", "ELEVE", f"Alpha{n}") for n in range(1, 41)]
    voltaire = [pupil(f"V{n}", "ELEVE", f"Volt{n}", school="S2", klass="4A") for n in range(1, 13)]
    import_aaf(school_files(tmp_path / "day1", pupils=region + voltaire))
    report = import_aaf(school_files(tmp_path / "day2", date="20250902", pupils=region))
    assert not Person.objects.filter(external_id__startswith="V", is_active=False).exists()
    assert report.by_type["Eleve"].deactivated == 0
    (error,) = [e for e in report.errors if "plus de la moitié" in e]
    assert f"12 comptes sur 12 de l'établissement {UAI_B}, absents de ce fichier complet" in error
    assert "relancez l'import avec --force" in error

    forced = import_aaf(school_files(tmp_path / "day3", date="20250903", pupils=region), force=True)
    assert forced.by_type["Eleve"].deactivated == 12


def test_a_few_leavers_of_a_small_school_go_through(tmp_path: Path) -> None:
    region = [pupil(f"A{n}", "ELEVE", f"Alpha{n}") for n in range(1, 41)]
    voltaire = [pupil(f"V{n}", "ELEVE", f"Volt{n}", school="S2", klass="4A") for n in range(1, 13)]
    import_aaf(school_files(tmp_path / "day1", pupils=region + voltaire))
    report = import_aaf(
        school_files(tmp_path / "day2", date="20250902", pupils=region + voltaire[:4])
    )
    assert report.by_type["Eleve"].deactivated == 8  # more than half, but not more than ten
    assert not [e for e in report.errors if "plus de la moitié" in e]
