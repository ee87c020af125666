"""Name and date comparison as PRONOTE's recognition does it: names case-, accent- and
space-insensitive, dates ``JJ/MM/AAAA`` only."""

import re
import unicodedata
from datetime import date
from typing import Any

_SEPARATORS = re.compile(r"[\s\-‐‑–—'’`´.]+")


def fold(text: str | None) -> str:
    """Upper case, no accents, hyphens/apostrophes/spaces folded to one space."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    stripped = stripped.replace("Œ", "OE").replace("œ", "oe").replace("Æ", "AE").replace("æ", "ae")
    return _SEPARATORS.sub(" ", stripped).strip().upper()


def name_key(text: str | None) -> str:
    """What two names are compared by: :func:`fold` without its spaces, so that a name typed
    with or without its inner spaces or punctuation is one name (« MC CARTHY » = « McCarthy »,
    « N'DIAYE » = « NDIAYE », « LE GOFF » = « LEGOFF »), as the ENT's own matching does; the
    page shows the name as PRONOTE holds it."""
    return fold(text).replace(" ", "")


def collation_key(text: str | None) -> tuple[str, str]:
    """Sorts names as French lists do: accents, case and punctuation ignored first
    (« MARTIN Aïcha » before « MARTIN Anthony »), the name as written breaking ties."""
    return (fold(text), text or "")


def person_sort_key(user: Any) -> tuple[tuple[str, str], tuple[str, str], str]:
    """NAME then first name, each by :func:`collation_key`; the PRONOTE identifier last, so
    that namesakes keep one order."""
    return (
        collation_key(user.last_name),
        collation_key(user.first_name),
        getattr(user, "pronote_id", ""),
    )


def same_name(left: str | None, right: str | None) -> bool:
    return bool(name_key(left)) and name_key(left) == name_key(right)


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
