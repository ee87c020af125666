"""An upgrade on a database of the previous layout (each app one migration behind, with data):
``socle migrate --check`` says it is behind, ``socle serve --no-prepare`` refuses to serve it
(it would answer ``/healthz`` and fail every login), ``socle migrate`` brings it up to date, and
so does the first plain ``socle serve``, which then serves it (logins included)."""

from __future__ import annotations

import http.cookiejar
import re
import signal
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.core.cli import run_socle
from tests.core.test_serve import _serve, free_port

# No release is tagged yet: the previous state an upgrade starts from is main at b415602
# (2026-12-04 21:36 UTC, before the merge of directory 0009), whose migrations these are; since
# then: directory 0009–0011, portal 0008–0012, pronote 0004 and core 0001 (CHANGELOG.md,
# "Upgrading"). The former value went back to cas 0002 and pronote 0002, a state main never had
# (cas 0003 and pronote 0003 came before portal 0007).
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
        "La base de données n'est pas à jour (9 migration(s) à appliquer) : lancez « socle "
        "migrate » avant « socle serve --no-prepare », ou démarrez sans --no-prepare."
    )

    assert run_socle(tmp_path, "migrate", "-v", "0", **database).returncode == 0
    assert run_socle(tmp_path, "migrate", "--check", **database).returncode == 0
    printed = "from socle.directory.models import Establishment as E; print(E.objects.get().name)"
    kept = run_socle(tmp_path, "shell", "-c", printed, **database)
    assert "Collège Jean Jaurès" in kept.stdout, kept.stderr


def _previous_database(tmp_path: Path, database: dict[str, str]) -> None:
    """A database at ``PREVIOUS``, holding an establishment and an administrator."""
    assert run_socle(tmp_path, "migrate", "-v", "0", **database).returncode == 0
    created = run_socle(
        tmp_path, "establishment_add", "0312609T", "Collège Jean Jaurès", **database
    )
    assert created.returncode == 0, created.stderr
    admin = run_socle(
        tmp_path,
        "createsuperuser",
        "--noinput",
        "--login",
        "admin",
        DJANGO_SUPERUSER_PASSWORD="upgrade-admin-2026",
        **database,
    )
    assert admin.returncode == 0, admin.stderr
    for app, migration in PREVIOUS.items():
        back = run_socle(tmp_path, "migrate", app, migration, "-v", "0", **database)
        assert back.returncode == 0, back.stderr
    assert run_socle(tmp_path, "migrate", "--check", **database).returncode == 1


def _logs_in(port: int, login: str, password: str) -> bool:
    """Whether a password login on the node succeeds (« Vous êtes connecté », no service)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f"http://127.0.0.1:{port}/cas/login"
    with opener.open(url, timeout=10) as page:
        html = page.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = {"csrfmiddlewaretoken": token, "username": login, "password": password}
    with opener.open(url, urllib.parse.urlencode(form).encode(), timeout=30) as answer:
        return "<h1>Vous êtes connecté</h1>" in answer.read().decode()


@pytest.mark.slow
def test_it_migrates_a_previous_database_at_the_first_serve_and_serves_it(tmp_path: Path):
    database = {"SOCLE_DATABASE_URL": f"sqlite:///{tmp_path / 'socle.sqlite3'}"}
    _previous_database(tmp_path, database)

    port = free_port()
    server = _serve(tmp_path, port, **database)  # returns once /healthz answers
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as health:
            assert health.status == 200
            assert b'"status": "ok"' in health.read()
        assert _logs_in(port, "admin", "upgrade-admin-2026")
        assert not _logs_in(port, "admin", "not-the-password")
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Applying 9 migration(s) before serving" in output
    assert "9 migration(s) applied in" in output

    assert run_socle(tmp_path, "migrate", "--check", **database).returncode == 0
    printed = "from socle.directory.models import Establishment as E; print(E.objects.get().name)"
    kept = run_socle(tmp_path, "shell", "-c", printed, **database)
    assert "Collège Jean Jaurès" in kept.stdout, kept.stderr
