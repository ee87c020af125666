"""Weekly time windows such as ``mon-fri 08:00-17:00, sat 08:00-12:00`` (pure, no Django).

Used by admission control to defer some profiles (e.g. parents) during school hours.
Day names are English or French three-letter abbreviations (``mon``/``lun`` … ``sun``/``dim``);
a window may name one day, a range of days (``mon-fri``) or ``*`` for every day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_DAYS = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
    "lun": 0,
    "mar": 1,
    "mer": 2,
    "jeu": 3,
    "ven": 4,
    "sam": 5,
    "dim": 6,
}


class ScheduleError(ValueError):
    """A window cannot be understood; the message is French, for system checks."""


@dataclass(frozen=True)
class Window:
    days: frozenset[int]
    start: dt.time
    end: dt.time

    def contains(self, moment: dt.datetime) -> bool:
        return moment.weekday() in self.days and self.start <= moment.time() < self.end


def _parse_days(text: str) -> frozenset[int]:
    if text == "*":
        return frozenset(range(7))
    first, _, last = text.partition("-")
    try:
        start = _DAYS[first]
        end = _DAYS[last] if last else start
    except KeyError:
        raise ScheduleError(f"jour inconnu dans {text!r} (mon…sun ou lun…dim)") from None
    if end < start:
        raise ScheduleError(f"plage de jours à l'envers : {text!r}")
    return frozenset(range(start, end + 1))


def _parse_time(text: str) -> dt.time:
    try:
        hours, minutes = text.split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ScheduleError(f"heure invalide : {text!r} (HH:MM attendu)") from None


def parse_windows(text: str) -> tuple[Window, ...]:
    """``"mon-fri 08:00-17:00, sat 08:00-12:00"`` → windows; ``""`` → none."""
    windows = []
    for chunk in text.split(","):
        chunk = chunk.strip().lower()
        if not chunk:
            continue
        try:
            days_text, hours_text = chunk.split()
            start_text, end_text = hours_text.split("-")
        except ValueError:
            raise ScheduleError(
                f"créneau invalide : {chunk!r} (forme attendue : « mon-fri 08:00-17:00 »)"
            ) from None
        start, end = _parse_time(start_text), _parse_time(end_text)
        if end <= start:
            raise ScheduleError(f"créneau vide ou à l'envers : {chunk!r}")
        windows.append(Window(_parse_days(days_text), start, end))
    return tuple(windows)


def in_windows(windows: tuple[Window, ...], moment: dt.datetime) -> bool:
    return any(window.contains(moment) for window in windows)
