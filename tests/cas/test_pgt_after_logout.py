"""A proxy-granting ticket asked for once the session has ended: success without a PGT."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from socle.cas.tickets.base import IssuedTicket, SessionEnded
from socle.cas.validation import _grant_pgt
from tests.factories import make_service


class EndedSessionStore:
    def create_pgt(self, **fields: Any) -> Any:
        raise SessionEnded


@pytest.mark.django_db
def test_it_grants_no_pgt_for_a_session_ended_meanwhile() -> None:
    service = make_service(
        "portail", patterns=("https://cb.example.org/**",), proxy_callback_allowed=True
    )
    start = dt.datetime(2026, 9, 7, 8, tzinfo=dt.UTC)
    issued = IssuedTicket("ST-" + "s" * 40, 1, "https://cb.example.org/", 1, "TGC-x", start, False)
    delivered: list[str] = []
    iou = _grant_pgt(
        EndedSessionStore(),  # type: ignore[arg-type]
        issued,
        service,
        "https://cb.example.org/pgt",
        lambda url, pgt, iou: delivered.append(pgt) or True,
    )
    assert iou is None and delivered == []
