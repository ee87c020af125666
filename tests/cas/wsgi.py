"""Calling a WSGI application in tests as gunicorn does (``socle.wsgi.application`` and its
parts), with the test's database connection kept across the request."""

from __future__ import annotations

from typing import Any

from django.core import signals
from django.db import close_old_connections

from socle.cas.lean import lean_middleware
from socle.core.lean import LeanHandler


class Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status_code = int(status.split()[0])
        self.headers = {name.lower(): value for name, value in headers}
        self.cookies = [v.strip() for name, v in headers if name.lower() == "set-cookie"]
        self.body = body


def run(app: Any, environ: dict[str, Any]) -> Answer:
    """``app(environ, start_response)``, the body read and closed."""
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen.update(status=status, headers=headers)

    # Like Django's test client: the test's database connection must survive the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        chunks = app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return Answer(seen["status"], seen["headers"], body)


class Spy:
    """The Django handler of a lean route (``socle.cas.lean``), counting the requests it gets."""

    def __init__(self, route: str) -> None:
        self.handler = LeanHandler(lean_middleware(route))
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return self.handler(environ, start_response)
