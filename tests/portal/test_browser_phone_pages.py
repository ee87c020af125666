"""Every portal page on a 360 px phone, as each kind of person meets it: the page never scrolls
sideways, a table that scrolls inside its box keeps its actions in view, the wide tables without
actions (the PRONOTE report, « Traces », « Accès ») are cards whose cells carry their column's
name, and the header's account links and the administration menu are one row each. On an upright
tablet (768 px) no page scrolls sideways either, those tables being cards there too, and a table
that scrolls in its box keeps its actions in view there too."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socle.directory.activation import activation_redirect, issue_code
from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from socle.portal.models import Trace
from tests.factories import make_person
from tests.portal.browser import chromium
from tests.portal.phone import PHONE, phone_school, sized_page

pytestmark = pytest.mark.browser

LAYOUT = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const inView = e => {
    const r = e.getBoundingClientRect();
    return r.left >= 0 && r.right <= width;
  };
  if (document.documentElement.scrollWidth > width) {
    problems.push('page ' + document.documentElement.scrollWidth + ' px wide');
  }
  for (const wrap of document.querySelectorAll('.table-wrap')) {
    if (wrap.scrollWidth <= wrap.clientWidth + 1) continue;
    const actions = [...wrap.querySelectorAll('td.cell-actions')];
    if (!actions.length) problems.push('table scrolls: ' + wrap.scrollWidth + ' px');
    if (actions.some(td => !inView(td))) problems.push('actions out of view');
  }
  for (const table of document.querySelectorAll('table.stack')) {
    const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
    for (const row of table.querySelectorAll('tbody tr')) {
      [...row.children].forEach((cell, i) => {
        if (cell.tagName === 'TD' && cell.colSpan === 1 && cell.dataset.label !== heads[i]) {
          problems.push('cell ' + i + ' named ' + cell.dataset.label + ', not ' + heads[i]);
        }
      });
    }
  }
  const rows = links => new Set(links.map(a => Math.round(a.getBoundingClientRect().top))).size;
  const account = [...document.querySelectorAll('.user-nav a')];
  if (rows(account) > 1) problems.push('account links on ' + rows(account) + ' rows');
  const menu = [...document.querySelectorAll('.admin-nav a')];
  if (rows(menu) > 1) problems.push('administration menu on ' + rows(menu) + ' rows');
  const current = document.querySelector('.admin-nav a[aria-current="page"]');
  if (current && !inView(current)) problems.push('current menu link out of view');
  return problems;
}"""


def _people(school: Establishment) -> dict[str, Person | None]:
    pupil = Person.objects.filter(memberships__profile=Profile.PUPIL).first()
    parent = Person.objects.filter(memberships__profile=Profile.PARENT).first()
    teacher = make_person("Hélène", "Le Gall", establishment=school, profile=Profile.TEACHER)
    superuser = Person.objects.create_superuser("admin", "admin-password-2026")
    return {
        "visitor": None,
        "pupil": pupil,
        "parent": parent,
        "teacher": teacher,
        "ENT administrator": superuser,
    }


def _walk(live_server_url: str, viewport: dict[str, int], layout: str) -> dict[str, Any]:
    """Every page each of the six kinds of person meets, at ``viewport``: the problems the
    script ``layout`` finds on each, by person and address."""
    admin, pages = phone_school()
    school = Establishment.objects.get(uai="0312609T")
    people = _people(school)
    Trace.objects.create(  # « Export pour PRONOTE » lists the files already sent
        event="pronote_export", uai=school.uai, person=admin, actor_login=admin.login,
        detail="RapprochementSSO_0312609T.xml : 412 fiche(s)",
    )  # fmt: skip
    newcomer = make_person("Yanis", "Haddad", establishment=school, password=None)
    activation = activation_redirect(newcomer.login, issue_code(newcomer).code, None)
    launcher = reverse("portal:launcher", args=["PRONOTE-0312609T"])
    own = ["/", launcher, reverse("directory:change_password"), reverse("portal:my_data")]
    administration = [
        "/",
        reverse("portal:admin_index"),
        reverse("portal:service_create"),
        *pages.values(),
        reverse("portal:indicators"),
        reverse("pronote:export"),
        reverse("directory:change_password"),
    ]
    walk: dict[str, list[str]] = {
        "visitor": [
            "/",
            "/cas/login",
            "/cas/login?service=https://ailleurs.example.com/",
            str(activation),
        ],
        "pupil": [*own, reverse("portal:admin_index")],
        "parent": own,
        "teacher": own,
        "establishment administrator": administration,
        "ENT administrator": administration,
    }
    people["establishment administrator"] = admin
    found = {}
    with chromium() as browser:
        for who, urls in walk.items():
            with sized_page(browser, live_server_url, people[who], viewport) as page:
                for url in urls:
                    response = page.goto(live_server_url + url)
                    assert response is not None and response.status in (200, 403), (who, url)
                    problems = page.evaluate(layout)
                    if problems:
                        found[f"{who} {url}"] = problems
    return found


def test_it_lays_every_page_out_for_a_360_px_phone(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    assert _walk(live_server.url, PHONE, LAYOUT) == {}


# Upright tablet: the desktop's layout (its menus may wrap), the wide tables as on a phone.
TABLET = {"width": 768, "height": 1024}
TABLET_LAYOUT = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push('page ' + document.documentElement.scrollWidth + ' px wide');
  }
  for (const table of document.querySelectorAll('table.stack')) {
    const wrap = table.closest('.table-wrap');
    if (wrap && wrap.scrollWidth > wrap.clientWidth + 1) {
      problems.push('cards scroll: ' + wrap.scrollWidth + ' px');
    }
  }
  for (const wrap of document.querySelectorAll('.table-wrap')) {
    if (wrap.scrollWidth <= wrap.clientWidth + 1) continue;
    const box = wrap.getBoundingClientRect();
    const actions = [...wrap.querySelectorAll('td.cell-actions')];
    if (actions.some(td => td.getBoundingClientRect().right > box.right + 1)) {
      problems.push('actions out of view in a ' + wrap.scrollWidth + ' px table');
    }
  }
  return problems;
}"""


def test_no_page_scrolls_sideways_on_an_upright_tablet(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    """At 768 px the PRONOTE report (1,042 px as a table) and « Traces » (1,304 px) scrolled in
    their box: they are cards there too."""
    assert _walk(live_server.url, TABLET, TABLET_LAYOUT) == {}


CARD = """() => {
  const table = document.querySelector('table.stack');
  const cell = table.querySelector('tbody td[data-label]');
  const wrap = table.closest('.table-wrap');
  return {label: getComputedStyle(cell, '::before').content,
          head: getComputedStyle(table.querySelector('thead')).position,
          cells: [...table.querySelector('tbody tr').children]
            .map(c => c.getBoundingClientRect().top),
          scrolls: wrap.scrollWidth > wrap.clientWidth};
}"""


@pytest.mark.parametrize(
    ("name", "label", "header"),
    [
        ("pronote report", "Dans le fichier", "Identifiants CAS différents"),
        ("traces", "Date", "Détail"),
        ("activations", "Activer", "Profils autorisés"),
    ],
)
def test_a_wide_table_is_a_card_per_row_on_a_phone_or_tablet_and_a_table_on_a_desktop(
    live_server: Any,
    transactional_db: None,
    orm_beside_playwright: None,
    name: str,
    label: str,
    header: str,
) -> None:
    admin, pages = phone_school()
    shapes = {}
    with chromium() as browser:
        for width in (PHONE["width"], TABLET["width"], 1280):
            viewport = {"width": width, "height": 800}
            with sized_page(browser, live_server.url, admin, viewport) as page:
                page.goto(live_server.url + pages[name])
                shapes[width] = page.evaluate(CARD)
                shapes[width]["aria"] = page.locator("table.stack").aria_snapshot()
    phone, desktop = shapes[PHONE["width"]], shapes[1280]
    tablet = shapes[TABLET["width"]]  # cards too, as wide as the page
    assert not tablet["scrolls"] and tablet["head"] == "absolute", tablet
    assert tablet["label"] == phone["label"] and tablet["aria"] == phone["aria"], tablet
    # On the phone: no sideways scroll, the header row out of sight, the cells one under the
    # other, each shown with its column's name; a screen reader still gets a table whose column
    # headers name the cells (the shown name has an empty alternative, so it is not read twice).
    assert not phone["scrolls"], phone
    assert phone["head"] == "absolute"
    assert phone["cells"] == sorted(phone["cells"]) and len(set(phone["cells"])) > 2, phone
    assert phone["label"] == f'"{label} : " / ""'
    assert f'columnheader "{header}"' in phone["aria"]
    assert f'cell "{label} :' not in phone["aria"]
    # On a desktop: the table as before, its first row's cells side by side.
    assert desktop["head"] == "static"
    assert len({round(top) for top in desktop["cells"]}) == 1, desktop


RING = """() => {
  const link = document.activeElement;
  const style = getComputedStyle(link);
  const ring = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth);
  const r = link.getBoundingClientRect();
  const row = link.closest('ul').getBoundingClientRect();
  return {text: link.textContent.trim(), top: r.top - ring, bottom: r.bottom + ring,
          rowTop: row.top, rowBottom: row.bottom};
}"""


def test_the_focus_ring_of_the_administration_menu_is_whole_on_a_phone(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    admin, pages = phone_school()
    with chromium() as browser, sized_page(browser, live_server.url, admin) as page:
        page.goto(live_server.url + pages["traces"])
        page.focus(".admin-nav a")
        page.keyboard.press("Tab")  # keyboard focus: the ring shows (:focus-visible)
        ring = page.evaluate(RING)
    assert ring["text"] == "Services", ring
    # The menu's row scrolls, so it clips what passes its edges: the ring is drawn inside.
    assert ring["rowTop"] <= ring["top"] and ring["bottom"] <= ring["rowBottom"], ring
