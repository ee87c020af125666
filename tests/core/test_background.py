"""The background writers (deferred traces, ``last_login``) during a database outage: one line at
once, then at most one a minute with the count, and one when it ends — not a traceback a second
per writer; a bug keeps its traceback (``socle.core.background``)."""

from __future__ import annotations

import logging

from django.db import OperationalError

from socle.core.background import _Outage


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_it_says_an_outage_once_a_minute_with_the_count_then_its_end(caplog):
    clock = Clock()
    outage = _Outage("traces", 1.0, clock)
    down = OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
        "Connection refused\n\tIs the server running on that host?"
    )
    with caplog.at_level(logging.WARNING, logger="socle"):
        for _second in range(150):
            assert outage.failed(down) is True
            clock.now += 1
        outage.over()
        outage.over()  # nothing more to say
    lines = [record.getMessage() for record in caplog.records]
    assert [record.exc_info for record in caplog.records] == [None] * 4
    assert len(lines) == 4
    assert lines[0] == (
        "traces: deferred writes failed, database unavailable (OperationalError: connection "
        'failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused): 1 '
        "failed round(s) since the previous line, kept in memory and tried again every 1.0 s"
    )
    assert ": 60 failed round(s) since the previous line" in lines[1]
    assert ": 60 failed round(s) since the previous line" in lines[2]
    assert lines[3] == "traces: deferred writes resumed after 150 s of database outage"


def test_a_bug_is_not_taken_for_an_outage():
    outage = _Outage("last_login", 1.0, Clock())
    assert outage.failed(ValueError("a bug")) is False
