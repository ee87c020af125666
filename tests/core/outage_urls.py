"""A URL map whose views fail as a database outage would (tests/core/test_outage.py)."""

import errno

from django.db import IntegrityError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from socle.urls import handler500
from socle.urls import urlpatterns as socle_patterns


def lost(request: HttpRequest) -> HttpResponse:
    raise OperationalError("server closed the connection unexpectedly")


def full(request: HttpRequest) -> HttpResponse:
    raise OperationalError("database or disk is full")


def duplicate(request: HttpRequest) -> HttpResponse:
    raise IntegrityError("UNIQUE constraint failed: directory_person.login")


def disk(request: HttpRequest) -> HttpResponse:
    raise OSError(errno.ENOSPC, "No space left on device")


def bug(request: HttpRequest) -> HttpResponse:
    raise ValueError("a bug")


urlpatterns = [
    path("test-outage/lost", lost),
    path("test-outage/full", full),
    path("test-outage/duplicate", duplicate),
    path("test-outage/disk", disk),
    path("test-outage/bug", bug),
    *socle_patterns,
]
__all__ = ["handler500", "urlpatterns"]
