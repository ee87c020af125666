"""axe-core (WCAG 2.1 A and AA) on the account pages, in French and in English: password
change, first connection (with and without errors, expired link), and an administrator's
password reset (of a blocked account too) (``tests/portal/axe.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from socle.directory import blocking
from socle.directory.activation import activation_redirect, issue_code
from socle.directory.models import Establishment
from socle.directory.profiles import Profile
from tests.factories import DEFAULT_PASSWORD, make_person
from tests.portal.axe import PHONE, checker, submit_to_server
from tests.portal.browser import session_cookie_for, submit

pytestmark = pytest.mark.browser

NEW_PASSWORD = "un cheval mange des pommes"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_finds_no_violation_on_the_account_pages(
    live_server: Any, transactional_db: None, orm_beside_playwright: None, language: str
) -> None:
    school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    pupil = make_person("Camille", "Martin", establishment=school, class_name="4A")
    newcomer = make_person("Yanis", "Haddad", establishment=school, password=None)
    admin = make_person(
        "Claire", "Dupuis", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )
    activation = activation_redirect(newcomer.login, issue_code(newcomer).code, None)
    assert activation is not None
    base = live_server.url
    with checker(base) as check:
        with check.context(language, cookie=session_cookie_for(pupil, base)) as page:
            check.open(page, "/compte/mot-de-passe")
            check.check(page, "Mot de passe", language)
            page.fill("#id_old_password", "faux")
            page.fill("#id_new_password1", "court")
            page.fill("#id_new_password2", "autre")
            submit_to_server(page, "main button[type=submit]")
            check.check(page, "Mot de passe · erreurs", language)
            check.focus_after_error(page, "Mot de passe · erreurs")
            page.fill("#id_old_password", DEFAULT_PASSWORD)
            page.fill("#id_new_password1", NEW_PASSWORD)
            page.fill("#id_new_password2", NEW_PASSWORD)
            submit(page, "main button[type=submit]")
            check.check(page, "Mot de passe changé", language)
        with check.context(language) as page:
            check.open(page, activation)
            check.check(page, "Première connexion", language)
            page.fill("#id_new_password1", NEW_PASSWORD)
            submit_to_server(page, "main button[type=submit]")
            check.check(page, "Première connexion · erreurs", language)
            check.focus_after_error(page, "Première connexion · erreurs")
            check.open(page, "/compte/activation/perime/", 410)
            check.check(page, "Lien d'activation invalide", language)
        with check.context(language, cookie=session_cookie_for(admin, base)) as page:
            check.open(page, f"/compte/reinitialiser/{pupil.uid}/")
            check.check(page, "Réinitialiser", language)
            submit(page, "main button[type=submit]")
            check.check(page, "Code de réinitialisation", language)
            check.open(page, f"/compte/reinitialiser/{pupil.uid}/code/")
            check.check(page, "Code déjà affiché", language)
            check.open(page, f"/compte/reinitialiser/{admin.uid}/", 403)
            check.check(page, "Réinitialisation refusée", language)
            blocking.block(newcomer, by=admin, until=dt.date(2099, 1, 31))
            check.open(page, f"/compte/reinitialiser/{newcomer.uid}/")
            check.check(page, "Réinitialiser · compte bloqué", language)
    assert not check.problems, check.report()


def test_it_finds_no_violation_on_the_first_connection_at_phone_width(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    newcomer = make_person("Yanis", "Haddad", password=None)
    activation = activation_redirect(newcomer.login, issue_code(newcomer).code, None)
    assert activation is not None
    with checker(live_server.url) as check, check.context("fr", PHONE) as page:
        check.open(page, activation)
        check.check(page, "Première connexion", "fr")
    assert not check.problems, check.report()
