"""A database that cannot answer gets a 503 with Retry-After on every page, not the 500 page
(socle/core/outage.py)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from socle.core.logfilters import SaidBySocle

pytestmark = [pytest.mark.urls("tests.core.outage_urls"), pytest.mark.django_db]


@pytest.fixture
def browser() -> Client:
    return Client(raise_request_exception=False)


def test_it_answers_a_lost_database_connection_with_a_503_and_retry_after(
    browser: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        answer = browser.get("/test-outage/lost")
    assert answer.status_code == 503
    assert answer["Retry-After"] == "30"
    page = answer.content.decode()
    assert "Service momentanément indisponible" in page
    assert "connexion au serveur de base de données perdue" in page
    assert 'href="/test-outage/lost"' in page  # « Réessayer »
    # Django's « Service Unavailable » line (with its traceback) is dropped by the console's
    # filter; Socle's own is one line without traceback
    django_lines = [r for r in caplog.records if r.name == "django.request"]
    assert django_lines and not any(SaidBySocle().filter(r) for r in django_lines)
    socle_lines = [r for r in caplog.records if r.name == "socle.outage"]
    assert len(socle_lines) <= 1 and not any(r.exc_info for r in socle_lines)


def test_it_says_a_full_disk_in_the_same_page(browser: Client) -> None:
    answer = browser.get("/test-outage/full")
    assert answer.status_code == 503
    assert "plus de place sur le disque" in answer.content.decode()


@pytest.mark.parametrize("path", ["/test-outage/duplicate", "/test-outage/bug"])
def test_it_keeps_the_500_page_for_what_is_a_bug(browser: Client, path: str) -> None:
    answer = browser.get(path)
    assert answer.status_code == 500
    assert "Une erreur s'est produite" in answer.content.decode()
    assert not answer.has_header("Retry-After")


def test_it_says_it_in_english_too(browser: Client) -> None:
    answer = browser.get("/test-outage/lost", headers={"Accept-Language": "en"})
    page = answer.content.decode()
    assert answer.status_code == 503 and '<html lang="en">' in page
    assert "Service temporarily unavailable" in page and "Try again" in page


def test_it_answers_a_full_disk_met_before_the_view_with_a_503(browser: Client) -> None:
    answer = browser.get("/test-outage/disk")
    assert answer.status_code == 503 and answer["Retry-After"] == "30"
    assert "plus de place sur le disque" in answer.content.decode()
