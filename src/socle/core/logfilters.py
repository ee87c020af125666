"""Logging filters and the formatter of Socle's ``LOGGING`` (settings.py)."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, SuspiciousOperation


class ForbiddenWithoutTraceback(logging.Filter):
    """Keeps Django's « Forbidden (Permission denied) » line without its traceback.

    Django logs a refused page (``PermissionDenied``: a visitor without the right, a forged URL)
    at WARNING with the whole stack of the view that refused it. That is no fault of the server:
    one line says what happened; the traceback only buries real errors in the log.

    The same goes for a request Django refuses with a 400 (``SuspiciousOperation``, logged at
    ERROR by ``django.security.*``): a ``Host`` not in ``SOCLE_ALLOWED_HOSTS`` — a load
    balancer's health check set up with the node's address, every few seconds —, a form too
    large. The line names the cause (« Invalid HTTP_HOST header: '10.0.0.12'… »).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        refused = (PermissionDenied, SuspiciousOperation)
        if record.exc_info and isinstance(record.exc_info[1], refused):
            record.exc_info = None
            record.exc_text = None
        return True


# Paths that carry a secret: the first-connection link (``/compte/activation/<token>/``, a signed
# token that lets whoever holds it choose the account's password for 30 minutes).
_SECRET_PATH = re.compile(r"(/activation/)[^/?#\s'\"]+")


def redact_path(text: str) -> str:
    """``text`` with the token of a first-connection link replaced by « … »."""
    return _SECRET_PATH.sub(r"\1…", text)


class SecretPaths(logging.Filter):
    """Keeps the tokens of first-connection links out of log lines: Django logs the path of
    every answer 4xx/5xx (« Gone: /compte/activation/<token>/ », a link used or expired)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "/activation/" in record.msg:
            record.msg = redact_path(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_path(a) if isinstance(a, str) and "/activation/" in a else a
                for a in record.args
            )
        return True


# Commands whose console is a server's log: every INFO line (traces, access log) belongs there.
SERVER_COMMANDS = frozenset({"serve", "runserver"})
_one_shot_command = False


def set_command_console(command: str) -> None:
    """Called by ``socle.cli.main`` with the command's name before running it: a one-shot
    command (``socle pronote_export``, ``socle directory_import``…) gets the console of
    :class:`CommandConsole`; a server (``socle serve``, ``socle runserver``) keeps every line."""
    global _one_shot_command
    _one_shot_command = bool(command) and command not in SERVER_COMMANDS


class CommandConsole(logging.Filter):
    """Keeps INFO lines (``socle.traces``: « pronote_export ok service=… ») off the console of a
    one-shot command, where they would be mixed with what the command itself says: the trace is
    still stored in the database (« Traces »). Warnings and errors are always shown, and
    ``SOCLE_LOG_LEVEL=DEBUG`` shows everything, commands included. A server's log and the
    processes that do not go through ``socle.cli.main`` (gunicorn's workers, tests) keep every
    line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _one_shot_command or record.levelno >= logging.WARNING:
            return True
        return logging.getLogger().getEffectiveLevel() <= logging.DEBUG


# A 503 Socle answers on purpose and has said in its own words (or counts, and summarises).
_SAID = "_socle_503_said"


def said(request: object) -> None:
    """Marks ``request``: its 503 answer is already in the log, in Socle's words (the store
    failure with its cause, the health check's failing part) or on purpose (the « file
    d'attente » page during a surge, counted and summarised by :class:`Tally`); Django's own
    « Service Unavailable: /cas/login » line, at ERROR, would only repeat it."""
    setattr(request, _SAID, True)


class SaidBySocle(logging.Filter):
    """Drops ``django.request``'s line for a request marked by :func:`said` (Django's records of
    that logger carry the ``request``). During a surge every refused login added an ERROR line;
    during a Redis outage every health check and login two lines, one at ERROR."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.name == "django.request"
            and getattr(getattr(record, "request", None), _SAID, False)
        )


class Tally:
    """Says a recurring event at most once per ``every`` seconds per process, with how many
    happened since its previous line (the first one at once): a surge's thousands of « file
    d'attente » pages a minute are one line a minute, not thousands."""

    def __init__(
        self,
        logger: logging.Logger,
        message: str,
        every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger, self.message, self.every, self.clock = logger, message, every, clock
        self.lock = threading.Lock()
        self.unsaid = 0
        self.said_at: float | None = None

    def add(self) -> None:
        with self.lock:
            self.unsaid += 1
            now = self.clock()
            if self.said_at is not None and now - self.said_at < self.every:
                return
            count, self.unsaid, self.said_at = self.unsaid, 0, now
        self.logger.warning(self.message, count)


class WithOffset(logging.Formatter):
    """Times with their offset from UTC (``2026-12-05 06:10:47,357+0100``), as gunicorn's own
    lines (its start, its workers) carry theirs: beside them in one journal, across a change to
    or from summer time, or read from another time zone, a line names its instant."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = self.converter(record.created)
        day_and_time = time.strftime(datefmt or "%Y-%m-%d %H:%M:%S", moment)
        return f"{day_and_time},{int(record.msecs):03d}{time.strftime('%z', moment)}"
