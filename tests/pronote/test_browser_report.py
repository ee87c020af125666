"""In Chromium: the import report's table shows all its columns on a desktop screen, the last
one (« Identifiants CAS différents », reset by the export) included, in French and English."""

from __future__ import annotations

from typing import Any

import pytest

from socle.pronote.importer.steps import validate_step
from tests.portal.browser import chromium, session_cookie_for
from tests.pronote.helpers import School, start

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["fr-FR", "en-GB"])
def test_it_shows_every_column_of_the_report_without_scrolling_sideways(
    live_server: Any, transactional_db: None, orm_beside_playwright: None, language: str
) -> None:
    school = School()
    admin = school.make_admin()
    finished = start(school.est, "complet", *school.records())
    for number in range(1, 7):
        validate_step(finished, number)
    with chromium() as browser:
        context = browser.new_context(
            locale=language,
            viewport={"width": 1280, "height": 800},
            extra_http_headers={"Accept-Language": language},
        )
        context.add_cookies([session_cookie_for(admin, live_server.url)])
        page = context.new_page()
        page.goto(f"{live_server.url}/gestion/pronote/import/{finished.pk}/rapport/")
        wrap = page.locator(".table-wrap").first
        assert wrap.locator("thead th").count() == 12
        scroll, client = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
        assert scroll <= client, f"{language}: {scroll} px of table in {client} px"
