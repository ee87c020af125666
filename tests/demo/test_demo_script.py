"""``scripts/demo`` (``make demo``): its ports come from ``SOCLE_DEMO_PORT`` and
``SOCLE_DEMO_PRONOTE_PORT``, so that the demo runs beside another one."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "demo"


@pytest.mark.parametrize("variable", ["SOCLE_DEMO_PORT", "SOCLE_DEMO_PRONOTE_PORT"])
def test_it_refuses_a_port_that_is_not_a_number_before_writing_anything(
    variable: str, tmp_path: Path
) -> None:
    env = {**os.environ, variable: "80;rm"}
    done = subprocess.run(  # noqa: S603
        ["bash", str(SCRIPT)],  # noqa: S607
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "Port invalide : 80;rm" in done.stderr


def test_it_serves_seeds_and_delegates_on_the_ports_it_is_given() -> None:
    text = SCRIPT.read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    code = "\n".join(lines)
    assert 'PORT="${SOCLE_DEMO_PORT:-8000}"' in code
    assert 'PRONOTE_PORT="${SOCLE_DEMO_PRONOTE_PORT:-8001}"' in code
    assert 'socle serve --host 127.0.0.1 --port "$PORT"' in code
    assert 'scripts/pronotesim-demo var/pronote-base.json --port "$PRONOTE_PORT"' in code
    assert 'demo_seed --pronote-url "$PRONOTE_URL"' in code
    assert 'PRONOTESIM_CAS_URL="${PRONOTESIM_CAS_URL:-$SOCLE_BASE_URL/cas}"' in code
    # No port written anywhere else: every URL follows the two variables.
    rest = code.replace(":-8000}", "").replace(":-8001}", "")
    assert "8000" not in rest and "8001" not in rest
