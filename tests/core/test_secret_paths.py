"""The token of a first-connection link (``/compte/activation/<token>/``: whoever holds it may
choose the account's password for 30 minutes) never reaches a log line: neither Django's line
for an answer 4xx (socle.core.logfilters.SecretPaths) nor gunicorn's access log
(socle.core.access_log)."""

from __future__ import annotations

import datetime as dt
import io
import logging
from types import SimpleNamespace

from django.test import Client
from django.urls import reverse
from gunicorn.config import Config

from socle.core.access_log import Logger
from socle.core.logfilters import SecretPaths
from socle.directory.activation import find_valid_code, first_connection_url, issue_code
from tests.factories import make_person


def _console() -> logging.StreamHandler:  # type: ignore[type-arg]
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler)
        and any(isinstance(f, SecretPaths) for f in h.filters)
    ]
    assert handlers, "the console handler of settings.LOGGING has lost its SecretPaths filter"
    return handlers[0]


def _stale_link() -> str:
    person = make_person(password=None)
    issued = issue_code(person)
    row = find_valid_code(person.login, issued.code)
    assert row is not None
    url = first_connection_url(row, None)
    row.used_at = row.created_at  # used: the link answers 410
    row.save()
    return url


def test_django_s_line_for_a_stale_link_does_not_carry_its_token(client: Client) -> None:
    url = _stale_link()
    token = url.split("/activation/")[1].strip("/")
    console = _console()
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        assert client.get(url).status_code == 410
    finally:
        console.setStream(previous)  # type: ignore[arg-type]
    logged = stream.getvalue()
    assert "/compte/activation/…/" in logged
    assert token not in logged


def test_the_access_log_does_not_carry_the_token() -> None:
    path = reverse("directory:activate", kwargs={"token": "eyJjIjo0Mn0:1tX:secret-part"})
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path + "?service=x",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": path,
        "QUERY_STRING": "service=x",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = Logger(Config()).atoms(response, SimpleNamespace(headers=[]), environ, dt.timedelta())
    assert atoms["U"] == "/compte/activation/…/"
    assert "secret-part" not in atoms["r"]
