"""Running the ``socle`` command in a subprocess, as an operator does, on this checkout's code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNSET = "<unset>"  # a variable given this value is left out of the environment
TEST_KEY = "cli-test-" + "k3y" * 20


def socle_env(data_dir: Path, **variables: str) -> dict[str, str]:
    """The caller's environment without any ``SOCLE_*`` setting, plus a key, ``data_dir`` as
    ``SOCLE_DATA_DIR`` and ``variables``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SOCLE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        {
            "SOCLE_SECRET_KEY": TEST_KEY,
            "SOCLE_DATA_DIR": str(data_dir),
            "PYTHONPATH": str(ROOT / "src"),
            **variables,
        }
    )
    return {key: value for key, value in env.items() if value != UNSET}


def socle_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "socle", *args]


def run_socle(
    data_dir: Path, *args: str, timeout: float = 60, **variables: str
) -> subprocess.CompletedProcess[str]:
    """``socle ARGS`` run in ``data_dir`` with :func:`socle_env`."""
    return subprocess.run(
        socle_command(*args),
        capture_output=True,
        text=True,
        env=socle_env(data_dir, **variables),
        cwd=data_dir,
        timeout=timeout,
    )
