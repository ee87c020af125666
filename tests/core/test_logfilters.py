"""A refused page is one log line, not a traceback (``socle.core.logfilters``)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from django.core.exceptions import DisallowedHost, PermissionDenied

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
