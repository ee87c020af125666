"""UAI (Unité Administrative Immatriculée, ex-RNE): 7 digits and a check letter.

The letter is ``ABCDEFGHJKLMNPRSTUVWXYZ[n % 23]`` where ``n`` is the 7-digit number
(the alphabet has no I, O or Q).
"""

import re

from django.utils.translation import gettext as _

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_UAI_RE = re.compile(r"^(\d{7})([A-Z])$")


class InvalidUAI(ValueError):
    """The text is not a valid UAI; the message says why, in French."""


def uai_check_letter(digits: str) -> str:
    return UAI_LETTERS[int(digits) % 23]


def normalize_uai(value: str) -> str:
    """Returns the UAI in canonical form (upper case) or raises :class:`InvalidUAI`."""
    text = (value or "").strip().upper()
    match = _UAI_RE.match(text)
    if not match:
        raise InvalidUAI(
            _(
                "« %(value)s » n'est pas un UAI : 7 chiffres suivis d'une lettre attendus "
                "(par exemple 0312609T)."
            )
            % {"value": value[:20]}
        )
    digits, letter = match.groups()
    expected = uai_check_letter(digits)
    if letter != expected:
        raise InvalidUAI(
            _(
                "UAI %(uai)s invalide : la lettre de contrôle de %(digits)s est %(expected)s, "
                "pas %(letter)s."
            )
            % {"uai": text, "digits": digits, "expected": expected, "letter": letter}
        )
    return text
