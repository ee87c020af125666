"""axe-core (WCAG 2.1 A and AA) on the PRONOTE pages, in French and in English: the import form
(with and without errors), a step with rows to match by hand, a large removal to confirm (before
and after a validation without its box ticked), the report, « Diagnostic PRONOTE » and the export
(``tests/portal/axe.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from socle.pronote.importer.steps import validate_step
from tests.factories import make_person
from tests.portal.axe import PHONE, checker, submit_to_server
from tests.portal.browser import session_cookie_for
from tests.pronote.helpers import School, make_pupils_with_identifiers, newcomer, record, start

pytestmark = pytest.mark.browser


def _seed() -> tuple[Any, dict[str, str]]:
    """An administrator, a finished import (its report) and one stopped at step 2, where two
    pupils are to be matched by hand (a typo, a missing birth date)."""
    school = School()
    admin = school.make_admin()
    make_person("Thomas", "Martin", establishment=school.est, birth_date=dt.date(2012, 3, 12))
    finished = start(school.est, "complet", *school.records())
    for number in range(1, 7):
        validate_step(finished, number)
    session = start(
        school.est,
        "partiel",
        *school.records(),
        record("eleve", "MARTIN", "Tomas", birth=dt.date(2012, 3, 12)),
        record("eleve", "INCONNU", "Jules", birth=None),
    )
    validate_step(session, 1)
    return admin, {
        "Import PRONOTE": "/gestion/pronote/",
        "Étape 2 · rapprochement à la main": f"/gestion/pronote/import/{session.pk}/etape/2/",
        "Rapport d'import": f"/gestion/pronote/import/{finished.pk}/rapport/",
        "Diagnostic PRONOTE": "/gestion/pronote/diagnostic/",
        "Diagnostic PRONOTE · compte": (
            f"/gestion/pronote/diagnostic/?establishment={school.est.pk}&login={school.emma.login}"
        ),
        "Export PRONOTE": "/gestion/pronote/export/",
    }


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_finds_no_violation_on_the_pronote_pages(
    live_server: Any, transactional_db: None, orm_beside_playwright: None, language: str
) -> None:
    admin, pages = _seed()
    base = live_server.url
    with (
        checker(base) as check,
        check.context(language, cookie=session_cookie_for(admin, base)) as page,
    ):
        for name, path in pages.items():
            check.open(page, path)
            check.check(page, name, language)
        for name in ("Import PRONOTE", "Export PRONOTE"):
            check.open(page, pages[name])
            submit_to_server(page, "main form[enctype] button[type=submit]")
            check.check(page, f"{name} · erreurs", language)
            check.focus_after_error(page, f"{name} · erreurs")
    assert not check.problems, check.report()


def test_it_finds_no_violation_on_a_step_at_phone_width(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    admin, pages = _seed()
    base = live_server.url
    with (
        checker(base) as check,
        check.context("fr", PHONE, session_cookie_for(admin, base)) as page,
    ):
        for name in (
            "Import PRONOTE",
            "Étape 2 · rapprochement à la main",
            "Rapport d'import",
            "Diagnostic PRONOTE · compte",
        ):
            check.open(page, pages[name])
            check.check(page, name, "fr")
    assert not check.problems, check.report()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_finds_no_violation_on_a_large_removal_to_confirm(
    live_server: Any, transactional_db: None, orm_beside_playwright: None, language: str
) -> None:
    """A Complet step that would remove most identifiers (a newcomers-only file): the warning
    with its box, then the step validated without ticking it (the box in error, focused)."""
    school = School()
    admin = school.make_admin()
    make_pupils_with_identifiers(school, 12)
    session = start(school.est, "complet", *newcomer())
    validate_step(session, 1)
    base = live_server.url
    with (
        checker(base) as check,
        check.context(language, cookie=session_cookie_for(admin, base)) as page,
    ):
        check.open(page, f"/gestion/pronote/import/{session.pk}/etape/2/")
        assert page.locator("#removal-warning").count() == 1
        check.check(page, "Étape 2 · suppressions à confirmer", language)
        submit_to_server(page, "main button[name=action][value=validate]")
        assert page.locator("#confirm-removals[aria-invalid=true]").count() == 1
        check.check(page, "Étape 2 · suppressions à confirmer · erreur", language)
        check.focus_after_error(page, "Étape 2 · suppressions à confirmer · erreur")
    assert not check.problems, check.report()
