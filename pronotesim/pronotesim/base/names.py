"""Name and date comparison as PRONOTE's recognition does it: names case- and
accent-insensitive, dates ``JJ/MM/AAAA`` only."""

import re
import unicodedata
from datetime import date

_SEPARATORS = re.compile(r"[\s\-‐‑–—'’`´.]+")


def fold(text: str | None) -> str:
    """Upper case, no accents, hyphens/apostrophes/spaces folded to one space."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    stripped = stripped.replace("Œ", "OE").replace("œ", "oe").replace("Æ", "AE").replace("æ", "ae")
    return _SEPARATORS.sub(" ", stripped).strip().upper()


def same_name(left: str | None, right: str | None) -> bool:
    return bool(fold(left)) and fold(left) == fold(right)


_FRENCH_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")


def parse_french_date(value: str | None) -> date | None:
    """``JJ/MM/AAAA``, as PRONOTE writes dates and reads the CAS attribute ``dateNaissance``;
    anything else (ISO ``AAAA-MM-JJ``, ``4/3/2012``, an impossible date) is None."""
    match = _FRENCH_DATE.fullmatch((value or "").strip())
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def french_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""
