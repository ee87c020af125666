"""The login form's help to the person typing, in Chromium: « Verr. Maj » said while the password
is typed in capitals, a refused login's message read with the fields it concerns, and the
logout page's « Se reconnecter » leading back to « Mon espace »."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import DEFAULT_PASSWORD, make_person
from tests.portal.browser import chromium, submit

pytestmark = pytest.mark.browser

# Chromium's CapsLock key, pressed through Playwright, sets no modifier state: the key the person
# types is sent as the browser would send it, with « Verr. Maj » on or off.
KEY = """(on) => document.getElementById('id_password').dispatchEvent(
    new KeyboardEvent('keyup', {key: on ? 'D' : 'd', modifierCapsLock: on, bubbles: true}))"""
DESCRIPTION = "(id) => document.getElementById(id).getAttribute('aria-describedby')"
DESCRIBED = """(id) => (document.getElementById(id).getAttribute('aria-describedby') || '')
    .split(' ').filter(Boolean).map((ref) => document.getElementById(ref).textContent.trim())
    .filter(Boolean)"""


def _log_in(page: Any, login: str, password: str = DEFAULT_PASSWORD) -> None:
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    submit(page, "main button[type=submit]")


@pytest.mark.parametrize(
    ("locale", "warning"),
    [("fr-FR", "Attention : la touche Verr. Maj est activée."), ("en-GB", "Caps Lock is on.")],
)
def test_it_says_caps_lock_is_on_while_the_password_is_typed(
    live_server: Any, transactional_db: None, locale: str, warning: str
) -> None:
    with chromium() as browser:
        page = browser.new_page(locale=locale)
        page.goto(live_server.url + "/cas/login")
        note = page.locator("#id_password_capslock")
        assert not note.is_visible()
        page.focus("#id_password")
        page.keyboard.type("abc")
        assert not note.is_visible()
        page.evaluate(KEY, True)
        assert note.is_visible()
        assert note.inner_text() == warning
        assert note.get_attribute("role") == "status"
        assert page.evaluate(DESCRIBED, "id_password") == [warning]
        page.evaluate(KEY, False)
        assert not note.is_visible()
        # off, the note is empty: the field's description is nothing, not a hidden text
        assert page.evaluate(DESCRIBED, "id_password") == []


def test_a_refused_login_is_read_with_both_fields(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    pupil = make_person("Camille", "Martin")
    with chromium() as browser:
        page = browser.new_page(locale="fr-FR")
        page.goto(live_server.url + "/cas/login")
        assert page.evaluate(DESCRIPTION, "id_username") is None
        _log_in(page, pupil.login, "mauvais mot de passe")
        message = ["Identifiant ou mot de passe incorrect."]
        assert page.evaluate(DESCRIBED, "id_username") == message
        assert page.evaluate(DESCRIBED, "id_password") == message


def test_se_reconnecter_after_logout_leads_to_mon_espace(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    pupil = make_person("Camille", "Martin")
    with chromium() as browser:
        page = browser.new_page(locale="fr-FR")
        page.goto(live_server.url + "/cas/login?next=/")
        _log_in(page, pupil.login)
        page.goto(live_server.url + "/cas/logout")
        assert page.locator("h1").inner_text() == "Vous êtes déconnecté"
        submit(page, "text=Se reconnecter")
        _log_in(page, pupil.login)
        assert page.url == live_server.url + "/"
        assert page.locator("h1").inner_text() == "Mon espace"
