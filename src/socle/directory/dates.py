"""Birth dates as school files write them: ``AAAA-MM-JJ`` or ``JJ/MM/AAAA``; a moment's day as
the pages, letters and diagnostics write it (``JJ/MM/AAAA``, local time)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext as _

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FRENCH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def local_day(moment: dt.datetime) -> str:
    """« 05/12/2026 »: the day of an aware ``moment`` in the local time zone
    (``SOCLE_TIME_ZONE``)."""
    return timezone.localtime(moment).strftime("%d/%m/%Y")


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
            _("date de naissance « %(value)s » illisible : AAAA-MM-JJ ou JJ/MM/AAAA attendu.")
            % {"value": value[:20]}
        )
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise InvalidDate(
            _("date de naissance « %(value)s » impossible.") % {"value": value[:20]}
        ) from None
    if date.year < 1900 or date > today:
        raise InvalidDate(
            _("date de naissance « %(value)s » hors des limites plausibles.")
            % {"value": value[:20]}
        )
    return date
