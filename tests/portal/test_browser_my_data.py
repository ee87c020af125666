"""« Mes données » in a browser: a pupil's and a parent's page, in French and in English, on a
desktop and on a 360 px phone — axe-core finds nothing, the page never scrolls sideways, its
traces are one card per row on the phone, and the file downloads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from socle.directory.models import Establishment
from socle.directory.profiles import Profile
from socle.portal.models import Trace, UsernameMode
from tests.factories import make_parent_link, make_person, make_service
from tests.portal.axe import DESKTOP, checker
from tests.portal.browser import session_cookie_for
from tests.portal.phone import PHONE

pytestmark = pytest.mark.browser

LAYOUT = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push('page ' + document.documentElement.scrollWidth + ' px wide');
  }
  for (const el of document.querySelectorAll('main dt, main dd, main td')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.left < 0 || r.right > width + 1)) {
      problems.push('out of view: ' + el.textContent.slice(0, 40));
    }
  }
  return problems;
}"""


def _people() -> tuple[Any, Any]:
    school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    pupil = make_person(
        "Camille-Alexandrine",
        "Martin-Desrosiers de la Tour",
        establishment=school,
        class_name="4A",
        birth_date=dt.date(2012, 2, 1),
        email="camille-alexandrine.martin-desrosiers@example.org",
    )
    parent = make_person("Nathalie", "Martin", establishment=school, profile=Profile.PARENT)
    make_parent_link(parent, pupil)
    make_service(
        "cdi",
        label="Centre de documentation et d'information du collège",
        released_attributes=["nom", "prenom", "classes", "mail"],
        username_mode=UsernameMode.PAIRWISE,
    )
    now = timezone.now()
    for hours in range(6):
        Trace.objects.create(
            event="ticket_issued",
            person=pupil,
            service_code="cdi",
            client_ip="2001:db8:85a3::8a2e:370:7334",
            at=now - dt.timedelta(hours=hours),
            detail="https://cdi.example.org/une/adresse/vraiment/tres/longue/pour/mesurer",
        )
    return pupil, parent


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_lays_out_my_data_for_a_desktop_and_a_phone(
    live_server: Any, transactional_db: None, orm_beside_playwright: None, language: str
) -> None:
    pupil, parent = _people()
    base = live_server.url
    with checker(base) as check:
        for who, person in (("élève", pupil), ("parent", parent)):
            for viewport in (DESKTOP, PHONE):
                cookie = session_cookie_for(person, base)
                with check.context(language, viewport, cookie=cookie) as page:
                    check.open(page, "/mes-donnees/")
                    check.check(page, f"Mes données · {who}", language)
                    for problem in page.evaluate(LAYOUT):
                        check.problems.append(f"{who} {viewport['width']} px: {problem}")
                    if viewport is PHONE and person is pupil:
                        shown = page.evaluate(
                            "() => getComputedStyle(document.querySelector('main td')).display"
                        )
                        assert shown == "block"  # one card per trace
                    if viewport is DESKTOP and person is pupil:
                        with page.expect_download() as download:
                            page.click("form[action='/mes-donnees/fichier'] button")
                        path = download.value.path()
                        text = Path(path).read_text(encoding="utf-8")
                        assert "Martin-Desrosiers de la Tour" in text
    assert not check.problems, check.report()
