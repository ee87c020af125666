"""At phone width (360 px), the administration pages never scroll sideways: wide tables scroll
inside their own box, and nothing escapes it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socle.directory.models import Person
from socle.directory.profiles import Profile
from tests.factories import DEFAULT_PASSWORD, make_person
from tests.portal.browser import chromium, submit
from tests.portal.phone import LONG_URL, PHONE, PRONOTE, phone_school, sized_page

pytestmark = pytest.mark.browser


def test_it_never_scrolls_sideways_at_phone_width(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    admin, pages = phone_school()
    too_wide = {}
    with chromium() as browser, sized_page(browser, live_server.url, admin) as page:
        for name, url in pages.items():
            response = page.goto(live_server.url + url)
            assert response is not None and response.status == 200, name
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[name] = width
        # A pattern refused with a long URL in its message: the message wraps, the form shrinks.
        page.goto(live_server.url + pages["service form"])
        page.fill("input[name='url']", LONG_URL)
        page.fill("textarea[name='patterns_text']", PRONOTE + "**")
        page.locator("main form[enctype] button[type='submit']").click()
        page.wait_for_load_state()
        assert page.locator("#id_patterns_text_error").count() == 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide["service form with a pattern error"] = width
    assert too_wide == {}


# The boxes of the header's account links and of the buttons of « Vous êtes connecté ».
BOXES = """() => [...document.querySelectorAll('.user-nav a, main .actions .btn')].map(e => {
    const r = e.getBoundingClientRect();
    return {text: e.textContent.trim(), top: r.top, bottom: r.bottom, left: r.left,
            right: r.right};
})"""


def test_it_leaves_room_for_a_finger_around_the_header_links_and_the_buttons(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    pupil = make_person("Camille", "Martin")
    with chromium() as browser, sized_page(browser, live_server.url) as page:
        page.goto(live_server.url + "/cas/login")
        page.fill("#id_username", pupil.login)
        page.fill("#id_password", DEFAULT_PASSWORD)
        submit(page, "main button[type=submit]")  # « Vous êtes connecté »
        boxes = page.evaluate(BOXES)
    links = boxes[:3]
    assert [box["text"] for box in links] == ["Mon espace", "Mot de passe", "Se déconnecter"]
    # WCAG 2.5.8: 24 px at least; the text alone was 23 px high.
    assert all(box["bottom"] - box["top"] >= 24 for box in links), links
    first, second = boxes[3:]
    # Wrapped at phone width, the two buttons touched: now 12 px apart at least, either way.
    gap = max(second["top"] - first["bottom"], second["left"] - first["right"])
    assert gap >= 12, (first, second)


BAR = """() => {
    const bar = document.querySelector('ul.services-bar');
    const h1 = document.querySelector('main h1');
    return {height: bar.getBoundingClientRect().height, links: bar.querySelectorAll('a').length,
            scrolls: bar.scrollWidth > bar.clientWidth, title: h1.getBoundingClientRect().top,
            page: document.documentElement.scrollWidth};
}"""


def test_the_services_bar_is_one_row_that_scrolls_on_a_phone(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    admin, _pages = phone_school()
    pupil = Person.objects.filter(memberships__profile=Profile.PUPIL).first()
    assert pupil is not None
    with chromium() as browser, sized_page(browser, live_server.url, admin) as page:
        page.goto(live_server.url + reverse("portal:service_list"))
        bar = page.evaluate(BAR)
    assert bar["links"] >= 4, bar
    # One row (63 px), where the four services wrapped stacked 288 px before the page's title.
    assert bar["height"] < 70 and bar["scrolls"], bar
    assert bar["page"] <= PHONE["width"], bar  # the bar scrolls, not the page


CHART = """() => {
    const svg = document.querySelector('.chart-wrap svg.chart');
    const wrap = svg.parentElement;
    return {chart: svg.getBoundingClientRect().width, box: wrap.clientWidth,
            page: document.documentElement.scrollWidth};
}"""


def test_the_indicators_charts_keep_a_readable_size_on_a_phone(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    admin, _pages = phone_school()
    with chromium() as browser, sized_page(browser, live_server.url, admin) as page:
        page.goto(live_server.url + reverse("portal:indicators"))
        sizes = page.evaluate(CHART)
    assert sizes["chart"] >= 570 > sizes["box"], sizes  # 36 rem, scrolling in its own box
    assert sizes["page"] <= PHONE["width"], sizes


ACTIONS = """() => [...document.querySelectorAll('td.cell-actions')].slice(0, 3).map(td => {
    const r = td.getBoundingClientRect();
    return {left: r.left, right: r.right, text: td.textContent.trim().slice(0, 40)};
})"""


def test_the_actions_of_wide_tables_stay_in_view_on_a_phone(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    admin, pages = phone_school()
    hidden = {}
    with chromium() as browser, sized_page(browser, live_server.url, admin) as page:
        for name in ("services", "population", "user", "pronote import"):
            page.goto(live_server.url + pages[name])
            cells = page.evaluate(ACTIONS)
            assert cells, name
            off = [c for c in cells if c["right"] > PHONE["width"] or c["left"] < 0]
            if off:
                hidden[name] = off
    assert hidden == {}  # they sat 330–480 px to the right, behind a swipe in the table


CONTROLS = """() => [...document.querySelectorAll('table.stack select, table.stack .browse')]
    .map(e => {
    const r = e.getBoundingClientRect();
    return {tag: e.tagName, left: r.left, right: r.right};
})"""


def test_the_pronote_steps_identify_controls_fit_a_phone(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    admin, pages = phone_school()
    with chromium() as browser, sized_page(browser, live_server.url, admin) as page:
        page.goto(live_server.url + pages["pronote step 2"])
        controls = page.evaluate(CONTROLS)
        label = page.evaluate(
            "getComputedStyle(document.querySelector('table.stack td[data-label]'), '::before')"
            ".content"
        )
    assert {c["tag"] for c in controls} == {"SELECT", "BUTTON"}, controls
    assert all(c["left"] >= 0 and c["right"] <= PHONE["width"] for c in controls), controls
    # Shown, with an empty alternative: the column header already names the cell aloud.
    assert label == '"Date de naissance : " / ""'
