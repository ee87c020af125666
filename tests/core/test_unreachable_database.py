"""A database that cannot be reached stops a command with one sentence naming it (never its
password) and the reason, instead of the driver's ``OperationalError`` traceback: Socle's own
commands (``SocleCommand``) and Django's (``socle migrate``, through ``socle.cli.main``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _socle(tmp: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SOCLE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        {
            "SOCLE_SECRET_KEY": "unreachable-test-" + "k3y" * 20,
            "SOCLE_DATA_DIR": str(tmp),
            "PYTHONPATH": str(ROOT / "src"),
            **variables,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "socle", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
        timeout=60,
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "command", [("establishment_add", "0312609T", "Collège"), ("migrate", "--no-input")]
)
def test_it_names_a_sqlite_file_whose_folder_does_not_exist(tmp_path: Path, command):
    missing = tmp_path / "absent"
    result = _socle(tmp_path, *command, SOCLE_DATA_DIR=str(missing))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{missing / 'socle.sqlite3'} injoignable" in result.stderr
    assert f"le dossier {missing} n'existe pas" in result.stderr


@pytest.mark.parametrize(
    "command", [("establishment_add", "0312609T", "Collège"), ("migrate", "--no-input")]
)
def test_it_names_a_postgresql_server_that_refuses_the_connection(tmp_path: Path, command):
    port = _closed_port()
    url = f"postgres://socle:s3cret-pw@127.0.0.1:{port}/socle"
    result = _socle(tmp_path, *command, SOCLE_DATABASE_URL=url)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr
    assert f"postgres://socle@127.0.0.1:{port}/socle injoignable" in result.stderr
    assert "connexion refusée" in result.stderr


def test_it_speaks_english_when_asked(tmp_path: Path):
    missing = tmp_path / "absent"
    result = _socle(
        tmp_path, "migrate", "--no-input", SOCLE_DATA_DIR=str(missing), SOCLE_LANGUAGE="en"
    )
    assert result.returncode == 1
    assert "cannot be reached" in result.stderr and "does not exist" in result.stderr
