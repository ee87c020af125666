"""« File d'attente »: the automatic retry of a queued login can be suspended and resumed from
the keyboard, and each change is said once in a status message (WCAG 2.2.1, 2.2.2, 4.1.3)."""

from __future__ import annotations

from typing import Any

import pytest

from socle.core.admission import QueueFull
from tests.factories import DEFAULT_PASSWORD, make_person
from tests.portal.browser import chromium, submit

pytestmark = pytest.mark.browser


def _queued_page(browser: Any, base: str, login: str, script: bool = True) -> Any:
    page = browser.new_page(locale="fr-FR", java_script_enabled=script)
    page.clock.install()  # the page's timers run when the test moves the clock, not before
    page.goto(base + "/cas/login")
    page.fill("#id_username", login)
    page.fill("#id_password", DEFAULT_PASSWORD)
    submit(page, "main button[type=submit]")
    assert page.title().startswith("File d'attente")
    return page


def test_it_lets_the_keyboard_suspend_and_resume_the_automatic_retry(
    live_server: Any,
    transactional_db: None,
    orm_beside_playwright: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pupil = make_person("Camille", "Martin")

    def full(*args: Any, **kwargs: Any) -> Any:
        raise QueueFull(5)

    monkeypatch.setattr("socle.cas.authentication.password_hash_slot", full)
    with chromium() as browser:
        page = _queued_page(browser, live_server.url, pupil.login)
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
        monkeypatch.undo()  # a slot is free now: the retry logs the pupil in
        with page.expect_navigation():
            page.clock.run_for(5000)
        assert page.locator("h1").inner_text() == "Vous êtes connecté"


def test_it_retries_by_itself_when_nobody_suspends_it(
    live_server: Any,
    transactional_db: None,
    orm_beside_playwright: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pupil = make_person("Camille", "Martin")

    def full(*args: Any, **kwargs: Any) -> Any:
        raise QueueFull(5)

    monkeypatch.setattr("socle.cas.authentication.password_hash_slot", full)
    with chromium() as browser:
        page = _queued_page(browser, live_server.url, pupil.login)
        assert page.locator("#queue-pause").is_visible()
        assert page.locator("#queue-countdown").is_visible()
        assert page.locator("#queue-manual").is_hidden()
        monkeypatch.undo()
        with page.expect_navigation():
            page.clock.run_for(5000)
        assert page.locator("h1").inner_text() == "Vous êtes connecté"


def test_without_javascript_nothing_moves_by_itself_and_the_button_retries(
    live_server: Any,
    transactional_db: None,
    orm_beside_playwright: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No meta refresh, which nobody could stop (WCAG 2.2.1) and which brought an empty login
    form: the page says to press « Réessayer maintenant », which posts the sealed retry."""
    pupil = make_person("Camille", "Martin")

    def full(*args: Any, **kwargs: Any) -> Any:
        raise QueueFull(5)

    monkeypatch.setattr("socle.cas.authentication.password_hash_slot", full)
    with chromium() as browser:
        page = _queued_page(browser, live_server.url, pupil.login, script=False)
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        assert page.locator("#queue-manual").is_visible()
        assert page.locator("#queue-auto").is_hidden() and page.locator("#queue-pause").is_hidden()
        monkeypatch.undo()
        submit(page, "#queue-retry button[type=submit]")
        assert page.locator("h1").inner_text() == "Vous êtes connecté"
