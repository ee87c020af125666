"""A service's « Se déconnecter » form, on the service's own site, POSTing to ``/cas/logout``:
Chromium sends none of the ENT's ``SameSite=Lax`` cookies with that cross-site POST, so the
logout must reach them another way (a 303 to the GET logout) for the portal to close too."""

from __future__ import annotations

from typing import Any

import pytest

from socle.directory.models import Establishment
from tests.factories import DEFAULT_PASSWORD, make_person, make_service
from tests.portal.browser import chromium, submit

pytestmark = pytest.mark.browser

SERVICE_SITE = "https://appli.example.org"  # answered by the test itself (page.route)
LOGGED_IN = ".user-nav a[href='/cas/logout']"  # « Se déconnecter » in the header
FORM = """<!doctype html><html lang="fr"><title>Appli</title>
<form method="post" action="{logout}"><input type="hidden" name="service" value="{back}">
<button type="submit">Se déconnecter</button></form></html>"""


def test_it_closes_the_portal_after_a_logout_posted_from_the_services_site(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    pupil = make_person("Camille", "Martin", establishment=school, class_name="4A")
    # the page the service sends back to is on the live server (page.route answers no redirect)
    make_service("appli", patterns=(f"{SERVICE_SITE}/**", f"{live_server.url}/au-revoir"))
    with chromium() as browser:
        page = browser.new_context(ignore_https_errors=True).new_page()
        page.route(
            f"{SERVICE_SITE}/**",
            lambda route: route.fulfill(
                content_type="text/html",
                body=FORM.format(
                    logout=f"{live_server.url}/cas/logout", back=f"{live_server.url}/au-revoir"
                ),
            ),
        )
        page.goto(f"{live_server.url}/cas/login")
        page.fill("#id_username", pupil.login)
        page.fill("#id_password", DEFAULT_PASSWORD)
        submit(page, "main button[type=submit]")
        page.goto(f"{live_server.url}/")
        assert page.locator(LOGGED_IN).count() == 1  # logged in to the portal

        page.goto(f"{SERVICE_SITE}/accueil")
        submit(page, "button[type=submit]")
        assert page.url == f"{live_server.url}/au-revoir"  # a registered service: redirected

        page.goto(f"{live_server.url}/")
        assert page.locator(LOGGED_IN).count() == 0  # the portal is closed
