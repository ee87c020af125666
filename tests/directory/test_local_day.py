"""The day of a moment as the pages, letters, checks and diagnostics write it: « JJ/MM/AAAA »
in the local time zone (``SOCLE_TIME_ZONE``), one helper for all the apps."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from socle.directory.dates import local_day


def test_it_writes_the_day_of_a_moment_in_the_local_time_zone() -> None:
    late_in_utc = dt.datetime(2026, 12, 5, 23, 30, tzinfo=dt.UTC)
    assert local_day(late_in_utc) == "06/12/2026"  # Europe/Paris: already the 6th
    with timezone.override("America/Cayenne"):  # UTC-3: still the 5th
        assert local_day(late_in_utc) == "05/12/2026"
    assert local_day(dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)) == "01/03/2027"
