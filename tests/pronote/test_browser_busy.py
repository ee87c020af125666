"""In Chromium: « Importer » and « Valider… » say that the work is under way, next to the button
(a live region), and a second click while it runs sends nothing more."""

from __future__ import annotations

from typing import Any

import pytest

from socle.directory.models import Person
from tests.pronote.browser import page_as
from tests.pronote.helpers import School, start

pytestmark = pytest.mark.browser


def test_it_says_a_step_is_being_validated_and_sends_it_once(
    live_server: Any, school_in_browser: tuple[School, Person]
) -> None:
    school, admin = school_in_browser
    session = start(school.est, "complet", *school.records())
    url = f"{live_server.url}/gestion/pronote/import/{session.pk}/etape/1/"
    with page_as(admin, live_server) as page:
        posts: list[str] = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        page.goto(url)
        status = page.locator("#validate-busy")
        assert status.get_attribute("role") == "status" and status.inner_text() == ""
        # « 204 No Content »: the browser stays on the page, as while a long validation runs.
        page.route(url, lambda route: route.fulfill(status=204))
        button = page.get_by_role("button", name="Valider et passer à l'étape suivante")
        button.click(no_wait_after=True)
        page.wait_for_function("() => document.getElementById('validate-busy').textContent")
        assert status.inner_text().startswith("Validation de l'étape en cours")
        button.click(no_wait_after=True)
        page.wait_for_timeout(300)  # what a second click would send, it would have sent by now
        assert len(posts) == 1
        # « Interrompre l'import… » is not a long action: it says nothing of the kind.
        assert page.locator("[data-busy]").count() == 1


def test_it_says_the_file_is_being_read(
    live_server: Any, school_in_browser: tuple[School, Person], tmp_path: Any
) -> None:
    _school, admin = school_in_browser
    upload = tmp_path / "EXP_ELEVES.csv"
    upload.write_text("x", encoding="utf-8")
    url = f"{live_server.url}/gestion/pronote/"
    with page_as(admin, live_server) as page:
        page.goto(url)
        page.set_input_files("input[type=file]", str(upload))
        page.route(url, lambda route: route.fulfill(status=204))
        page.get_by_role("button", name="Importer").click(no_wait_after=True)
        page.wait_for_function("() => document.getElementById('import-busy').textContent")
        assert page.locator("#import-busy").inner_text().startswith("Lecture du fichier")
