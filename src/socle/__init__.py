"""Socle ENT: the identity hub of a French school digital workspace."""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def version() -> str:
    """Socle's version: in a source checkout (``src/socle`` beside a ``pyproject.toml`` of
    ``name = "socle"``), its ``pyproject.toml``'s — the editable install's metadata keeps the
    version of its install, older after a pull that bumps it —; else the installed
    distribution's (a release wheel, ``pip install``). Read once per process, on demand
    (``socle --version``, ``/metrics``, the Django admin)."""
    return _version(Path(__file__).resolve().parent)


def _version(package: Path) -> str:
    """:func:`version`, for the package directory ``package``."""
    from importlib import metadata

    if package.parent.name == "src":
        found = _checkout_version(package.parent.parent / "pyproject.toml")
        if found is not None:
            return found
    try:
        return metadata.version("socle")
    except metadata.PackageNotFoundError:
        return UNKNOWN


UNKNOWN = "0+unknown"


def _checkout_version(pyproject: Path) -> str | None:
    """The version ``pyproject`` gives Socle; ``None`` when it is missing, unreadable, of
    another project, or without a (static) version."""
    import tomllib

    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        if project.get("name") != "socle":
            return None
        return str(project["version"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def __getattr__(name: str) -> str:
    if name == "__version__":
        return version()
    raise AttributeError(f"module 'socle' has no attribute {name!r}")
