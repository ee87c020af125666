"""WCAG 1.4.10 and 1.4.12 together: at 320 CSS pixels (1280 px zoomed to 400 %) with the text
spacing a reader may impose (line height 1.5, paragraphs 2 em apart, letters 0.12 em, words
0.16 em), no page scrolls sideways; only the administration menu, the services bar, wide tables
and charts scroll, each in its own box."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socle.directory.activation import activation_redirect, issue_code
from socle.directory.models import Establishment
from tests.factories import make_person
from tests.portal.browser import chromium, session_cookie_for
from tests.portal.phone import phone_school

pytestmark = pytest.mark.browser

SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = e => e.closest('.admin-nav ul, .services-bar, .table-wrap, .chart-wrap');
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getClientRects().length && !scrolls(e)
                 && e.getBoundingClientRect().right > width + 0.5)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''));
}"""


def test_it_keeps_every_form_within_320_px_with_a_readers_text_spacing(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    admin, pages = phone_school()
    school = Establishment.objects.get(uai="0312609T")
    newcomer = make_person("Yanis", "Haddad", establishment=school, password=None)
    activation = activation_redirect(newcomer.login, issue_code(newcomer).code, None)
    walk: dict[Any, list[str]] = {
        None: ["/cas/login", str(activation)],
        admin: [
            reverse("portal:service_create"),
            pages["service form"],
            pages["population"],
            pages["pronote import"],
            reverse("pronote:export"),
            pages["traces"],
            reverse("portal:indicators"),
            reverse("directory:change_password"),
        ],
    }
    found = {}
    with chromium() as browser:
        for person, urls in walk.items():
            # The reader's spacing is their own style sheet (an extension, the user style
            # sheet), which the page's Content-Security-Policy does not govern; the style tag
            # Playwright adds for it would be the page's: the policy is bypassed here alone.
            context = browser.new_context(
                viewport={"width": 320, "height": 640}, locale="fr-FR", bypass_csp=True
            )
            if person is not None:
                context.add_cookies([session_cookie_for(person, live_server.url)])
            page = context.new_page()
            for url in urls:
                response = page.goto(live_server.url + url)
                assert response is not None and response.status == 200, url
                page.add_style_tag(content=SPACING)
                wider = page.evaluate(OVERFLOW)
                if wider:
                    found[url] = wider
            context.close()
    assert found == {}
