"""Logging filters of Socle's ``LOGGING`` (settings.py)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class ForbiddenWithoutTraceback(logging.Filter):
    """Keeps Django's « Forbidden (Permission denied) » line without its traceback.

    Django logs a refused page (``PermissionDenied``: a visitor without the right, a forged URL)
    at WARNING with the whole stack of the view that refused it. That is no fault of the server:
    one line says what happened; the traceback only buries real errors in the log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
