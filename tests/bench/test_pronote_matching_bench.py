"""bench/pronote_matching.py still runs end to end against the current code (a small school, both
plain and in an envelope): a refactor that moves what it imports breaks `make bench` otherwise,
long after the change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "pronote_matching.py"


@pytest.mark.slow
def test_it_imports_a_small_school_plain_and_in_an_envelope(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603 - the project's own script, fixed arguments
        [
            sys.executable,
            str(BENCH),
            "--only",
            "school,school-envelope",
            "--per-school",
            "120",
            "--keep",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| school")]
    assert len(rows) == 2, done.stdout
