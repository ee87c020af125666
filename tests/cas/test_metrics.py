"""``GET /metrics``: off without a token, refused without it, and what a login counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from socle.directory.models import Person
from socle.portal.models import Service
from tests.cas.conftest import SERVICE_URL, cas_login

TOKEN = "m" * 40

pytestmark = pytest.mark.django_db


def events(event: str, outcome: str, service: str = "") -> float:
    labels = {"event": event, "outcome": outcome, "service": service}
    return REGISTRY.get_sample_value("socle_events_total", labels) or 0.0


def scrape(client: Client) -> dict[str, Any]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    return {f.name: f for f in text_string_to_metric_families(response.content.decode())}


def test_it_is_off_without_a_token(client: Client, settings: Any) -> None:
    settings.SOCLE_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_it_refuses_a_scraper_without_the_token(
    client: Client, settings: Any, header: str | None
) -> None:
    settings.SOCLE_METRICS_TOKEN = TOKEN
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="socle-metrics"'
    assert b"socle_" not in response.content


def test_it_counts_logins_tickets_and_validations_per_service(
    client: Client, settings: Any, pupil: Person, service: Service
) -> None:
    settings.SOCLE_METRICS_TOKEN = TOKEN
    before = {
        "login": events("login", "ok", "appli"),
        "issued": events("ticket_issued", "ok", "appli"),
        "failed": events("login_failed", "refused"),
        "validated": events("ticket_validated", "ok", "appli"),
    }
    assert cas_login(client, pupil, SERVICE_URL, password="wrong").status_code == 200
    answer = cas_login(client, pupil, SERVICE_URL)
    ticket = answer["Location"].split("ticket=")[1]  # type: ignore[index]
    Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    assert events("login", "ok", "appli") == before["login"] + 1
    assert events("ticket_issued", "ok", "appli") == before["issued"] + 1
    assert events("login_failed", "refused") == before["failed"] + 1
    assert events("ticket_validated", "ok", "appli") == before["validated"] + 1
    families = scrape(client)
    assert {
        "socle_events",
        "socle_login_queue_waiting",
        "socle_login_queue_wait_seconds",
        "socle_login_queue_full",
        "socle_store_unavailable",
        "socle_pronote_missing_identifier",
    } <= set(families)
    page = scrape(client)["socle_events"]
    samples = [s for s in page.samples if s.name == "socle_events_total"]
    assert all(set(s.labels) == {"event", "outcome", "service"} for s in samples)
    # no person, address nor ticket in the page
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert pupil.login not in text and "127.0.0.1" not in text and "ST-" not in text


def test_nothing_is_counted_when_it_is_off(
    client: Client, settings: Any, pupil: Person, service: Service
) -> None:
    settings.SOCLE_METRICS_TOKEN = ""
    before = events("login", "ok", "appli")
    cas_login(client, pupil, SERVICE_URL)
    assert events("login", "ok", "appli") == before


def test_an_unreachable_store_is_counted(
    client: Client, settings: Any, pupil: Person, service: Service, monkeypatch: Any
) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    settings.SOCLE_METRICS_TOKEN = TOKEN
    before = REGISTRY.get_sample_value("socle_store_unavailable_total") or 0.0

    def down(*args: Any, **kwargs: Any) -> None:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr("socle.cas.views.login.find_service", down)
    assert client.get("/cas/login", {"service": SERVICE_URL}).status_code == 503
    assert REGISTRY.get_sample_value("socle_store_unavailable_total") == before + 1


def test_a_validation_failing_on_the_store_is_counted(
    client: Client, settings: Any, monkeypatch: Any
) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    settings.SOCLE_METRICS_TOKEN = TOKEN
    before = REGISTRY.get_sample_value("socle_store_unavailable_total") or 0.0

    def down() -> None:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr("socle.cas.answers.get_store", down)
    answer = client.get("/cas/serviceValidate", {"ticket": "ST-x", "service": SERVICE_URL})
    assert b"INTERNAL_ERROR" in answer.content
    assert REGISTRY.get_sample_value("socle_store_unavailable_total") == before + 1
