"""Socle's version where operators read it: ``socle --version`` (docs/release.md)."""

from __future__ import annotations

import tomllib
from importlib import metadata
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
    assert socle._checkout_version(other) is None
    assert socle._checkout_version(tmp_path / "absent.toml") is None


def checkout(root: Path, pyproject: str) -> Path:
    """A source checkout's layout in ``root``: its ``src/socle`` package directory."""
    package = root / "src" / "socle"
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text(pyproject)
    return package


def test_it_prefers_the_checkout_s_pyproject_to_an_older_editable_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a pull that bumps the version, the editable install's metadata still gives the
    version it was installed at: a checkout's pyproject.toml is read first."""
    monkeypatch.setattr(metadata, "version", lambda name: "1.0.0")
    package = checkout(tmp_path, '[project]\nname = "socle"\nversion = "1.1.0"\n')
    assert socle._version(package) == "1.1.0"
    installed = tmp_path / "site-packages" / "socle"  # a wheel's: no pyproject beside src/
    installed.mkdir(parents=True)
    assert socle._version(installed) == "1.0.0"


def test_it_falls_back_to_the_installed_version_when_the_pyproject_has_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metadata, "version", lambda name: "1.0.0")
    for number, text in enumerate(
        (
            '[project]\nname = "socle"\n',  # no version key: no KeyError
            '[project]\nname = "socle"\ndynamic = ["version"]\n',
            '[project]\nname = "autre"\nversion = "9.9"\n',
            "[project\n",  # not TOML
            '[tool.x]\nname = "socle"\n',  # no [project]
        )
    ):
        assert socle._version(checkout(tmp_path / str(number), text)) == "1.0.0", text

    def absent(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", absent)
    assert socle._version(checkout(tmp_path / "none", '[project]\nname = "socle"\n')) == (
        "0+unknown"
    )


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
