"""The few XML Schema simple types Index Education's schemas use, checked by hand.

pronotesim validates the ENT's files structurally at run time (no schema library needed there);
its tests validate the same files against the published XSDs with xmlschema.
"""

import re
from datetime import date

_DATE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_UNSIGNED = re.compile(r"^\+?\d+$")


def parse_xs_date(value: str) -> date | None:
    match = _DATE.match(value.strip())
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def is_xs_datetime(value: str) -> bool:
    return bool(_DATETIME.match(value.strip()))


def parse_unsigned_int(value: str) -> int | None:
    value = value.strip()
    if not _UNSIGNED.match(value):
        return None
    number = int(value)
    return number if number <= 4_294_967_295 else None
