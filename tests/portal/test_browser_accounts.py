"""« Comptes » in Chromium: a school's administrator finds a pupil by a name typed without its
accents, blocks the account until a date with a reason, sees it blocked in the list, and
unblocks it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from socle.directory.models import Person
from socle.directory.profiles import Profile
from tests.factories import make_establishment, make_person
from tests.portal.browser import chromium, session_cookie_for, submit

pytestmark = pytest.mark.browser


def test_an_administrator_finds_blocks_and_unblocks_a_pupil(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    school = make_establishment("0312609T", "Collège Jean Jaurès")
    admin = make_person(
        "Claire", "Dupuis", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )
    pupil = make_person("Éloïse", "Lefèvre", establishment=school, class_name="4A")
    make_person("Camille", "Martin", establishment=school, class_name="4A")
    until = dt.date.today() + dt.timedelta(days=30)
    with chromium() as browser:
        context = browser.new_context(locale="fr-FR")
        context.add_cookies([session_cookie_for(admin, live_server.url)])
        page = context.new_page()
        page.goto(f"{live_server.url}/gestion/")
        submit(page, "main a[href='/gestion/comptes/']")
        page.fill("#id_q", "eloise lefevre")
        submit(page, "button:has-text('Rechercher')")
        rows = page.locator("#accounts tbody tr")
        assert rows.count() == 1 and "eloise.lefevre" in rows.first.inner_text()
        submit(page, "#accounts tbody tr >> a:has-text('Bloquer')")
        assert "Bloquer le compte de Éloïse Lefèvre ?" in page.inner_text("h1")
        page.fill("#id_until", until.isoformat())
        page.fill("#id_reason", "usurpation signalée")
        submit(page, "button:has-text('Bloquer le compte')")
        assert "/gestion/comptes/?q=eloise+lefevre" in page.url  # back to the search
        said = f"Le compte de Éloïse Lefèvre est bloqué : bloqué jusqu'au {until:%d/%m/%Y} inclus."
        page.locator("main .messages [role=status]", has_text=said).wait_for()
        row = page.locator("#accounts tbody tr").first.inner_text()
        assert f"bloqué jusqu'au {until:%d/%m/%Y} inclus" in row and "usurpation signalée" in row
        assert not Person.objects.get(pk=pupil.pk).is_active
        submit(page, "#accounts tbody tr >> a:has-text('Débloquer')")
        submit(page, "button:has-text('Débloquer le compte')")
        assert "actif" in page.locator("#accounts tbody tr").first.inner_text()
    assert Person.objects.get(pk=pupil.pk).is_active


WIDE = """() => {
  const wrap = document.querySelector('.table-wrap');
  const box = wrap.getBoundingClientRect();
  const links = [...wrap.querySelectorAll('td.cell-actions a')];
  return {
    scrolls: wrap.scrollWidth > wrap.clientWidth + 1,
    page: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    hidden: links.filter(a => a.getBoundingClientRect().right > box.right + 1)
      .map(a => a.textContent),
    links: links.length,
  };
}"""


def test_it_shows_every_column_and_action_of_the_accounts_at_1280_px_without_scrolling(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    """Long names and logins, a teacher of several establishments' profiles, a pupil blocked
    with a long reason: the table fits the page; « Traces » and « Bloquer » are in view."""
    from socle.directory import blocking
    from tests.factories import make_membership

    school = make_establishment("0312609T", "Collège Jean Jaurès")
    admin = make_person(
        "Marie-Christine",
        "Delacroix-Fontaine",
        establishment=school,
        profile=Profile.DIRECTION,
        is_admin=True,
    )
    make_membership(admin, school, profile=Profile.TEACHER, class_name="3B")
    make_membership(admin, school, profile=Profile.DOCUMENTALIST, class_name="4C")
    blocked = make_person(
        "Éloïse-Marguerite", "Mc Carthy de la Tour", establishment=school, class_name="5D"
    )
    blocking.block(
        blocked,
        by=admin,
        until=dt.date.today() + dt.timedelta(days=7),
        reason="Mot de passe prêté à un camarade : à changer avec la famille avant la reprise.",
    )
    for n in range(3):
        make_person(f"Camille{n}", "Martin", establishment=school, class_name="4A")
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR")
        context.add_cookies([session_cookie_for(admin, live_server.url)])
        page = context.new_page()
        page.goto(f"{live_server.url}/gestion/comptes/")
        measured = page.evaluate(WIDE)
        context.close()
    assert measured["links"] >= 6 * 2, measured
    assert not measured["scrolls"] and not measured["page"], measured
    assert measured["hidden"] == [], measured
