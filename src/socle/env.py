"""Strict readers for ``SOCLE_*`` environment variables.

Every setting Socle reads from the environment goes through one of these helpers. A value that
cannot be understood stops the process at start-up with a message naming the variable, instead of
being silently replaced by a default.

A variable set to nothing (``SOCLE_X=``, or blanks) counts as unset and gives the default: an
env file's ``SOCLE_X=`` line or a compose file's ``${SOCLE_X:-}`` leaves the default, as the
scripts rely on. The lists that may not be empty are the exception (:func:`env_list`).
"""

import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_MISSING = object()

READ: set[str] = set()
"""Every variable the settings looked for, set or not: ``socle.W085`` names the other
``SOCLE_*`` variables of the environment (a misspelt name is otherwise silently ignored)."""


class ConfigurationError(Exception):
    """A ``SOCLE_*`` variable is missing or malformed."""


def _raw(name: str) -> str | None:
    READ.add(name)
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value is None:
        if required or default is None:
            raise ConfigurationError(f"{name} doit être défini.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on", "oui"}:
        return True
    if lowered in {"0", "false", "no", "off", "non"}:
        return False
    raise ConfigurationError(f"{name}={value!r} : valeur booléenne attendue (true/false).")


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name}={value!r} : nombre entier attendu.") from None
    if minimum is not None and number < minimum:
        raise ConfigurationError(f"{name}={number} : doit être au moins {minimum}.")
    if maximum is not None and number > maximum:
        raise ConfigurationError(f"{name}={number} : doit être au plus {maximum}.")
    return number


def env_list(name: str, default: list[str], *, allow_empty: bool = True) -> list[str]:
    """Comma-separated items. Unset, or set to nothing as any variable, gives ``default``;
    except that a list which may not be empty refuses a variable set to nothing
    (``SOCLE_ALLOWED_HOSTS=""`` reads as "none" to whoever wrote it, not as the default)."""
    value = _raw(name)
    if value is None and not allow_empty and name in os.environ:
        raise ConfigurationError(
            f"{name} est défini mais vide : au moins une valeur attendue (retirez la variable "
            f"pour sa valeur par défaut, {','.join(default)})."
        )
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items and not allow_empty:
        raise ConfigurationError(f"{name}={value!r} : au moins une valeur attendue.")
    return items


def env_parsed(name: str, parse: Callable[[str], T], default: T) -> T:
    """Reads a variable through ``parse``; any error from ``parse`` names the variable."""
    value = _raw(name)
    if value is None:
        return default
    try:
        return parse(value)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{name}={value!r} : {exc}") from None
