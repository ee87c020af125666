"""``socle migrate`` creates the database cache table (used without Redis): a node started with
``socle serve --no-prepare`` after a deployment job migrated finds it, instead of answering 500
to every login. ``/healthz`` says when it is missing."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def test_socle_migrate_creates_the_cache_table(tmp_path: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SOCLE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        SOCLE_SECRET_KEY="cache-table-test-" + "k3y" * 20,
        SOCLE_DATA_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT / "src"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "socle", "migrate", "--no-input"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "socle.sqlite3") as database:
        tables = {name for (name,) in database.execute("SELECT name FROM sqlite_master")}
    assert "socle_cache" in tables


def _database_cache(settings, table: str) -> None:
    settings.SOCLE_REDIS_URL = ""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table}
    }


def test_healthz_checks_the_cache_table_without_redis(client, settings):
    _database_cache(settings, "socle_cache")
    call_command("createcachetable")  # the test database was migrated with Redis in some runs
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content)["checks"]["cache"]["ok"] is True


def test_healthz_answers_503_when_the_cache_table_is_missing(client, settings):
    _database_cache(settings, "socle_cache_never_created")
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = json.loads(response.content)["checks"]
    assert checks["cache"]["ok"] is False and checks["database"]["ok"] is True
