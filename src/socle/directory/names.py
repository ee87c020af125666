"""The one name normaliser of Socle, used by the directory search and the PRONOTE matching.

``normalize_name("Jean-Pierre D’Artagnan")`` → ``"jean pierre d artagnan"``: lower case, accents
and ligatures transliterated to ASCII (``œ`` → ``oe``, ``ß`` → ``ss``), hyphens, apostrophes, dots,
commas and any run of spaces folded to one space. Particles (``de``, ``le``, ``van``…) and ``Mc`` /
``Mac`` are kept as written: ``McDonald`` → ``mcdonald``, ``Mc Donald`` → ``mc donald``. Comparing
"with or without the spaces" is the caller's choice (:func:`compact_name`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

_SEPARATORS = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65_536)
def normalize_name(text: str) -> str:
    """Case, accents, hyphens, apostrophes and spaces folded; words kept in order.

    Cached: names repeat a lot in bulk imports and searches."""
    if not text:
        return ""
    ascii_text = unidecode(unicodedata.normalize("NFC", str(text))).lower()
    return _SEPARATORS.sub(" ", ascii_text).strip()


def compact_name(text: str) -> str:
    """:func:`normalize_name` without spaces: ``"D'Artagnan"`` and ``"Dartagnan"`` compare equal."""
    return normalize_name(text).replace(" ", "")
