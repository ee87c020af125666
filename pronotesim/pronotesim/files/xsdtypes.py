"""The few XML Schema simple types Index Education's schemas use, checked by hand.

pronotesim validates the ENT's files structurally at run time (no schema library needed there);
its tests validate the same files against the published XSDs with xmlschema.
"""

import re
from datetime import date

_DATE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-](\d{2}):(\d{2}))?$")
_DATETIME = re.compile(
    r"^(-?\d{4,}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$"
)
_UNSIGNED = re.compile(r"^\+?\d+$")


def parse_xs_date(value: str) -> date | None:
    match = _DATE.match(value.strip())
    if not match or not _timezone_ok(match.group(5), match.group(6)):
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _timezone_ok(hours: str | None, minutes: str | None) -> bool:
    if hours is None or minutes is None:
        return True
    return int(minutes) < 60 and (int(hours), int(minutes)) <= (14, 0)


def is_xs_datetime(value: str) -> bool:
    """A date that exists, a time of day (``24:00:00`` allowed, as XSD does), a time zone
    within ±14:00."""
    match = _DATETIME.match(value.strip())
    if not match or parse_xs_date(match.group(1)) is None:
        return False
    hour, minute, second = (int(match.group(i)) for i in (2, 3, 4))
    fraction = match.group(5) or ""
    if hour == 24:
        time_ok = minute == 0 and second == 0 and not fraction.strip(".0")
    else:
        time_ok = hour < 24 and minute < 60 and second < 60
    return time_ok and _timezone_ok(match.group(7), match.group(8))


def parse_unsigned_int(value: str) -> int | None:
    value = value.strip()
    if not _UNSIGNED.match(value):
        return None
    number = int(value)
    return number if number <= 4_294_967_295 else None
