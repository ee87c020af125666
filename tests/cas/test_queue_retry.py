"""The « File d'attente » page retries the login with a sealed token, never the password."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote_plus

import pytest
from django.test import Client, override_settings
from lxml import etree

from socle.cas import retry
from socle.cas.views import login as login_view
from socle.cas.views.common import TGC_COOKIE
from socle.core.logfilters import Tally
from tests.cas.conftest import SERVICE_URL
from tests.core.test_logfilters import console_lines
from tests.factories import DEFAULT_PASSWORD

REFUSED = "La nouvelle tentative automatique n'est plus valable"


@pytest.fixture
def saturated(monkeypatch: pytest.MonkeyPatch):
    """No password-hash slot is free until the test calls the fixture's ``free()``."""
    from socle.core.admission import QueueFull

    def full(*args: Any, **kwargs: Any) -> Any:
        raise QueueFull(7)

    class Node:
        def free(self) -> None:
            monkeypatch.undo()

    monkeypatch.setattr("socle.cas.authentication.password_hash_slot", full)
    return Node()


def _queued(browser: Client, login: str, password: str = DEFAULT_PASSWORD) -> Any:
    """A login through the form, as a browser makes it, that meets the queue page."""
    form = etree.HTML(browser.get("/cas/login", {"service": SERVICE_URL}).content)
    token = form.find(".//input[@name='csrfmiddlewaretoken']").get("value")
    data = {
        "username": login,
        "password": password,
        "service": SERVICE_URL,
        "csrfmiddlewaretoken": token,
    }
    response = browser.post("/cas/login", data)
    assert response.status_code == 503
    return response


def _retry_data(queue_page: Any) -> dict[str, str]:
    """What the queue page's automatic retry posts."""
    form = etree.HTML(queue_page.content).find(".//form[@id='queue-retry']")
    return {field.get("name"): field.get("value") for field in form.iter("input")}


def test_it_keeps_the_password_out_of_the_queue_page(pupil, service, saturated) -> None:
    browser = Client(enforce_csrf_checks=True)
    page = _queued(browser, pupil.login).content.decode()
    for form in (DEFAULT_PASSWORD, html.escape(DEFAULT_PASSWORD), quote_plus(DEFAULT_PASSWORD)):
        assert form not in page
    assert pupil.login not in page
    fields = _retry_data(_queued(browser, pupil.login))
    assert "password" not in fields and "username" not in fields
    assert fields["service"] == SERVICE_URL and fields[retry.FIELD]


def test_it_logs_in_with_the_retry_token_once_a_slot_is_free(pupil, service, saturated) -> None:
    browser = Client(enforce_csrf_checks=True)
    data = _retry_data(_queued(browser, pupil.login))
    saturated.free()
    response = browser.post("/cas/login", data)
    assert response.status_code == 302
    assert response["Location"].startswith(SERVICE_URL + "?ticket=ST-")
    assert TGC_COOKIE in response.cookies


def test_a_retry_that_meets_the_queue_again_gets_a_new_token(pupil, service, saturated) -> None:
    browser = Client(enforce_csrf_checks=True)
    first = _retry_data(_queued(browser, pupil.login))
    again = browser.post("/cas/login", first)
    assert again.status_code == 503
    second = _retry_data(again)
    assert second[retry.FIELD] != first[retry.FIELD]
    saturated.free()
    assert browser.post("/cas/login", second).status_code == 302


def test_a_retry_with_a_wrong_password_is_a_failed_login(pupil, service, saturated) -> None:
    browser = Client(enforce_csrf_checks=True)
    data = _retry_data(_queued(browser, pupil.login, password="wrong"))
    saturated.free()
    response = browser.post("/cas/login", data)
    page = response.content.decode()
    assert response.status_code == 200 and "Identifiant ou mot de passe incorrect." in page
    assert "wrong" not in page


def _assert_refused(response: Any) -> None:
    page = response.content.decode()
    assert response.status_code == 200 and REFUSED in html.unescape(page)
    form = etree.HTML(response.content)
    assert form.find(".//input[@name='password']") is not None  # the login form, to type again
    assert form.find(".//input[@name='service']").get("value") == SERVICE_URL
    assert TGC_COOKIE not in response.cookies


def test_it_refuses_an_expired_token(pupil, service, saturated, monkeypatch) -> None:
    browser = Client(enforce_csrf_checks=True)
    data = _retry_data(_queued(browser, pupil.login))
    saturated.free()
    later = retry.now() + retry.lifetime() + 1
    monkeypatch.setattr(retry, "now", lambda: later)
    _assert_refused(browser.post("/cas/login", data))


def test_it_accepts_a_token_within_its_lifetime(pupil, service, saturated, monkeypatch) -> None:
    browser = Client(enforce_csrf_checks=True)
    data = _retry_data(_queued(browser, pupil.login))
    saturated.free()
    later = retry.now() + retry.lifetime() - 5
    monkeypatch.setattr(retry, "now", lambda: later)
    assert browser.post("/cas/login", data).status_code == 302


def test_its_lifetime_covers_the_longest_delay_the_queue_page_announces(settings) -> None:
    settings.SOCLE_ADMISSION_RETRY_AFTER = 30  # pages announce 30 to 60 s
    assert 60 < retry.lifetime() <= 5 * 60


@pytest.mark.parametrize("position", [0, 40, -5])
def test_it_refuses_a_tampered_token(pupil, service, saturated, position) -> None:
    browser = Client(enforce_csrf_checks=True)
    data = _retry_data(_queued(browser, pupil.login))
    saturated.free()
    token = data[retry.FIELD]
    changed = "A" if token[position] != "A" else "B"
    data[retry.FIELD] = token[:position] + changed + token[position:][1:]
    _assert_refused(browser.post("/cas/login", data))


@pytest.mark.parametrize("token", ["", "not a token", "é" * 10, "x" * 10_000])
def test_it_refuses_a_forged_token(pupil, service, token) -> None:
    browser = Client()
    browser.get("/cas/login")  # a CSRF cookie, as a browser has
    _assert_refused(browser.post("/cas/login", {"service": SERVICE_URL, retry.FIELD: token}))


def test_it_refuses_a_token_copied_to_another_browser(pupil, service, saturated) -> None:
    data = _retry_data(_queued(Client(enforce_csrf_checks=True), pupil.login))
    saturated.free()
    other = Client(enforce_csrf_checks=True)
    form = etree.HTML(other.get("/cas/login", {"service": SERVICE_URL}).content)
    data["csrfmiddlewaretoken"] = form.find(".//input[@name='csrfmiddlewaretoken']").get("value")
    _assert_refused(other.post("/cas/login", data))


def test_it_refuses_a_token_that_has_already_logged_in(pupil, service, saturated) -> None:
    """Django gives the browser a new CSRF secret at login: the next person at a shared
    computer who goes back to the queue page cannot log in again with it."""
    browser = Client()
    data = _retry_data(_queued(browser, pupil.login))
    saturated.free()
    assert browser.post("/cas/login", data).status_code == 302
    browser.get("/cas/logout")
    _assert_refused(browser.post("/cas/login", data))


def test_it_refuses_a_token_sealed_with_another_secret_key(pupil, service, saturated) -> None:
    browser = Client()
    with override_settings(SECRET_KEY="another-" + "k" * 50):
        data = _retry_data(_queued(browser, pupil.login))
    saturated.free()
    _assert_refused(browser.post("/cas/login", data))


def test_it_opens_a_token_sealed_just_before_a_key_rotation(
    pupil, service, saturated, settings
) -> None:
    browser = Client()
    data = _retry_data(_queued(browser, pupil.login))
    saturated.free()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-" + "k" * 50
    assert browser.post("/cas/login", data).status_code == 302


def test_the_token_does_not_work_as_a_password(pupil, service, saturated) -> None:
    browser = Client()
    token = _retry_data(_queued(browser, pupil.login))[retry.FIELD]
    saturated.free()
    data = {"username": pupil.login, "password": token, "service": SERVICE_URL}
    response = browser.post("/cas/login", data)
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()


def test_it_never_logs_the_token_or_the_password(pupil, service, saturated, caplog) -> None:
    browser = Client()
    caplog.set_level("DEBUG")
    data = _retry_data(_queued(browser, pupil.login))
    saturated.free()
    data[retry.FIELD] = data[retry.FIELD][:-3] + "AAA"
    browser.post("/cas/login", data)
    assert "retry refused" in caplog.text
    assert data[retry.FIELD][:20] not in caplog.text and DEFAULT_PASSWORD not in caplog.text


def test_a_surge_is_one_log_line_a_minute_with_its_count(
    pupil, service, saturated, monkeypatch, caplog
) -> None:
    """Thousands of « file d'attente » pages a minute: neither one ERROR line each (Django's
    « Service Unavailable ») nor one line each of Socle's."""
    now = [0.0]
    tally = Tally(login_view.logger, login_view.QUEUE_FULL.message, clock=lambda: now[0])
    monkeypatch.setattr(login_view, "QUEUE_FULL", tally)
    browser = Client()
    for _ in range(3):
        _queued(browser, pupil.login)
    now[0] += 60.0
    _queued(browser, pupil.login)
    lines = [r.getMessage() for r in console_lines(caplog.records) if r.levelno >= 30]
    assert [line.split(" login(s)")[0] for line in lines] == [
        "login queue full: 1",
        "login queue full: 3",
    ]
