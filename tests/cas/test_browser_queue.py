"""« File d'attente »: the automatic retry of a queued login can be suspended and resumed from
the keyboard, and each change is said once in a status message (WCAG 2.2.1, 2.2.2, 4.1.3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from socle.core.admission import QueueFull
from tests.factories import DEFAULT_PASSWORD, make_person
from tests.portal.browser import chromium, submit

pytestmark = pytest.mark.browser


@pytest.fixture
def free_a_slot(
    transactional_db: None, orm_beside_playwright: None, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], None]:
    """Every password-hash slot is taken (each login is queued) until the test calls the
    function returned."""

    def full(*args: Any, **kwargs: Any) -> Any:
        raise QueueFull(5)

    monkeypatch.setattr("socle.cas.authentication.password_hash_slot", full)
    return monkeypatch.undo


def _queued_page(browser: Any, base: str, script: bool = True) -> Any:
    """A pupil's login page, sent while every slot is taken: the queue's page."""
    login = make_person("Camille", "Martin").login
    page = browser.new_page(locale="fr-FR", java_script_enabled=script)
    page.clock.install()  # the page's timers run when the test moves the clock, not before
    page.goto(base + "/cas/login")
    page.fill("#id_username", login)
    page.fill("#id_password", DEFAULT_PASSWORD)
    submit(page, "main button[type=submit]")
    assert page.title().startswith("File d'attente")
    return page


def test_it_lets_the_keyboard_suspend_and_resume_the_automatic_retry(
    live_server: Any, free_a_slot: Callable[[], None]
) -> None:
    with chromium() as browser:
        page = _queued_page(browser, live_server.url)
        status = page.locator("#queue-status")
        assert status.get_attribute("role") == "status" and status.inner_text() == ""
        page.clock.run_for(2000)
        assert page.locator("#queue-delay").inner_text() == "3"
        page.focus("#queue-pause")
        page.keyboard.press("Enter")
        assert page.locator("#queue-pause").inner_text() == "Reprendre les essais automatiques"
        assert status.inner_text().startswith("Essais automatiques suspendus.")
        assert page.locator("#queue-countdown").is_hidden()
        page.clock.run_for(60_000)  # a minute later, nothing has been posted
        assert page.title().startswith("File d'attente") and page.locator("#queue-status").count()
        assert status.inner_text().startswith("Essais automatiques suspendus.")
        page.keyboard.press("Enter")
        assert status.inner_text() == "Essais automatiques repris. Nouvel essai dans 5 secondes."
        assert page.locator("#queue-pause").inner_text() == "Suspendre les essais automatiques"
        free_a_slot()  # the retry logs the pupil in
        with page.expect_navigation():
            page.clock.run_for(5000)
        assert page.locator("h1").inner_text() == "Vous êtes connecté"


def test_it_retries_by_itself_when_nobody_suspends_it(
    live_server: Any, free_a_slot: Callable[[], None]
) -> None:
    with chromium() as browser:
        page = _queued_page(browser, live_server.url)
        assert page.locator("#queue-pause").is_visible()
        assert page.locator("#queue-countdown").is_visible()
        assert page.locator("#queue-manual").is_hidden()
        free_a_slot()
        with page.expect_navigation():
            page.clock.run_for(5000)
        assert page.locator("h1").inner_text() == "Vous êtes connecté"


def test_without_javascript_nothing_moves_by_itself_and_the_button_retries(
    live_server: Any, free_a_slot: Callable[[], None]
) -> None:
    """No meta refresh, which nobody could stop (WCAG 2.2.1) and which brought an empty login
    form: the page says to press « Réessayer maintenant », which posts the sealed retry."""
    with chromium() as browser:
        page = _queued_page(browser, live_server.url, script=False)
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        assert page.locator("#queue-manual").is_visible()
        assert page.locator("#queue-auto").is_hidden() and page.locator("#queue-pause").is_hidden()
        free_a_slot()
        submit(page, "#queue-retry button[type=submit]")
        assert page.locator("h1").inner_text() == "Vous êtes connecté"
