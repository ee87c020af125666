"""Whom a user is told to contact: the same words on every page (footer, launcher, refusals,
error pages), in French and in English."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse
from django.utils.translation import gettext, override
from lxml import html

from tests.factories import make_establishment, make_person, make_pronote_service
from tests.portal.conftest import logged_in

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "socle"
CONTACT = "l'administrateur de l'ENT de votre établissement"
ASKING = re.compile(r"(contactez|prévenez|signalez-le à) ([^.«»]*?)\.")


def test_it_names_one_and_the_same_person_to_contact_in_every_template() -> None:
    found = []
    for path in TEMPLATES.rglob("*.html"):
        for verb, whom in ASKING.findall(path.read_text(encoding="utf-8")):
            found.append((path.name, verb, whom))
    assert found, "no « contactez … » found: the pattern is out of date"
    assert [f for f in found if f[2] != CONTACT] == []


def test_it_gives_the_footer_and_the_launcher_the_same_contact_in_english() -> None:
    footer = (
        "%(ent_name)s — espace numérique de travail. En cas de difficulté, contactez "
        "l'administrateur de l'ENT de votre établissement."
    )
    launcher = (
        "Si le compte qui s'affiche n'est pas le vôtre, ne l'utilisez pas et contactez "
        "l'administrateur de l'ENT de votre établissement."
    )
    with override("en"):
        english = [gettext(footer), gettext(launcher)]
    assert all("your school's ENT administrator" in text for text in english), english


def test_it_shows_the_launcher_s_contact_as_the_footer_says_it() -> None:
    school = make_establishment("0312609T")
    service = make_pronote_service(school, url="https://0312609t.index-education.net/pronote/")
    page = html.fromstring(
        logged_in(make_person(establishment=school))
        .get(reverse("portal:launcher", args=[service.code]))
        .content
    )
    main = " ".join(page.xpath("//main")[0].text_content().split())
    footer = " ".join(page.xpath("//footer")[0].text_content().split())
    assert f"contactez {CONTACT}." in main
    assert f"contactez {CONTACT}." in footer
    assert "les administrateurs" not in main
