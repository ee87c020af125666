"""The service form's warning for a plain-http PRONOTE.net (no SAML attribute, so no idPronote:
``socle.portal.saml_http``), as a school's administrator sees it: shown under the URL, read with
the field, and no axe-core violation, in French and in English."""

from __future__ import annotations

from typing import Any

import pytest

from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from tests.factories import make_person, make_service
from tests.portal.axe import checker
from tests.portal.browser import session_cookie_for

pytestmark = pytest.mark.browser


def _school_and_admin() -> tuple[Establishment, Person]:
    school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    admin = make_person(
        "Claire", "Dupuis", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )
    return school, admin


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_shows_the_http_warning_under_the_url_without_violation(
    live_server: Any, transactional_db: None, orm_beside_playwright: None, language: str
) -> None:
    school, admin = _school_and_admin()
    service = make_service(
        "PRONOTECAS",
        sso_type="pronote",
        establishment=school,
        url="http://pronote.lycee.test/pronote/",
        patterns=("http://pronote.lycee.test/pronote/**",),
    )
    base = live_server.url
    cookie = session_cookie_for(admin, base)
    with checker(base) as check, check.context(language, cookie=cookie) as page:
        check.open(page, f"/gestion/services/{service.pk}/")
        warning = page.locator("#id_url_warning")
        assert warning.is_visible()
        assert "idPronote" in warning.inner_text()
        described = page.locator("#id_url").get_attribute("aria-describedby") or ""
        assert "id_url_warning" in described.split()
        check.check(page, "Service en http", language)
    assert not check.problems, check.report()


def test_it_shows_the_http_warning_on_the_read_only_page_without_violation(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    """A service of the whole ENT, which the school's administrator sees but may not edit: the
    same warning under its URL, naming the service's own identifier attribute."""
    _school, admin = _school_and_admin()
    service = make_service(
        "PRONOTE-ENT",
        sso_type="pronote",
        url="http://pronote.lycee.test/pronote/",
        patterns=("http://pronote.lycee.test/pronote/**",),
        pronote_id_attribute="idEnt",
    )
    base = live_server.url
    cookie = session_cookie_for(admin, base)
    with checker(base) as check, check.context("fr", cookie=cookie) as page:
        check.open(page, f"/gestion/services/{service.pk}/")
        warning = page.locator("#id_url_warning")
        assert warning.is_visible()
        assert '"idEnt"' in warning.inner_text()
        check.check(page, "Service en lecture seule en http", "fr")
    assert not check.problems, check.report()
