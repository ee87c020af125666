"""Two PRONOTE imports of one school started at once (two administrators, a double upload, two
cron runs) on PostgreSQL: one wizard stays open, the other is interrupted, as when they come one
after the other. Each transaction used to see no open import and both stayed « en cours »."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.cli import socle_command, socle_env
from tests.pronote.test_views import PRONOTE_XML
from tests.scale import nodes

pytestmark = pytest.mark.slow
UAI = "0312609T"


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    url = nodes.create_database(postgres_url)
    yield url
    nodes.drop_database(postgres_url, url)


def test_one_import_of_a_school_stays_open_when_two_start_at_once(
    database: str, tmp_path: Path
) -> None:
    import psycopg

    env = socle_env(tmp_path, SOCLE_DATABASE_URL=database)

    def socle(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            socle_command(*args), env=env, cwd=tmp_path, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip

    for args in (("migrate", "-v0"), ("establishment_add", UAI, "Collège")):
        assert socle(*args).wait(timeout=180) == 0
    source = tmp_path / "IdPN_To_SOCLE.xml"
    source.write_text(PRONOTE_XML.format(uai=UAI), encoding="utf-8")
    imports = [
        socle("pronote_import", str(source), "--uai", UAI, "--mode", "complet") for _ in range(3)
    ]
    for process in imports:
        _out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
    with psycopg.connect(database) as conn:
        statuses = [s for (s,) in conn.execute("SELECT status FROM pronote_importsession")]
    assert sorted(statuses) == ["in_progress", "interrupted", "interrupted"]
