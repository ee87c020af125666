"""End to end in Chromium: the administrator declares PRONOTE and opens it to pupils and parents;
a pupil logs in, opens Mon espace, the launcher, and lands in the pupil espace with a ticket."""

from __future__ import annotations

import os
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from socle.portal.models import AccessMode, Service, ServiceActivation, Trace
from tests.factories import DEFAULT_PASSWORD, make_person
from tests.portal.browser import chromium, submit

pytestmark = pytest.mark.browser

PRONOTE = "https://0312609t.index-education.net/pronote/"
CAS_NS = {"cas": "http://www.yale.edu/tp/cas"}


def cas_login(page: Any, login: str, password: str) -> None:
    assert "/cas/login" in page.url
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    submit(page, "button[type=submit]")


def test_pronote_from_the_catalogue_to_the_pupil_espace(
    live_server: Any, transactional_db: None, orm_beside_playwright: None, tmp_path: Path
) -> None:
    school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    Person.objects.create_superuser("admin", "admin-password-2026")
    pupil = make_person("Camille", "Martin", establishment=school, class_name="4A")
    make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    base = live_server.url
    shots = Path(os.environ.get("SOCLE_SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    with chromium() as browser:
        # --- the administrator -----------------------------------------------------------
        admin = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR")
        page = admin.new_page()
        page.goto(base + "/gestion/services/")
        page.screenshot(path=str(shots / "connexion.png"), full_page=True)
        cas_login(page, "admin", "admin-password-2026")
        assert page.url == base + "/gestion/services/"
        submit(page, "text=Nouveau service")
        page.fill("#id_code", "PRONOTECAS")
        page.fill("#id_label", "Pronote.net")
        page.select_option("#id_sso_type", "pronote")
        page.select_option("#id_establishment", str(school.pk))
        page.fill("#id_url", PRONOTE)
        page.fill("#id_category", "Scolarité")
        submit(page, "button:has-text('Enregistrer')")
        assert "/acces-population/" in page.url
        service = Service.objects.get(code="PRONOTECAS")
        assert [p.value for p in service.patterns.all()] == [PRONOTE + "**"]
        assert service.access_mode == AccessMode.RULES
        page.check("input[name='act-enabled'][value='1']")
        page.check("input[name='act-populations'][value='eleve']")
        page.check("input[name='act-populations'][value='parent']")
        submit(page, 'button:has-text("Enregistrer l\'activation")')
        assert page.locator("text=Accessible à : Élève, Parent.").count() == 1
        activation = ServiceActivation.objects.get(service=service, establishment=school)
        assert activation.populations == ["eleve", "parent"]
        page.goto(base + "/cas/logout")
        admin.close()

        # --- the pupil -------------------------------------------------------------------
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR")
        page = context.new_page()
        page.goto(base + "/")
        submit(page, "main >> text=Se connecter")
        cas_login(page, pupil.login, DEFAULT_PASSWORD)
        assert page.url == base + "/"
        assert page.locator("h1", has_text="Mon espace").count() == 1
        submit(page, ".tile >> text=Pronote.net")
        assert page.url == base + "/services/PRONOTECAS/"
        assert page.locator("h1", has_text="Service PRONOTE avec CAS").count() == 1
        requests_seen: list[Any] = []
        page.on("request", lambda request: requests_seen.append(request))
        with page.expect_request(lambda request: request.url.startswith(PRONOTE)):
            page.click("button:has-text('Accéder à Pronote.net')")
        espace = PRONOTE + "eleve.html"
        cas_hop = f"{base}/cas/login?{urllib.parse.urlencode({'service': espace})}"
        # PRONOTE.net itself is out of reach (see tests/portal/browser.py): the CAS's 302 sent
        # the browser there, with the ticket.
        landed = [r for r in requests_seen if r.url.startswith(PRONOTE)]
        assert len(landed) == 1 and landed[0].url.startswith(espace + "?ticket=ST-"), landed
        assert landed[0].redirected_from is not None
        assert landed[0].redirected_from.url == cas_hop
        assert landed[0].redirected_from.response().status == 302
        context.close()

    # the ticket is good for that espace, and for the pupil
    ticket = urllib.parse.parse_qs(urllib.parse.urlsplit(landed[0].url).query)["ticket"][0]
    query = urllib.parse.urlencode({"service": espace, "ticket": ticket})
    with urllib.request.urlopen(f"{base}/cas/serviceValidate?{query}", timeout=10) as answer:
        document = etree.fromstring(answer.read())
    user = document.find("cas:authenticationSuccess/cas:user", CAS_NS)
    assert user is not None and user.text == pupil.uid
    assert Trace.objects.filter(event="ticket_issued", service_code="PRONOTECAS").count() == 1
    assert Trace.objects.filter(event="activation_changed", uai="0312609T").exists()
