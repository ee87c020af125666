"""Messages after a redirect (« Le service … a été supprimé. ») are announced by screen readers:
their live region is in the page, empty, when the message is put in it once the page has
loaded (a region that arrives with its content is not announced). Without JavaScript the
message is shown all the same, and the focus is never moved to it."""

from __future__ import annotations

from typing import Any

import pytest

from socle.directory.models import Person
from tests.factories import make_service
from tests.portal.browser import chromium, session_cookie_for, submit

pytestmark = pytest.mark.browser

DELETED = "Le service « Cahier de textes » a été supprimé."

# Before the page's own scripts: note every text put into a live region after the load event.
WATCH = """
window.__loaded = false;
window.__announced = [];
window.addEventListener("load", function () { window.__loaded = true; });
new MutationObserver(function (records) {
  records.forEach(function (record) {
    var region = record.target.closest && record.target.closest("[role=status], [role=alert]");
    if (!region || !window.__loaded) { return; }
    record.addedNodes.forEach(function (node) {
      var text = (node.textContent || "").trim();
      if (text) { window.__announced.push({role: region.getAttribute("role"), text: text}); }
    });
  });
}).observe(document, {childList: true, subtree: true});
"""


def _delete_a_service(browser: Any, live_server: Any, *, script: bool) -> Any:
    admin = Person.objects.create_superuser("admin", "admin-password-2026")
    service = make_service("cdt", label="Cahier de textes")
    context = browser.new_context(locale="fr-FR", java_script_enabled=script)
    context.add_cookies([session_cookie_for(admin, live_server.url)])
    page = context.new_page()
    page.add_init_script(WATCH)
    page.goto(f"{live_server.url}/gestion/services/{service.pk}/supprimer/")
    submit(page, "button:has-text('Supprimer définitivement')")
    assert page.url == f"{live_server.url}/gestion/services/"
    return page


def test_it_announces_the_message_of_a_page_reached_after_a_form(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    with chromium() as browser:
        page = _delete_a_service(browser, live_server, script=True)
        page.wait_for_function("() => window.__announced.length > 0")
        announced = page.evaluate("window.__announced")
        shown = page.locator("main .messages [role=status]")
        assert shown.inner_text().strip() == DELETED and shown.is_visible()
        focused = page.evaluate("document.activeElement.tagName")
    assert announced == [{"role": "status", "text": DELETED}]
    assert focused == "BODY"  # the focus is not taken from where the browser put it


def test_it_shows_the_message_without_javascript(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    with chromium() as browser:
        page = _delete_a_service(browser, live_server, script=False)
        shown = page.locator("main .messages [role=status]")
        assert shown.inner_text().strip() == DELETED and shown.is_visible()


def test_it_announces_nothing_on_a_page_without_message(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    admin = Person.objects.create_superuser("admin", "admin-password-2026")
    with chromium() as browser:
        context = browser.new_context(locale="fr-FR")
        context.add_cookies([session_cookie_for(admin, live_server.url)])
        page = context.new_page()
        page.add_init_script(WATCH)
        page.goto(f"{live_server.url}/gestion/services/")
        page.wait_for_timeout(600)
        assert page.evaluate("window.__announced") == []
        assert page.locator("main .messages").count() == 0
        assert page.evaluate("document.activeElement.tagName") == "BODY"
