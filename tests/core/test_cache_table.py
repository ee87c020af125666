"""``socle migrate`` creates the database cache table (used without Redis): a node started with
``socle serve --no-prepare`` after a deployment job migrated finds it, instead of answering 500
to every login. ``/healthz`` says when it is missing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from django.core.management import call_command

from tests.core.cli import run_socle


def test_socle_migrate_creates_the_cache_table(tmp_path: Path):
    result = run_socle(tmp_path, "migrate", "--no-input", timeout=120)
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
