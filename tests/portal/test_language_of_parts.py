"""WCAG 3.1.2 (language of parts): on an English page, what is French whatever the page's
language — the services' descriptions and categories the ENT's administrators write, the
journal's details stored in French — is marked ``lang="fr"``; a French page marks nothing."""

from __future__ import annotations

from django.test import Client
from lxml import etree

from socle.directory.models import Establishment
from socle.directory.profiles import Profile
from socle.portal.models import Service, Trace
from tests.factories import make_person, make_service

DESCRIPTION = "Vie scolaire : emploi du temps, cahier de textes, notes, absences."


def _client(person: object, language: str) -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(person)  # type: ignore[arg-type]
    return client


def _lang_of(body: bytes, xpath: str) -> list[str | None]:
    return [node.get("lang") for node in etree.HTML(body).xpath(xpath)]


def _school() -> tuple[Establishment, Service]:
    school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    service = make_service(
        "ENT-CDT", label="Cahier de textes", category="Scolarité", description=DESCRIPTION
    )
    make_service("ENT-AUTRE", label="Autre appli", patterns=("https://autre.example.org/**",))
    return school, service


def test_it_marks_the_catalogues_french_on_an_english_mon_espace() -> None:
    school, _service = _school()
    pupil = make_person("Camille", "Martin", establishment=school)
    body = _client(pupil, "en").get("/").content
    assert _lang_of(body, "//span[@class='tile-desc']") == ["fr"]
    headings = {
        "".join(h.itertext()): h.get("lang")
        for h in etree.HTML(body).xpath("//h3[@class='category-title']")
    }
    assert headings == {"Scolarité": "fr", "Other services": None}
    french = _client(pupil, "fr").get("/").content
    assert _lang_of(french, "//span[@class='tile-desc']") == [None]
    assert _lang_of(french, "//h3[@class='category-title']") == [None, None]


def test_it_marks_the_description_on_an_english_launcher() -> None:
    school, service = _school()
    pupil = make_person("Camille", "Martin", establishment=school)
    body = _client(pupil, "en").get(f"/services/{service.code}/").content
    assert _lang_of(body, f"//main//p[.='{DESCRIPTION}']") == ["fr"]


def test_it_marks_the_journals_french_details_on_english_traces() -> None:
    school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    admin = make_person(
        "Florence", "Delmas", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )
    Trace.objects.create(event="service_updated", uai=school.uai, detail="« PRONOTE » modifié")
    body = _client(admin, "en").get("/gestion/traces/").content
    assert _lang_of(body, "//td[.='« PRONOTE » modifié']") == ["fr"]
    french = _client(admin, "fr").get("/gestion/traces/").content
    assert _lang_of(french, "//td[.='« PRONOTE » modifié']") == [None]
