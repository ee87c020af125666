"""An upgrade on a database of the previous layout (each app one migration behind, with data):
``socle migrate --check`` says it is behind, ``socle serve --no-prepare`` refuses to serve it
(it would answer ``/healthz`` and fail every login), ``socle migrate`` brings it up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.cli import run_socle

# No release is tagged yet: the previous state an upgrade starts from is main at b415602
# (2026-12-04 21:36 UTC, before the merge of directory 0009), whose migrations these are; since
# then: directory 0009, portal 0008–0011, pronote 0004 (CHANGELOG.md, "Upgrading"). The former
# value went back to cas 0002 and pronote 0002, a state main never had (cas 0003 and pronote 0003
# came before portal 0007).
PREVIOUS = {"directory": "0008", "portal": "0007", "cas": "0003", "pronote": "0003"}


@pytest.mark.slow
def test_it_detects_refuses_and_applies_the_migrations_of_an_upgrade(tmp_path: Path):
    database = {"SOCLE_DATABASE_URL": f"sqlite:///{tmp_path / 'socle.sqlite3'}"}
    assert run_socle(tmp_path, "migrate", "-v", "0", **database).returncode == 0
    created = run_socle(
        tmp_path, "establishment_add", "0312609T", "Collège Jean Jaurès", **database
    )
    assert created.returncode == 0, created.stderr
    for app, migration in PREVIOUS.items():
        back = run_socle(tmp_path, "migrate", app, migration, "-v", "0", **database)
        assert back.returncode == 0, back.stderr

    assert run_socle(tmp_path, "migrate", "--check", **database).returncode == 1
    refused = run_socle(
        tmp_path,
        "serve",
        "--no-prepare",
        "--port",
        "1",
        SOCLE_ADMISSION_DIR=str(tmp_path / "admission"),
        **database,
    )
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "La base de données n'est pas à jour (6 migration(s) à appliquer) : lancez « socle "
        "migrate » avant « socle serve --no-prepare », ou démarrez sans --no-prepare."
    )

    assert run_socle(tmp_path, "migrate", "-v", "0", **database).returncode == 0
    assert run_socle(tmp_path, "migrate", "--check", **database).returncode == 0
    printed = "from socle.directory.models import Establishment as E; print(E.objects.get().name)"
    kept = run_socle(tmp_path, "shell", "-c", printed, **database)
    assert "Collège Jean Jaurès" in kept.stdout, kept.stderr
