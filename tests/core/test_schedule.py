import datetime as dt

import pytest

from socle.core.schedule import ScheduleError, in_windows, parse_windows


def test_it_reads_days_and_hours():
    windows = parse_windows("mon-fri 08:00-17:00, sam 08:00-12:00")
    assert in_windows(windows, dt.datetime(2026, 9, 7, 8, 0))  # Monday
    assert not in_windows(windows, dt.datetime(2026, 9, 7, 17, 0))
    assert in_windows(windows, dt.datetime(2026, 9, 12, 11, 59))  # Saturday
    assert not in_windows(windows, dt.datetime(2026, 9, 13, 10, 0))  # Sunday


def test_an_empty_text_means_never():
    assert parse_windows("") == ()
    assert not in_windows((), dt.datetime(2026, 9, 7, 10, 0))


def test_a_star_means_every_day():
    assert in_windows(parse_windows("* 00:00-23:59"), dt.datetime(2026, 9, 13, 12, 0))


@pytest.mark.parametrize(
    "text",
    [
        "mon 8h-17h",
        "fri-mon 08:00-17:00",
        "mon-fri 17:00-08:00",
        "xyz 08:00-09:00",
        "mon-fri",
        "mon 25:00-26:00",
    ],
)
def test_it_rejects_what_it_cannot_read(text):
    with pytest.raises(ScheduleError):
        parse_windows(text)
