"""Birth dates as school files write them: ``AAAA-MM-JJ`` or ``JJ/MM/AAAA``."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FRENCH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class InvalidDate(ValueError):
    """The text is not a plausible birth date; the message says why, in French."""


def parse_birth_date(text: str, *, today: dt.date | None = None) -> dt.date | None:
    """``""`` → ``None``; ``2012-03-04`` or ``04/03/2012`` → the date; anything else raises."""
    value = (text or "").strip()
    if not value:
        return None
    return _parse(value, today or dt.date.today())


@lru_cache(maxsize=32_768)  # bulk imports: birth dates repeat a lot
def _parse(value: str, today: dt.date) -> dt.date:
    iso = _ISO.match(value)
    french = _FRENCH.match(value)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif french:
        day, month, year = (int(part) for part in french.groups())
    else:
        raise InvalidDate(
            f"date de naissance « {value[:20]} » illisible : AAAA-MM-JJ ou JJ/MM/AAAA attendu."
        )
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise InvalidDate(f"date de naissance « {value[:20]} » impossible.") from None
    if date.year < 1900 or date > today:
        raise InvalidDate(f"date de naissance « {value[:20]} » hors des limites plausibles.")
    return date
