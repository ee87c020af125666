"""The Content-Security-Policy in Chromium (``socle.core.csp``): no violation on the main pages
and what their scripts do — the login page in both languages (wrong password, Caps Lock), the
login for a service and its redirect, the method=POST page, the portal, a message announced,
the password toggle, « File d'attente », the session-timeout warning, the administration
pages, the Django admin and the PRONOTE import — and each script, a static file now, loaded
and run. The axe checker (``tests/portal/axe.py``) gathers violations on its pages too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory

from socle.core import csp
from socle.core.admission import QueueFull
from socle.directory.profiles import Profile
from tests.factories import DEFAULT_PASSWORD, make_establishment, make_person, make_service
from tests.portal.axe import Checker
from tests.portal.browser import chromium, session_cookie_for, submit
from tests.portal.csp import watch
from tests.pronote.helpers import School, record, start

pytestmark = pytest.mark.browser

SERVICE = "https://appli.example.org/accueil"
CAPS_LOCK = """() => document.getElementById('id_password').dispatchEvent(
    new KeyboardEvent('keyup', {key: 'D', modifierCapsLock: true, bubbles: true}))"""


class Visit(Checker):
    """The axe checker's contexts (their CSP violations and static files not served gathered),
    where the service answers for itself, without the network."""

    @contextmanager
    def context(self, language: str = "fr", cookie: Any = None) -> Iterator[Any]:  # type: ignore[override]
        with super().context(language, cookie=cookie) as page:
            page.context.route(
                "https://appli.example.org/**",
                lambda route: route.fulfill(status=200, body="appli", content_type="text/plain"),
            )
            yield page


def _message_cookie(base: str, text: str) -> dict[str, Any]:
    """A pending message, in the cookie of Django's messages (base.html's announced region)."""
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(messages.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    value = response.cookies[storage.cookie_name].value
    return {"name": storage.cookie_name, "value": value, "url": base}


def _log_in(page: Any, login: str, password: str = DEFAULT_PASSWORD) -> None:
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    submit(page, "main button[type=submit]")


def test_it_records_what_the_policy_refuses() -> None:
    """The watch sees an inline script, an event handler and a style attribute refused."""
    page_with_all = (
        '<!doctype html><p style="color:red" onclick="x()">p</p><script>var a = 1;</script>'
    )
    with chromium() as browser:
        context = browser.new_context()
        refused = watch(context)
        context.route(
            "http://localhost/probe",
            lambda route: route.fulfill(
                status=200,
                body=page_with_all,
                content_type="text/html",
                headers={csp.HEADER: csp.DEFAULT_POLICY},
            ),
        )
        page = context.new_page()
        page.goto("http://localhost/probe")
        page.click("p")
        page.wait_for_timeout(200)  # the events reach Python through the binding
        context.close()
    directives = " ".join(refused)
    assert "script-src-elem" in directives and "style-src-attr" in directives
    assert "script-src-attr" in directives


def test_it_finds_no_violation_on_the_main_pages(
    live_server: Any,
    transactional_db: None,
    orm_beside_playwright: None,
    settings: Any,
) -> None:
    settings.SOCLE_CAS_SESSION_IDLE = 600
    school = make_establishment(uai="0312609T", name="Collège Jean Jaurès")
    make_service("appli", patterns=("https://appli.example.org/**",))
    pupil = make_person("Camille", "Martin", establishment=school, class_name="4A")
    admin = make_person(
        "Claire", "Dupuis", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )
    superuser = make_person("Ada", "Root", is_superuser=True, is_staff=True)
    base = live_server.url
    with chromium() as browser:
        visit = Visit(browser, base)
        for language in ("fr", "en"):
            with visit.context(language) as page:
                visit.open(page, "/cas/login")
                _log_in(page, pupil.login, "mauvais mot de passe")
                assert page.locator("#id_login_error").is_visible()
                page.evaluate(CAPS_LOCK)
                assert page.locator("#id_password_capslock").is_visible()  # cas/capslock.js
        with visit.context() as page:
            # A service's login: the redirect after the form reaches the service (form-action).
            # (Playwright routes no redirect: that request fails offline, once sent.)
            visit.open(page, f"/cas/login?service={SERVICE}")
            page.fill("#id_username", pupil.login)
            page.fill("#id_password", DEFAULT_PASSWORD)
            with page.expect_request(lambda r: r.url.startswith(SERVICE + "?ticket=ST-")):
                page.click("main button[type=submit]")
            # method=POST: the page posts the ticket to the service by itself.
            page = page.context.new_page()
            with page.expect_request(lambda r: r.method == "POST" and r.url == SERVICE):
                page.goto(f"{base}/cas/login?service={SERVICE}&method=POST", wait_until="commit")
            visit.open(page, "/")
            assert page.locator(".site-header").is_visible()
            visit.open(page, "/cas/logout")
        with visit.context(cookie=session_cookie_for(pupil, base)) as page:
            visit.open(page, "/compte/mot-de-passe")
            assert page.locator("#id_new_password1 + button").count() == 1  # password-toggle.js
            page.context.add_cookies([_message_cookie(base, "Services mis à jour.")])
            visit.open(page, "/")
            # socle/announce.js empties the message's live region, then fills it again.
            announced = "() => document.querySelector('.messages [role]').textContent.length > 0"
            page.wait_for_function(announced)
        with visit.context() as page:
            # « File d'attente »: every hash slot taken, then freed for the automatic retry.
            def full(*args: Any, **kwargs: Any) -> Any:
                raise QueueFull(5)

            with pytest.MonkeyPatch.context() as slots:
                slots.setattr("socle.cas.authentication.password_hash_slot", full)
                page.clock.install()
                visit.open(page, "/cas/login")
                _log_in(page, make_person("Léo", "Petit", establishment=school).login)
                assert page.title().startswith("File d'attente")
                assert page.locator("#queue-pause").is_visible()  # cas/queue.js
            with page.expect_navigation():
                page.clock.run_for(6000)
            assert page.locator("h1").inner_text() == "Vous êtes connecté"
        with visit.context(cookie=session_cookie_for(admin, base)) as page:
            page.clock.install()
            visit.open(page, "/gestion/services/nouveau/")
            page.clock.run_for(481_000)
            assert page.locator("#session-timeout").is_visible()  # session-timeout.js
            for path in ("/gestion/", "/gestion/services/", "/gestion/traces/"):
                visit.open(page, path)
            visit.open(page, "/gestion/indicateurs/")
        pronote = School()
        session = start(
            pronote.est, "partiel", *pronote.records(), record("eleve", "INCONNU", "Jules")
        )
        with visit.context(cookie=session_cookie_for(pronote.make_admin(), base)) as page:
            visit.open(page, "/gestion/pronote/")
            visit.open(page, f"/gestion/pronote/import/{session.pk}/etape/1/")
            assert page.locator("link[href*='pronote/pronote.css']").count() == 1
        with visit.context(cookie=session_cookie_for(superuser, base)) as page:
            for path in (
                "/django-admin/",
                "/django-admin/directory/person/",
                f"/django-admin/directory/person/{pupil.pk}/change/",
                "/django-admin/portal/service/add/",
            ):
                visit.open(page, path)
    assert visit.problems == []
