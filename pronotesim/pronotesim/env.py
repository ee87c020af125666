"""Strict readers for ``PRONOTESIM_*`` environment variables (pronotesim's own, not Socle's)."""

import os
import re
from pathlib import Path


class ConfigurationError(Exception):
    """A ``PRONOTESIM_*`` variable is malformed."""


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on", "oui"}:
        return True
    if lowered in {"0", "false", "no", "off", "non"}:
        return False
    raise ConfigurationError(f"{name}={value!r} : valeur booléenne attendue (on/off).")


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_root(name: str, default: str) -> str:
    """A publication root: one path segment (``pronote``, ``Pronote``), its case kept."""
    value = (_raw(name) or default).strip("/")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
        raise ConfigurationError(
            f"{name}={value!r} : racine de publication invalide (lettres, chiffres, « . », « _ » "
            "ou « - », un seul segment), par exemple pronote ou Pronote."
        )
    return value


def data_dir(repo_root: Path) -> Path:
    """Where pronotesim keeps its SQLite file and secret key.

    ``PRONOTESIM_DATA_DIR``, else ``SOCLE_DATA_DIR`` (shared with the ENT's demo), else
    ``<repository>/var``."""
    value = _raw("PRONOTESIM_DATA_DIR") or _raw("SOCLE_DATA_DIR")
    return Path(value) if value else repo_root / "var"
