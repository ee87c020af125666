"""axe-core (WCAG 2.1 A and AA) on every page of the CAS a person meets, in French and in
English: the login form (plain, for a service, with an error, at phone width), « File
d'attente », the store-down 503, the logout, and the pages that refuse (``tests/portal/axe.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from socle.directory.models import Establishment
from socle.directory.profiles import Profile
from socle.portal.models import AccessMode, ServiceActivation
from tests.factories import DEFAULT_PASSWORD, make_person, make_pronote_service
from tests.portal.axe import PHONE, checker
from tests.portal.browser import submit

pytestmark = pytest.mark.browser

PRONOTE = "https://0312609t.index-education.net/pronote/"
SERVICE = PRONOTE + "eleve.html"


def _seed() -> tuple[Any, Any]:
    """A pupil, whose PRONOTE is open, and a school agent, to whom it is not."""
    school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    pronote = make_pronote_service(school, url=PRONOTE, access_mode=AccessMode.RULES)
    ServiceActivation.objects.create(service=pronote, establishment=school, populations=["eleve"])
    pupil = make_person("Camille", "Martin", establishment=school, class_name="4A")
    agent = make_person("Marc", "Agent", establishment=school, profile=Profile.ADMIN_STAFF)
    return pupil, agent


def _log_in(page: Any, login: str, password: str = DEFAULT_PASSWORD) -> None:
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    submit(page, "main button[type=submit]")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_finds_no_violation_on_the_cas_pages(
    live_server: Any,
    transactional_db: None,
    orm_beside_playwright: None,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    language: str,
) -> None:
    pupil, agent = _seed()
    with checker(live_server.url) as check:
        with check.context(language) as page:
            check.open(page, "/cas/login")
            check.check(page, "Connexion", language)
            _log_in(page, pupil.login, "mauvais mot de passe")
            check.check(page, "Connexion · erreur", language)
            # « Identifiant ou mot de passe incorrect » belongs to no field: the login is kept, the
            # focus goes to the password, to type again.
            check.focus_after_error(page, "Connexion · erreur", "id_password")
            check.open(page, f"/cas/login?service={SERVICE}")
            check.check(page, "Connexion · service", language)
            check.open(page, "/cas/login")
            _log_in(page, pupil.login)
            check.check(page, "Connecté", language)
            check.open(page, "/cas/logout")
            check.check(page, "Déconnexion", language)
        with check.context(language) as page:
            # method=POST (CAS 3.0 §2.1.1): the page that posts the ticket to the service. The
            # service answers 204 No Content here, so the browser stays on the page to check.
            page.route(f"{SERVICE}**", lambda route: route.fulfill(status=204))
            check.open(page, "/cas/login")
            _log_in(page, pupil.login)
            with page.expect_request(lambda request: request.method == "POST"):
                check.open(page, f"/cas/login?service={SERVICE}&method=POST")
            check.check(page, "Redirection", language)
        with check.context(language) as page:
            check.open(page, f"/cas/login?service={SERVICE}")
            _log_in(page, agent.login)
            check.check(page, "Accès au service refusé", language)
            check.open(page, "/cas/login?service=https://inconnu.example.org/", 403)
            check.check(page, "Service inconnu", language)
            check.open(page, "/cas/login?service=https://x.example.org/" + "a" * 2100, 400)
            check.check(page, "Erreur CAS", language)
        with check.context(language) as page:
            check.open(page, "/cas/login")
            # The form outlived its CSRF token (another tab logged out, cookies cleared…).
            page.eval_on_selector(
                "input[name=csrfmiddlewaretoken]", "e => e.value = 'x'.repeat(64)"
            )
            _log_in(page, pupil.login)
            check.check(page, "Formulaire expiré", language)
        with check.context(language) as page, monkeypatch.context() as patch:
            from socle.core.admission import QueueFull

            def full(*args: Any, **kwargs: Any) -> Any:
                raise QueueFull(600)  # long enough for the page to stay while it is checked

            patch.setattr("socle.cas.authentication.password_hash_slot", full)
            check.open(page, "/cas/login")
            _log_in(page, pupil.login)
            assert page.locator("#queue-retry").count() == 1
            check.check(page, "File d'attente", language)
        with check.context(language) as page:
            check.open(page, "/cas/login")
            settings.SOCLE_CAS_TICKET_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
            _log_in(page, pupil.login)
            assert page.locator("h1").inner_text() in (
                "Service momentanément indisponible",
                "Service temporarily unavailable",
            )
            check.check(page, "Service indisponible", language)
    assert not check.problems, check.report()


def test_it_finds_no_violation_on_the_login_page_at_phone_width(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    pupil, _agent = _seed()
    with checker(live_server.url) as check, check.context("fr", PHONE) as page:
        check.open(page, f"/cas/login?service={SERVICE}")
        check.check(page, "Connexion", "fr")
        _log_in(page, pupil.login, "mauvais mot de passe")
        check.check(page, "Connexion · erreur", "fr")
    assert not check.problems, check.report()
