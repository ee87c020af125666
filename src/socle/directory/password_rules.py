"""Password validators that Django's own do not cover for French users.

Django's ``CommonPasswordValidator`` compares the whole password with a list of 20,000 leaked
passwords, mostly English, and with the 12 characters Socle asks for few of them remain:
« motdepasse123 », « Marseille13013 » or « Soleil2026! » pass it. This validator takes the
password's core, without the digits and punctuation around it, accents or case, and refuses it
when that core is a word French passwords are commonly built on (``data/common-passwords-fr.txt``)
or such a word repeated. A passphrase of several words (« camille rose jardin bleu ») is never
refused for holding a listed word.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    get_default_password_validators,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from unidecode import unidecode

WORDS_FILE = Path(__file__).with_name("data") / "common-passwords-fr.txt"
_AROUND = re.compile(r"^[\d\W_]+|[\d\W_]+$")
_SEPARATORS = re.compile(r"[\s._-]+")


@cache
def common_words() -> frozenset[str]:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def common_core(password: str) -> str | None:
    """The listed word ``password`` is built on, or None."""
    folded = unidecode(password).lower()
    core = _SEPARATORS.sub("", _AROUND.sub("", folded))
    words = common_words()
    if folded in words or core in words:
        return core if core in words else folded
    for size in range(3, len(core) // 2 + 1):  # a word repeated: « azertyazerty »
        repeated = len(core) % size == 0 and core[:size] * (len(core) // size) == core
        if repeated and core[:size] in words:
            return core[:size]
    return None


def _django_list_refuses(password: str) -> bool:
    """Whether Django's ``CommonPasswordValidator``, when configured, refuses ``password``."""
    for validator in get_default_password_validators():
        if isinstance(validator, CommonPasswordValidator):
            try:
                validator.validate(password)
            except ValidationError:
                return True
    return False


class FrenchCommonPasswordValidator:
    """Refuses passwords built on a common word with digits or punctuation around it."""

    def validate(self, password: str, user: Any = None) -> None:
        if _django_list_refuses(password):
            return  # Django's CommonPasswordValidator already says « trop courant »: once is enough
        word = common_core(password)
        if word is not None:
            raise ValidationError(
                _(
                    "Ce mot de passe est trop courant : un mot courant, même entouré de chiffres "
                    "ou de signes, se devine en quelques essais."
                ),  # the word is not quoted: the message may reach a log (CSV import)
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _(
            "Votre mot de passe ne peut pas être un mot courant entouré de chiffres ou de signes."
        )
