"""Strict readers for ``SOCLE_*`` environment variables.

Every setting Socle reads from the environment goes through one of these helpers. A value that
cannot be understood stops the process at start-up with a message naming the variable, instead of
being silently replaced by a default.

A variable set to nothing (``SOCLE_X=``, or blanks) counts as unset and gives the default: an
env file's ``SOCLE_X=`` line or a compose file's ``${SOCLE_X:-}`` leaves the default, as the
scripts rely on. The lists that may not be empty are the exception (:func:`env_list`).
"""

import gettext
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.utils.translation import gettext_noop

T = TypeVar("T")

_MISSING = object()

READ: set[str] = set()
"""Every variable the settings looked for, set or not: ``socle.W085`` names the other
``SOCLE_*`` variables of the environment (a misspelt name is otherwise silently ignored)."""


class Text(str):
    """A French phrase given to a message's template as a parameter: translated with it (each is a
    msgid of Socle's catalogue, marked with ``gettext_noop``)."""


class ConfigurationError(Exception):
    """A ``SOCLE_*`` variable is missing or malformed. ``str()`` is the French message;
    :meth:`in_language` the message in ``SOCLE_LANGUAGE``'s language, which the ``socle``
    command prints (``socle.cli``). ``template`` is a msgid (marked with ``gettext_noop``, a
    literal ``%`` written ``%%``), formatted with ``params``."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params)

    def in_language(self) -> str:
        """The message in English with ``SOCLE_LANGUAGE=en``, in French with ``fr`` or
        nothing, in both (« français / English ») with any other value, whose reader asked for
        neither. The catalogue is read directly (Python's ``gettext``): Django's translations
        need the settings, which are what failed; so is ``SOCLE_LANGUAGE``, read here as it is
        given."""
        language = (os.environ.get("SOCLE_LANGUAGE") or "").strip().lower()
        if language in ("", "fr"):
            return str(self)
        if language != "en":
            return f"{self} / {self._english()}"
        return self._english()

    def _english(self) -> str:
        catalogue = gettext.translation(
            "django", localedir=Path(__file__).parent / "locale", languages=["en"], fallback=True
        )
        params = {
            name: catalogue.gettext(value) if isinstance(value, Text) else value
            for name, value in self.params.items()
        }
        return catalogue.gettext(self.template) % params


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
            raise ConfigurationError(gettext_noop("%(name)s doit être défini."), name=name)
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
    raise ConfigurationError(
        gettext_noop("%(name)s=%(value)r : valeur booléenne attendue (true/false)."),
        name=name,
        value=value,
    )


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(
            gettext_noop("%(name)s=%(value)r : nombre entier attendu."), name=name, value=value
        ) from None
    if minimum is not None and number < minimum:
        raise ConfigurationError(
            gettext_noop("%(name)s=%(number)s : doit être au moins %(minimum)s."),
            name=name,
            number=number,
            minimum=minimum,
        )
    if maximum is not None and number > maximum:
        raise ConfigurationError(
            gettext_noop("%(name)s=%(number)s : doit être au plus %(maximum)s."),
            name=name,
            number=number,
            maximum=maximum,
        )
    return number


def env_list(name: str, default: list[str], *, allow_empty: bool = True) -> list[str]:
    """Comma-separated items. Unset, or set to nothing as any variable, gives ``default``;
    except that a list which may not be empty refuses a variable set to nothing
    (``SOCLE_ALLOWED_HOSTS=""`` reads as "none" to whoever wrote it, not as the default)."""
    value = _raw(name)
    if value is None and not allow_empty and name in os.environ:
        raise ConfigurationError(
            gettext_noop(
                "%(name)s est défini mais vide : au moins une valeur attendue (retirez la "
                "variable pour sa valeur par défaut, %(default)s)."
            ),
            name=name,
            default=",".join(default),
        )
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items and not allow_empty:
        raise ConfigurationError(
            gettext_noop("%(name)s=%(value)r : au moins une valeur attendue."),
            name=name,
            value=value,
        )
    return items


def env_parsed(name: str, parse: Callable[[str], T], default: T) -> T:
    """Reads a variable through ``parse``; any error from ``parse`` names the variable (its
    message, a msgid marked with ``gettext_noop``, is translated with the rest)."""
    value = _raw(name)
    if value is None:
        return default
    try:
        return parse(value)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            gettext_noop("%(name)s=%(value)r : %(reason)s"),
            name=name,
            value=value,
            reason=Text(exc),
        ) from None
