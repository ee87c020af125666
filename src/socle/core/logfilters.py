"""Logging filters of Socle's ``LOGGING`` (settings.py)."""

from __future__ import annotations

import logging

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
