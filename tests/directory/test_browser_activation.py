"""In Chromium: the first-connection page's show/hide toggle, then the CAS login that follows
without asking the password again: the service opens with a ticket."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from socle.directory.activation import activation_redirect, issue_code
from socle.directory.models import Person
from tests.factories import make_establishment, make_person, make_service

pytestmark = pytest.mark.browser

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def test_the_password_can_be_shown_then_the_person_lands_on_the_service_logged_in(
    live_server: Any, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM checks beside Playwright
    school = make_establishment(uai="0312609T")
    person = make_person("Camille", "Martin", password=None, establishment=school, class_name="4A")
    make_service("appli", patterns=("https://appli.example.org/**",))
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
            # The name says the state: no « pressed » beside it; the change is said once.
            assert page.locator("#id_new_password1 + button").get_attribute("aria-pressed") is None
            assert page.locator("[role=status]").inner_text() == "Mot de passe affiché en clair."
            page.locator("#id_new_password1 + button").click()
            assert field.get_attribute("type") == "password"
            assert page.locator("[role=status]").inner_text() == "Mot de passe masqué."
            page.fill("#id_new_password2", "un cheval mange des pommes")
            page.check("#id_accept_terms")
            # The service stands for itself: its page is answered here, without the network.
            page.route(
                "https://appli.example.org/**",
                lambda route: route.fulfill(status=200, body="appli", content_type="text/plain"),
            )
            at_service = "https://appli.example.org/"
            with (
                page.expect_request(lambda r: "/cas/login" in r.url) as request,
                page.expect_request(lambda r: r.url.startswith(at_service)) as landed,
            ):
                page.click("button[type=submit]")
            target = urlsplit(request.value.url)
            assert target.path == "/cas/login" and "appli.example.org" in target.query
            assert landed.value.url.startswith(at_service + "?ticket=ST-")
            assert page.locator("#id_password").count() == 0  # no second password form
        finally:
            browser.close()
    assert Person.objects.get(pk=person.pk).check_password("un cheval mange des pommes")
