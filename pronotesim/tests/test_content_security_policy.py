"""pronotesim's pages send a ``Content-Security-Policy`` without ``'unsafe-inline'``, and hold
no inline style or script for it to refuse (the idea of Socle's ``socle.core.csp``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from lxml import html

from pronotesim.base.models import PronoteUser
from pronotesim.csp import HEADER, origin, policy
from tests.helpers import CAS_URL, FakeCas, configure, make_user

ADMIN = "/pronote/administration/"
CONSOLE_PAGES = ["", "ent", "utilisateurs", "export", "alimentation", "echecs"]


def inline_code(content: bytes) -> list[str]:
    """What a ``script-src 'self'; style-src 'self'`` policy would refuse in the page."""
    document = html.fromstring(content)
    found = [f"<style>{e.text_content()[:30]}" for e in document.iter("style")]
    for script in document.iter("script"):
        if not script.get("src") and script.get("type") != "application/json":
            found.append(f"<script>{script.text_content()[:30]}")
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        found += [f"{element.tag} {name}" for name in element.attrib if name == "style"]
        found += [f"{element.tag} {name}" for name in element.attrib if name.startswith("on")]
    return found


def assert_strict(response) -> None:
    assert response.status_code in (200, 401, 403, 503), response.status_code
    header = response[HEADER]
    assert "script-src 'self';" in header and "style-src 'self';" in header
    assert "unsafe-inline" not in header and "frame-ancestors 'none'" in header
    assert inline_code(response.content) == []


def test_it_sends_the_policy_on_every_page_of_the_console(pupil: PronoteUser) -> None:
    client = Client()
    assert_strict(client.get(ADMIN + "connexion"))
    client.post(ADMIN + "connexion", {"password": "spr-test"})
    for page in CONSOLE_PAGES:
        assert_strict(client.get(ADMIN + page))


def test_it_sends_the_policy_on_the_espaces_and_the_forms(pupil: PronoteUser) -> None:
    make_user(
        pronote_id="PRNTJRS2DRCT3A7K",
        category="personnel",
        last_name="DURAND",
        first_name="Anne",
        direct_login="anne.durand",
        password="secret-pn-2",
    )
    configure(cas_enabled=False)
    client = Client()
    assert_strict(client.get("/pronote/"))
    assert_strict(client.get("/pronote/viescolaire.html"))
    client.post("/pronote/viescolaire.html", {"login": "anne.durand", "password": "secret-pn-2"})
    espace = client.get("/pronote/viescolaire.html?login=true")
    assert "Espace Vie scolaire" in espace.content.decode()
    assert_strict(espace)
    assert_strict(client.get("/pronote/eleve.html?login=true"))  # 403 or the form
    configure(published=False)
    assert_strict(Client().get("/pronote/eleve.html"))


def test_the_logout_form_may_end_at_the_cas(pupil: PronoteUser, fake_cas: FakeCas) -> None:
    """« Se déconnecter » goes on to ``<cas>/logout``: browsers check ``form-action`` along
    the redirect too."""
    client = Client()
    ticket = fake_cas.issue(
        "http://testserver/pronote/eleve.html", "u1", idPronote=pupil.pronote_id
    )
    client.get(f"/pronote/eleve.html?ticket={ticket}")
    page = client.get("/pronote/eleve.html")
    assert_strict(page)
    assert "form-action 'self' http://cas.test;" in page[HEADER]
    configure(cas_enabled=False)
    assert "form-action 'self';" in Client().get("/pronote/")[HEADER]


def test_it_reads_the_server_settings_once_for_a_page_and_its_policy(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    """The view has read them: the header is built from the same, not from a new query."""
    client = Client()
    ticket = fake_cas.issue(
        "http://testserver/pronote/eleve.html", "u1", idPronote=pupil.pronote_id
    )
    client.get(f"/pronote/eleve.html?ticket={ticket}")
    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/pronote/eleve.html")
    assert "form-action 'self' http://cas.test;" in answer[HEADER]
    settings_reads = [q for q in queries if "console_serversettings" in q["sql"]]
    assert len(settings_reads) == 1, settings_reads


def test_redirects_and_other_answers_carry_no_policy(pupil: PronoteUser) -> None:
    assert HEADER not in Client().get("/pronote/eleve.html")  # to the CAS
    assert HEADER not in Client().get("/pronote/infoMobileApp.json")
    assert HEADER not in Client().get("/pronote/ressources/pronote.css")


def test_it_serves_its_own_style_sheet_and_script_only() -> None:
    css = Client().get("/pronote/ressources/pronote.css")
    assert css.status_code == 200 and css["Content-Type"] == "text/css; charset=utf-8"
    assert b"header.bandeau" in b"".join(css.streaming_content)
    script = Client().get("/pronote/ressources/ent.js")
    assert script["Content-Type"] == "text/javascript; charset=utf-8"
    assert Client().get("/pronote/ressources/settings.js").status_code == 404
    assert Client().get("/pronote/ressources/..%2Fsettings.py").status_code == 404


@pytest.mark.parametrize(
    ("cas_url", "expected"),
    [
        (CAS_URL, "http://cas.test"),
        ("https://cas.entmip.fr", "https://cas.entmip.fr"),
        ("https://cas.ent27.fr/", "https://cas.ent27.fr"),
        ("javascript:alert(1)", ""),
        ("https://a'b;c/", ""),
    ],
)
def test_it_allows_only_the_cas_origin(cas_url: str, expected: str) -> None:
    assert origin(cas_url) == expected
    assert (
        policy(cas_url).count("form-action 'self'" + (f" {expected}" if expected else "") + ";")
        == 1
    )
