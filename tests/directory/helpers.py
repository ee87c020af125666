"""Helpers for the directory tests: run commands, write CSV files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command


def run(*args: str, **options: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def write_csv(
    tmp_path: Path,
    text: str,
    *,
    name: str = "annuaire.csv",
    bom: bool = False,
    encoding: str = "utf-8",
) -> Path:
    path = tmp_path / name
    data = text.strip("\n").replace("\n", "\r\n") + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode(encoding))
    return path
