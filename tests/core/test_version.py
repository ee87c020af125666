"""Socle's version where operators read it: ``socle --version`` (docs/release.md)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import django
import pytest
from django.test import Client

import socle
from tests.core.cli import UNSET, run_socle
from tests.factories import make_person

ROOT = Path(__file__).resolve().parents[2]


def project_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def test_it_prints_socles_version_with_no_setting_at_all(tmp_path: Path) -> None:
    for spelling in (["--version"], ["version"], ["migrate", "--version"]):
        result = run_socle(tmp_path, *spelling, SOCLE_SECRET_KEY=UNSET)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"socle {project_version()} (Django "), result.stdout
        assert django.get_version() in result.stdout and result.stderr == ""


def test_it_reads_the_version_of_a_source_checkout_from_its_pyproject(tmp_path: Path) -> None:
    assert socle.__version__ == socle.version() == project_version()
    assert socle._checkout_version(ROOT / "pyproject.toml") == project_version()
    other = tmp_path / "pyproject.toml"
    other.write_text('[project]\nname = "autre"\nversion = "9.9"\n')
    assert socle._checkout_version(other) == "0+unknown"
    assert socle._checkout_version(tmp_path / "absent.toml") == "0+unknown"


@pytest.mark.django_db
def test_the_django_admin_shows_socles_version_in_its_footer() -> None:
    admin = make_person("Alex", "Admin", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    page = browser.get("/django-admin/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'<p class="socle-version">Socle {project_version()}</p>' in body
    assert "Administration de Django" not in body  # Django's page, Socle's header kept
