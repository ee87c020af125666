"""In Chromium: the first-connection page's show/hide toggle, then the way back to /cas/login."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from socle.directory.activation import activation_redirect, issue_code
from socle.directory.models import Person
from tests.factories import make_person

pytestmark = pytest.mark.browser

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def test_the_password_can_be_shown_then_the_person_is_sent_to_the_cas_login(
    live_server: Any, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM checks beside Playwright
    person = make_person("Camille", "Martin", password=None)
    issued = issue_code(person)
    url = activation_redirect(person.login, issued.code, "https://appli.example.org/")
    assert url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            page = browser.new_page(locale="fr-FR")
            page.goto(live_server.url + url)
            field = page.locator("#id_new_password1")
            field.fill("un cheval mange des pommes")
            assert field.get_attribute("type") == "password"
            page.locator("#id_new_password1 + button").click()
            assert field.get_attribute("type") == "text"
            assert page.locator("#id_new_password1 + button").inner_text() == "Masquer"
            # Each button is named after its field for a screen reader.
            assert page.get_by_role("button", name="Masquer le nouveau mot de passe").count() == 1
            assert page.get_by_role("button", name="Afficher la confirmation").count() == 1
            page.fill("#id_new_password2", "un cheval mange des pommes")
            page.check("#id_accept_terms")
            with page.expect_request(lambda r: "/cas/login" in r.url) as request:
                page.click("button[type=submit]")
            target = urlsplit(request.value.url)
            assert target.path == "/cas/login" and "appli.example.org" in target.query
        finally:
            browser.close()
    assert Person.objects.get(pk=person.pk).check_password("un cheval mange des pommes")
