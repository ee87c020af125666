"""Helpers for the directory tests: run commands, write CSV files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


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


def refused_import(tmp_path: Path, text: str, *args: str, uai: str, name: str = "b.csv") -> str:
    """What ``directory_import`` prints on stderr when it refuses the CSV ``text`` (it must)."""
    err = io.StringIO()
    with pytest.raises(CommandError, match="corrigez les lignes signalées"):
        call_command(
            "directory_import",
            str(write_csv(tmp_path, text, name=name)),
            *args,
            uai=uai,
            stdout=io.StringIO(),
            stderr=err,
        )
    return err.getvalue()
