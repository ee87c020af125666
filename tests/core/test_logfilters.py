"""A refused page is one log line, not a traceback (``socle.core.logfilters``)."""

from __future__ import annotations

import logging
import re
import sys
import time
from pathlib import Path

from django.core.exceptions import DisallowedHost, PermissionDenied
from django.test import RequestFactory

from socle.core import logfilters
from socle.core.logfilters import ForbiddenWithoutTraceback
from tests.core.cli import run_socle


def make_record(exc: Exception) -> logging.LogRecord:
    try:
        raise exc
    except Exception:
        info = sys.exc_info()
    return logging.LogRecord("django.request", logging.WARNING, __file__, 1, "msg", (), info)


def test_it_drops_the_traceback_of_a_refused_page() -> None:
    record = make_record(PermissionDenied("no"))
    assert ForbiddenWithoutTraceback().filter(record)
    assert record.exc_info is None
    assert logging.Formatter().format(record) == "msg"


def test_it_drops_the_traceback_of_a_request_refused_as_suspicious() -> None:
    record = make_record(DisallowedHost("Invalid HTTP_HOST header: '10.0.0.12'."))
    assert ForbiddenWithoutTraceback().filter(record)
    assert logging.Formatter().format(record) == "msg"


def test_it_keeps_the_traceback_of_a_real_error() -> None:
    record = make_record(ValueError("boom"))
    assert ForbiddenWithoutTraceback().filter(record)
    assert "ValueError: boom" in logging.Formatter().format(record)


def test_the_console_handler_uses_it() -> None:
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    assert any(isinstance(f, ForbiddenWithoutTraceback) for h in handlers for f in h.filters)


def _info_record(level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord("socle.traces", level, __file__, 1, "pronote_export ok", (), None)


def test_it_keeps_info_lines_off_the_console_of_a_one_shot_command(monkeypatch) -> None:
    monkeypatch.setattr(logfilters, "_one_shot_command", False)
    logfilters.set_command_console("pronote_export")
    console = logfilters.CommandConsole()
    assert not console.filter(_info_record())
    assert console.filter(_info_record(logging.WARNING))
    assert console.filter(_info_record(logging.ERROR))


def test_it_keeps_every_line_of_a_server_or_at_debug_level(monkeypatch) -> None:
    monkeypatch.setattr(logfilters, "_one_shot_command", False)
    console = logfilters.CommandConsole()
    for server in ("serve", "runserver", ""):
        logfilters.set_command_console(server)
        assert console.filter(_info_record())
    logfilters.set_command_console("pronote_export")
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", logging.DEBUG)
    assert console.filter(_info_record())


def test_it_shows_a_command_what_it_says_and_not_the_trace_log_line(tmp_path: Path) -> None:
    assert run_socle(tmp_path, "migrate", "--no-input", timeout=120).returncode == 0
    result = run_socle(tmp_path, "traces_purge", "--days", "400")
    assert result.returncode == 0, result.stderr
    assert "supprimée(s)" in result.stdout
    assert "socle.traces" not in result.stderr and "traces_purged" not in result.stderr
    debug = run_socle(tmp_path, "traces_purge", "--days", "400", SOCLE_LOG_LEVEL="DEBUG")
    assert "INFO socle.traces traces_purged" in debug.stderr


def console_lines(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    """The records the node's console handler (settings.LOGGING) would print."""
    console = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ForbiddenWithoutTraceback) for f in h.filters)
    )
    return [r for r in records if all(f.filter(r) for f in console.filters)]


def _request_record(name: str, request: object) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.ERROR, __file__, 1, "Service Unavailable: /", (), None)
    record.request = request
    return record


def test_it_leaves_out_djangos_line_for_a_503_socle_has_said() -> None:
    said, other = RequestFactory().get("/cas/login"), RequestFactory().get("/cas/login")
    logfilters.said(said)
    assert console_lines([_request_record("django.request", said)]) == []
    kept = [_request_record("django.request", other), _request_record("socle.cas", said)]
    assert console_lines(kept) == kept


def test_it_says_a_recurring_event_once_per_interval_with_its_count(caplog) -> None:
    now = [1000.0]
    tally = logfilters.Tally(logging.getLogger("socle.test"), "full: %d", clock=lambda: now[0])
    caplog.set_level(logging.WARNING, "socle.test")
    for _ in range(3):
        tally.add()
    now[0] += 59.0
    tally.add()
    assert [r.getMessage() for r in caplog.records] == ["full: 1"]
    now[0] += 1.0
    tally.add()
    assert [r.getMessage() for r in caplog.records] == ["full: 1", "full: 4"]


def test_a_healthz_503_is_one_line_naming_the_failing_part(client, settings, caplog) -> None:
    settings.SOCLE_REDIS_URL = ""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "socle_cache_never_created",
        }
    }
    assert client.get("/healthz").status_code == 503
    lines = [r.name for r in console_lines(caplog.records) if r.levelno >= logging.WARNING]
    assert lines == ["socle.core.health"]


def test_it_writes_log_times_with_their_offset_from_utc() -> None:
    from django.conf import settings

    spec = settings.LOGGING["formatters"]["plain"]
    assert spec["()"] == "socle.core.logfilters.WithOffset"
    record = logging.LogRecord("socle.cas", logging.WARNING, __file__, 1, "message", None, None)
    record.created, record.msecs = 1_764_915_047.357, 357.0  # 2025-12-05 06:10:47.357 UTC
    formatter = logfilters.WithOffset(spec["format"])
    assert re.fullmatch(
        r"2025-12-05 \d\d:10:47,357[+-]\d{4} WARNING socle.cas message", formatter.format(record)
    )
    formatter.converter = time.gmtime
    assert formatter.format(record) == "2025-12-05 06:10:47,357+0000 WARNING socle.cas message"
