"""A database that cannot be reached stops a command with one sentence naming it (never its
password) and the reason, instead of the driver's ``OperationalError`` traceback: Socle's own
commands (``SocleCommand``) and Django's (``socle migrate``, through ``socle.cli.main``)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.core.cli import run_socle


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "command", [("establishment_add", "0312609T", "Collège"), ("migrate", "--no-input")]
)
def test_it_names_a_sqlite_file_whose_folder_does_not_exist(tmp_path: Path, command):
    missing = tmp_path / "absent"
    result = run_socle(tmp_path, *command, SOCLE_DATA_DIR=str(missing))
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
    result = run_socle(tmp_path, *command, SOCLE_DATABASE_URL=url)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr
    assert f"postgres://socle@127.0.0.1:{port}/socle injoignable" in result.stderr
    assert "connexion refusée" in result.stderr


def test_it_speaks_english_when_asked(tmp_path: Path):
    missing = tmp_path / "absent"
    result = run_socle(
        tmp_path, "migrate", "--no-input", SOCLE_DATA_DIR=str(missing), SOCLE_LANGUAGE="en"
    )
    assert result.returncode == 1
    assert "cannot be reached" in result.stderr and "does not exist" in result.stderr
