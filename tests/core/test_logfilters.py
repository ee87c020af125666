"""A refused page is one log line, not a traceback (``socle.core.logfilters``)."""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import DisallowedHost, PermissionDenied

from socle.core.logfilters import ForbiddenWithoutTraceback


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
