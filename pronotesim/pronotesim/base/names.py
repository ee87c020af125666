"""Name and date comparison as PRONOTE's recognition does it: case- and accent-insensitive."""

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


def parse_french_date(value: str | None) -> date | None:
    """``JJ/MM/AAAA`` (PRONOTE, CAS attributes) or ISO ``AAAA-MM-JJ``; None when unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        if "/" in value:
            day, month, year = (int(part) for part in value.split("/"))
            return date(year, month, day)
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def french_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""
