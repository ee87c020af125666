"""``scripts/demo`` (``make demo``): its ports come from ``SOCLE_DEMO_PORT``,
``SOCLE_DEMO_PRONOTE_PORT`` and ``SOCLE_DEMO_PRONOTE2_PORT``, so that the demo runs beside another
one. The script runs for real,
with stand-ins for the commands it starts (the demo itself is not run)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "demo"


def run_script(
    script: Path, *args: str, env: dict[str, str], cwd: Path, timeout: int = 60
) -> subprocess.CompletedProcess[str]:
    """Runs a shell script of the project for real (its output captured, its code not checked)."""
    return subprocess.run(  # noqa: S603
        ["bash", str(script), *args],  # noqa: S607
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )


def environment_without_settings() -> dict[str, str]:
    """This process's environment minus the ``SOCLE_*`` and ``PRONOTESIM_*`` settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("SOCLE_", "PRONOTESIM_"))}


@pytest.mark.parametrize(
    ("ports", "said"),
    [
        ({"SOCLE_DEMO_PORT": "80;rm"}, "Port invalide : 80;rm"),
        ({"SOCLE_DEMO_PRONOTE_PORT": "80;rm"}, "Port invalide : 80;rm"),
        ({"SOCLE_DEMO_PRONOTE2_PORT": "80;rm"}, "Port invalide : 80;rm"),
        ({"SOCLE_DEMO_PRONOTE_PORT": "18124", "SOCLE_DEMO_PRONOTE2_PORT": "18124"}, "identiques"),
        ({"SOCLE_DEMO_PORT": "18124", "SOCLE_DEMO_PRONOTE2_PORT": "18124"}, "identiques"),
    ],
)
def test_it_refuses_bad_ports_before_writing_anything(
    ports: dict[str, str], said: str, tmp_path: Path
) -> None:
    done = run_script(SCRIPT, env={**os.environ, **ports}, cwd=tmp_path, timeout=30)
    assert done.returncode == 2
    assert said in done.stderr, done.stderr


# Stand-ins for the commands the script runs: each writes its arguments (and the settings that
# carry a port) to var/calls.log; `socle serve` waits until both pronotesim were started beside it.
SOCLE_STUB = """#!/bin/sh
echo "socle $* | SOCLE_BASE_URL=$SOCLE_BASE_URL" >> var/calls.log
if [ "$1" = serve ]; then
  for _ in $(seq 400); do
    [ "$(grep -c '^pronotesim' var/calls.log)" = 2 ] && exit 0; sleep 0.05
  done
  exit 1
fi
"""
PRONOTESIM_STUB = """#!/bin/sh
echo "pronotesim $* | PRONOTESIM_CAS_URL=$PRONOTESIM_CAS_URL \
key=${PRONOTESIM_INDEX_PUBLIC_KEY_OUT:-} db=${PRONOTESIM_DATABASE:-}" >> var/calls.log
"""


def _stub(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


def test_it_serves_seeds_and_delegates_on_the_ports_it_is_given(tmp_path: Path) -> None:
    """The script runs in a copy of the project whose ``socle`` and ``scripts/pronotesim-demo``
    only write down how they were called: nothing is served, seeded or migrated."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts" / "demo")
    _stub(tmp_path / ".venv" / "bin" / "python", f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    _stub(tmp_path / ".venv" / "bin" / "socle", SOCLE_STUB)
    _stub(tmp_path / "scripts" / "pronotesim-demo", PRONOTESIM_STUB)
    env = environment_without_settings() | {
        "SOCLE_DEMO_PORT": "18123",
        "SOCLE_DEMO_PRONOTE_PORT": "18124",
        "SOCLE_DEMO_PRONOTE2_PORT": "18125",
        "PRONOTESIM_DATABASE": "/tmp/jaures-only.sqlite3",  # the first instance's only
    }
    done = run_script(tmp_path / "scripts" / "demo", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    calls = (tmp_path / "var" / "calls.log").read_text().splitlines()
    ent = "SOCLE_BASE_URL=http://127.0.0.1:18123"
    cas = "PRONOTESIM_CAS_URL=http://127.0.0.1:18123/cas"
    started = [
        f"pronotesim var/pronote-base.json --port 18124 | {cas} key= db=/tmp/jaures-only.sqlite3",
        f"pronotesim var/pronote-base-fermat.json --port 18125 | {cas} "
        f"key={tmp_path}/var/index-education-public-fermat.pem db=",
    ]
    for call in started:  # in the background: before `socle serve`, else in any order
        assert call in calls, calls
    assert [call for call in calls if call not in started] == [
        f"socle migrate --noinput -v 0 | {ent}",
        "socle demo_seed --pronote-url http://127.0.0.1:18124/pronote/ --pronote-out "
        "var/pronote-base.json --newcomers-out var/pronote-newcomers.json --pronote2-url "
        f"http://127.0.0.1:18125/pronote/ --pronote2-out var/pronote-base-fermat.json | {ent}",
        f"socle help serve | {ent}",
        f"socle serve --host 127.0.0.1 --port 18123 | {ent}",
    ], calls
    demo_env = (tmp_path / "var" / "demo.env").read_text()
    assert "export SOCLE_BASE_URL=http://127.0.0.1:18123\n" in demo_env
    # where each pronotesim is announced
    assert "http://127.0.0.1:18124/pronote/" in done.stdout
    assert "http://127.0.0.1:18125/pronote/" in done.stdout
    assert "http://127.0.0.1:18123/cas/login" in done.stdout
    # No default port left anywhere: every URL follows the three variables.
    everything = "\n".join([*calls, demo_env, done.stdout, done.stderr])
    assert not {"8000", "8001", "8002"} & set(re.findall(r"\d+", everything))
