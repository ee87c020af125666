"""The login page reached from a school's service (each school's PRONOTE) names the school, so
that a teacher in two schools knows which PRONOTE she is about to open."""

from __future__ import annotations

from django.test import Client
from lxml import html

from socle.portal.models import SSOType
from tests.factories import make_establishment, make_service

FERMAT = "https://0312799z.index-education.net/pronote/"


def _about(answer) -> str:
    page = html.fromstring(answer.content)
    (line,) = [
        p.text_content()
        for p in page.xpath("//section//p")
        if "accéder" in p.text_content() or "access" in p.text_content()
    ]
    return line


def test_it_names_the_school_of_a_schools_service() -> None:
    school = make_establishment(uai="0312799Z", name="Collège Pierre de Fermat")
    make_service(
        "PRONOTE-FERMAT",
        label="PRONOTE",
        establishment=school,
        sso_type=SSOType.PRONOTE,
        url=FERMAT,
        patterns=(FERMAT + "**",),
    )
    answer = Client().get("/cas/login", {"service": FERMAT + "professeur.html"})
    assert _about(answer) == "Vous allez accéder à : PRONOTE (Collège Pierre de Fermat)"


def test_it_names_the_service_alone_when_it_belongs_to_no_school() -> None:
    make_service("appli", label="Appli", patterns=("https://appli.example.org/**",))
    answer = Client().get("/cas/login", {"service": "https://appli.example.org/"})
    assert _about(answer) == "Vous allez accéder à : Appli"
