"""In Chromium, at a desktop width: a step page shows each PRONOTE identifier on one line, in the
unrecognised rows and in the recognised ones (16 characters cut in two read as two codes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from socle.directory.profiles import Profile
from socle.pronote.importer.steps import validate_step
from tests.factories import make_person
from tests.portal.browser import chromium, session_cookie_for
from tests.pronote.helpers import School, record, start

pytestmark = pytest.mark.browser


def test_it_shows_each_pronote_identifier_on_one_line(
    live_server: Any, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls beside Playwright
    school = School()
    admin = school.make_admin()
    birth = dt.date(2013, 3, 17)
    make_person(
        "Mathéo",
        "FOURNIER",
        establishment=school.est,
        profile=Profile.PUPIL,
        class_name="5C",
        birth_date=birth,
    )  # the typo's candidate: a long label widens the « Identifier » column
    unknown = record(
        "eleve", "FOURNEIR", "Matheo", pid="MPMC8Q5U92VJQR33", birth=birth, class_name="5C"
    )
    session = start(school.est, "complet", *school.records(), unknown)
    validate_step(session, 1)
    with chromium() as browser:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.add_cookies([session_cookie_for(admin, live_server.url)])
        page = context.new_page()
        page.goto(f"{live_server.url}/gestion/pronote/import/{session.pk}/etape/2/")
        page.locator("details summary").first.click()
        codes = page.locator("main table code")
        assert codes.count() >= 2  # the unrecognised row and the recognised ones
        for code in codes.all():
            box = code.bounding_box()
            line = float(code.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
            assert box is not None and box["height"] < 1.5 * line, code.inner_text()
