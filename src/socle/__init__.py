"""Socle ENT: the identity hub of a French school digital workspace."""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def version() -> str:
    """Socle's version: the installed distribution's (a release wheel, ``pip install``), else,
    in a source checkout run without installing it (``PYTHONPATH=src``), its ``pyproject.toml``'s.
    Read once per process, on demand (``socle --version``, ``/metrics``, the Django admin)."""
    from importlib import metadata

    try:
        return metadata.version("socle")
    except metadata.PackageNotFoundError:
        return _checkout_version(Path(__file__).resolve().parents[2] / "pyproject.toml")


def _checkout_version(pyproject: Path) -> str:
    import tomllib

    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    except (OSError, ValueError, KeyError):
        return "0+unknown"
    return str(project["version"]) if project.get("name") == "socle" else "0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return version()
    raise AttributeError(f"module 'socle' has no attribute {name!r}")
