"""The focus ring in Chromium: form fields get the dark ring that buttons and links have inside
the yellow outline, since the yellow alone is 1.6:1 against white (WCAG 1.4.11 asks 3:1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.portal.browser import chromium

pytestmark = pytest.mark.browser

INK = "rgb(27, 36, 48)"  # --ink in socle.css
YELLOW = "rgb(255, 191, 71)"  # --focus

RING = """() => {
    const style = getComputedStyle(document.activeElement);
    return {id: document.activeElement.id, outline: style.outlineColor, ring: style.boxShadow};
}"""


def test_it_rings_a_focused_field_in_dark_inside_the_yellow_as_a_button(
    live_server: Any, transactional_db: None
) -> None:
    with chromium() as browser:
        page = browser.new_page(locale="fr-FR")
        page.goto(live_server.url + "/cas/login")
        page.focus("#id_username")  # the autofocus may not have run yet when the page loads
        page.keyboard.press("Tab")  # from the login field to the password
        field = page.evaluate(RING)
        page.keyboard.press("Tab")
        button = page.evaluate(RING)
    assert field["id"] == "id_password"
    assert field["outline"] == button["outline"] == YELLOW
    assert INK in field["ring"] and INK in button["ring"], (field, button)
