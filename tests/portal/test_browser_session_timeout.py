"""WCAG 2.2.1: before the single sign-on session ends for lack of activity, a portal page warns,
puts the focus on « Rester connecté », and a press extends the session and gives the focus back
to the field being filled; a press after the end says so and leads back to the page through the
login."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.conf import settings as django_settings

from socle.cas.middleware import SESSION_KEY
from socle.cas.tickets import get_store
from socle.directory.models import Person
from socle.directory.profiles import Profile
from tests.factories import make_establishment, make_person
from tests.portal.axe import violations
from tests.portal.browser import chromium, session_cookie_for

pytestmark = pytest.mark.browser

# Functions, not expressions: Playwright evaluates an expression with eval(), which the pages'
# Content-Security-Policy refuses.
GONE = "() => !document.getElementById('session-timeout').childElementCount"
IDLE = 600  # seconds: the warning comes two minutes before, at 480


def _admin() -> Person:
    school = make_establishment(uai="0312609T")
    return make_person(
        "Florence", "Delmas", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )


def _form(browser: Any, base: str, admin: Person) -> tuple[Any, str]:
    """The new service form with something typed, and the key of the session it runs in."""
    context = browser.new_context(locale="fr-FR")
    cookie = session_cookie_for(admin, base)
    context.add_cookies([cookie])
    page = context.new_page()
    page.clock.install()
    page.goto(base + "/gestion/services/nouveau/")
    page.fill("#id_label", "Cahier de textes")  # the focus is in the form, something typed
    return page, cookie["value"]


def test_it_warns_before_the_session_ends_and_extends_it_from_the_keyboard(
    live_server: Any, transactional_db: None, orm_beside_playwright: None, settings: Any
) -> None:
    settings.SOCLE_CAS_SESSION_IDLE = IDLE
    with chromium() as browser:
        page, _key = _form(browser, live_server.url, _admin())
        alert = page.locator("#session-timeout")
        page.clock.run_for((IDLE - 121) * 1000)
        assert alert.is_hidden()
        page.clock.run_for(2000)
        assert alert.get_attribute("role") == "alert" and alert.is_visible()
        assert alert.inner_text().startswith(
            "Sans activité de votre part, votre session se terminera à "
        )
        assert page.evaluate("document.activeElement.textContent") == "Rester connecté"
        assert violations(page, "Fin de session proche") == []
        with page.expect_response("**/session/prolonger") as answer:
            page.keyboard.press("Enter")
        assert answer.value.status == 204
        page.wait_for_function(GONE)
        assert alert.is_hidden()
        assert (
            page.locator("#session-timeout-status")
            .inner_text()
            .startswith("Session prolongée jusqu’à ")
        )
        assert page.evaluate("document.activeElement.id") == "id_label"
        assert page.input_value("#id_label") == "Cahier de textes"
        page.clock.run_for((IDLE - 119) * 1000)  # a new period: warned again
        assert alert.is_visible()


def test_a_press_after_the_end_says_so_and_leads_back_through_the_login(
    live_server: Any, transactional_db: None, orm_beside_playwright: None, settings: Any
) -> None:
    settings.SOCLE_CAS_SESSION_IDLE = IDLE
    with chromium() as browser:
        page, key = _form(browser, live_server.url, _admin())
        page.clock.run_for((IDLE - 119) * 1000)
        # The session ended meanwhile (idle, logout elsewhere…), in whichever store holds it.
        engine = import_module(django_settings.SESSION_ENGINE)
        engine.SessionStore(key).delete()
        page.keyboard.press("Enter")
        alert = page.locator("#session-timeout")
        page.wait_for_function("() => !!document.querySelector('#session-timeout a')")
        assert alert.inner_text().startswith("Votre session est terminée")
        link = page.locator("#session-timeout a")
        assert link.evaluate("a => a === document.activeElement")
        assert link.get_attribute("href") == "/cas/login?next=%2Fgestion%2Fservices%2Fnouveau%2F"


START = 1796371230  # seconds since the epoch, at :30 of a minute: a few seconds change no minute


def _with_sso_session(page: Any, key: str, admin: Person) -> None:
    """The page again, its Django session now tied to an SSO session (as after /cas/login),
    whose hard end SOCLE_CAS_SESSION_MAX is from now."""
    engine = import_module(django_settings.SESSION_ENGINE)
    store = engine.SessionStore(key)
    store[SESSION_KEY] = get_store().create_session(admin.pk).id
    store.save()
    page.reload()
    page.fill("#id_label", "Cahier de textes")


def _hh_mm(page: Any, seconds_after_start: int) -> str:
    return str(
        page.evaluate(
            f"new Date({(START + seconds_after_start) * 1000}).toLocaleTimeString("
            "document.documentElement.lang, {hour: '2-digit', minute: '2-digit'})"
        )
    )


def test_the_extension_says_the_hard_end_when_sooner_and_the_hard_end_is_warned_of_unextendable(
    live_server: Any, transactional_db: None, orm_beside_playwright: None, settings: Any
) -> None:
    settings.SOCLE_CAS_SESSION_IDLE = IDLE
    settings.SOCLE_CAS_SESSION_MAX = 900  # ends before a second idle period would
    with chromium() as browser:
        admin = _admin()
        context = browser.new_context(locale="fr-FR")
        cookie = session_cookie_for(admin, live_server.url)
        context.add_cookies([cookie])
        page = context.new_page()
        page.clock.install(time=START)
        page.goto(live_server.url + "/gestion/services/nouveau/")
        _with_sso_session(page, cookie["value"], admin)
        alert = page.locator("#session-timeout")
        page.clock.run_for((IDLE - 119) * 1000)  # the idle end's warning, as before
        assert page.evaluate("document.activeElement.textContent") == "Rester connecté"
        with page.expect_response("**/session/prolonger") as answer:
            page.keyboard.press("Enter")
        assert answer.value.status == 204
        page.wait_for_function(GONE)
        # Extended until the hard end (900 s), not a new idle period (481 + 600 s).
        assert page.locator("#session-timeout-status").inner_text() == (
            f"Session prolongée jusqu’à {_hh_mm(page, 900)}."
        )
        page.clock.run_for((900 - 481 - 125) * 1000)  # (the server counts whole seconds)
        assert alert.is_hidden()
        page.clock.run_for(10000)  # two minutes before the hard end
        assert alert.get_attribute("role") == "alert" and alert.is_visible()
        assert alert.inner_text() == (
            f"Votre session se termine à {_hh_mm(page, 900)} ; enregistrez votre travail."
        )
        assert alert.locator("button").count() == 0  # nothing to extend
        assert page.evaluate("document.activeElement.id") == "id_label"  # the focus stays
        assert violations(page, "Fin de session imminente") == []
        page.clock.run_for(120 * 1000)
        assert alert.inner_text().startswith("Votre session est terminée")
        assert page.evaluate("document.activeElement.id") == "id_label"


def test_it_counts_the_other_tabs_as_activity_and_an_extension_in_one_clears_the_others(
    live_server: Any, transactional_db: None, orm_beside_playwright: None, settings: Any
) -> None:
    settings.SOCLE_CAS_SESSION_IDLE = IDLE
    with chromium() as browser:
        first, _key = _form(browser, live_server.url, _admin())
        alert = first.locator("#session-timeout")
        first.clock.run_for(300 * 1000)
        second = first.context.new_page()  # the same person opens another page of the ENT
        second.goto(live_server.url + "/gestion/services/")
        first.clock.run_for((IDLE - 300 - 119) * 1000)
        # 481 s after the first page: no warning, the second page reached the server at 300 s.
        assert alert.is_hidden()
        first.clock.run_for(300 * 1000)  # 481 s after the second page: both warn
        assert alert.is_visible()
        assert second.locator("#session-timeout").is_visible()
        with second.expect_response("**/session/prolonger") as answer:
            second.locator("#session-timeout button").click()
        assert answer.value.status == 204
        first.wait_for_function(GONE)
        assert alert.is_hidden()
        assert (
            first.locator("#session-timeout-status")
            .inner_text()
            .startswith("Session prolongée jusqu’à ")
        )
        assert first.evaluate("document.activeElement.id") == "id_label"
