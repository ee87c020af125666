"""``scripts/pronotesim-demo``: the public URL it gives pronotesim follows the publication root
as pronotesim reads it. The script runs for real, with stand-ins for ``python manage.py`` and
gunicorn (nothing is migrated nor served)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.demo.test_demo_script import environment_without_settings, run_script

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pronotesim-demo"
# Each stand-in writes its arguments to calls.log (in the directory the script's copy lives in).
STUB = '#!/bin/sh\necho "$(basename "$0") $*" >> "$(dirname "$0")/../../calls.log"\n'


def _stub(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(STUB)
    path.chmod(0o755)


@pytest.mark.parametrize(
    ("root", "url"),
    [
        ("/Pronote", "http://127.0.0.1:18126/Pronote/"),
        ("//Pronote/", "http://127.0.0.1:18126/Pronote/"),
        ("Pronote", "http://127.0.0.1:18126/Pronote/"),
        ("", "http://127.0.0.1:18126/pronote/"),
    ],
)
def test_it_strips_the_slashes_around_the_root_as_pronotesim_does(
    root: str, url: str, tmp_path: Path
) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "pronotesim").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts" / "pronotesim-demo")
    _stub(tmp_path / ".venv" / "bin" / "python")
    _stub(tmp_path / ".venv" / "bin" / "gunicorn")
    base = tmp_path / "base.json"
    base.write_text("{}")
    env = environment_without_settings() | {
        "PRONOTESIM_ROOT": root,
        "PRONOTESIM_DATA_DIR": str(tmp_path / "var"),
    }
    script = tmp_path / "scripts" / "pronotesim-demo"
    done = run_script(script, str(base), "--port", "18126", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    configure = next(
        line
        for line in (tmp_path / "calls.log").read_text().splitlines()
        if "configure_ent" in line
    )
    assert f"--public-url {url} " in configure, configure
    assert f"pronotesim : {url}  (administration : {url}administration/" in done.stdout
