"""Ticket and session lifetimes, read from settings at each call (tests may override them)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def ticket_lifetime(prefix: str) -> dt.timedelta:
    seconds = settings.SOCLE_CAS_PT_LIFETIME if prefix == "PT" else settings.SOCLE_CAS_ST_LIFETIME
    return dt.timedelta(seconds=seconds)


def pgt_lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SOCLE_CAS_PGT_LIFETIME)


def session_idle() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SOCLE_CAS_SESSION_IDLE)


def session_max() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SOCLE_CAS_SESSION_MAX)
