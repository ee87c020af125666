"""socle.core.metrics: the login queue's counts, PRONOTE's missing identifiers, the token check."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.checks import run_checks
from prometheus_client import REGISTRY

from socle.core.admission import ClientGone, Gate, QueueFull
from tests.core.test_admission import make_policy


def value(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def test_it_counts_the_waits_and_the_queue_full_pages(tmp_path: Any, settings: Any) -> None:
    settings.SOCLE_METRICS_TOKEN = "t" * 40
    gate = Gate(make_policy(tmp_path, max_wait=0.05))
    full, waits = (
        value("socle_login_queue_full_total"),
        value("socle_login_queue_wait_seconds_count"),
    )
    seen_waiting: list[float] = []

    def watch() -> None:
        for _ in range(200):
            seen_waiting.append(value("socle_login_queue_waiting"))
            threading.Event().wait(0.001)

    with gate.slot():  # the one slot is busy: the next login waits 50 ms, then the 503 page
        watcher = threading.Thread(target=watch)
        watcher.start()
        with pytest.raises(QueueFull), gate.slot():
            pass
        watcher.join()
    assert value("socle_login_queue_full_total") == full + 1
    assert value("socle_login_queue_wait_seconds_count") == waits + 1
    assert value("socle_login_queue_wait_seconds_sum") >= 0.05
    assert max(seen_waiting) == 1 and value("socle_login_queue_waiting") == 0
    with gate.slot():  # served at once: no wait observed
        pass
    assert value("socle_login_queue_wait_seconds_count") == waits + 1


def test_it_counts_the_logins_abandoned_while_waiting(tmp_path: Any, settings: Any) -> None:
    settings.SOCLE_METRICS_TOKEN = "t" * 40
    gate = Gate(make_policy(tmp_path, max_wait=5))
    before = value("socle_login_queue_abandoned_total")
    with gate.slot(), pytest.raises(ClientGone), gate.slot(still_wanted=lambda: False):
        pass
    assert value("socle_login_queue_abandoned_total") == before + 1


def test_pronote_tickets_without_identifier_are_counted(settings: Any, db: Any) -> None:
    from socle.pronote.attributes import pronote_attributes
    from tests.factories import make_establishment, make_person
    from tests.pronote.test_attributes import pronote_service

    settings.SOCLE_METRICS_TOKEN = "t" * 40
    before = value("socle_pronote_missing_identifier_total")
    school = make_establishment()
    pronote_attributes(make_person(establishment=school), pronote_service(school))
    assert value("socle_pronote_missing_identifier_total") == before + 1


@pytest.mark.parametrize(("token", "warned"), [("", False), ("court", True), ("x" * 32, False)])
def test_a_short_token_is_a_configuration_warning(settings: Any, token: str, warned: bool) -> None:
    settings.SOCLE_METRICS_TOKEN = token
    ids = {message.id for message in run_checks()}
    assert ("socle.W092" in ids) is warned
