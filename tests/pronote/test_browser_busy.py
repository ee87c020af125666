"""In Chromium: « Importer » and « Valider… » say that the work is under way, next to the button
(a live region), and a second click while it runs sends nothing more."""

from __future__ import annotations

from typing import Any

import pytest

from tests.portal.browser import chromium, session_cookie_for
from tests.pronote.helpers import School, start

pytestmark = pytest.mark.browser


def test_it_says_a_step_is_being_validated_and_sends_it_once(
    live_server: Any, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls beside Playwright
    school = School()
    admin = school.make_admin()
    session = start(school.est, "complet", *school.records())
    url = f"{live_server.url}/gestion/pronote/import/{session.pk}/etape/1/"
    with chromium() as browser:
        context = browser.new_context(locale="fr-FR")
        context.add_cookies([session_cookie_for(admin, live_server.url)])
        page = context.new_page()
        posts: list[str] = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        page.goto(url)
        status = page.locator("#validate-busy")
        assert status.get_attribute("role") == "status" and status.inner_text() == ""
        # « 204 No Content »: the browser stays on the page, as while a long validation runs.
        page.route(url, lambda route: route.fulfill(status=204))
        button = page.get_by_role("button", name="Valider et passer à l'étape suivante")
        button.click(no_wait_after=True)
        page.wait_for_function("document.getElementById('validate-busy').textContent")
        assert status.inner_text().startswith("Validation de l'étape en cours")
        button.click(no_wait_after=True)
        page.wait_for_timeout(300)  # what a second click would send, it would have sent by now
        assert len(posts) == 1
        # « Interrompre l'import… » is not a long action: it says nothing of the kind.
        assert page.locator("[data-busy]").count() == 1


def test_it_says_the_file_is_being_read(
    live_server: Any, transactional_db: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    school = School()
    admin = school.make_admin()
    upload = tmp_path / "EXP_ELEVES.csv"
    upload.write_text("x", encoding="utf-8")
    url = f"{live_server.url}/gestion/pronote/"
    with chromium() as browser:
        context = browser.new_context(locale="fr-FR")
        context.add_cookies([session_cookie_for(admin, live_server.url)])
        page = context.new_page()
        page.goto(url)
        page.set_input_files("input[type=file]", str(upload))
        page.route(url, lambda route: route.fulfill(status=204))
        page.get_by_role("button", name="Importer").click(no_wait_after=True)
        page.wait_for_function("document.getElementById('import-busy').textContent")
        assert page.locator("#import-busy").inner_text().startswith("Lecture du fichier")
