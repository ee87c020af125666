"""The PRONOTE diagnostics warn of a service that sends the login as the CAS user name, with
the words of the check socle.W067 (tests/pronote/test_checks.py), and of a URL without its
publication root, with those of socle.W068; the command is named for a superuser only."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from lxml import html

from socle.directory.models import Person
from socle.portal.models import Service, UsernameMode
from socle.portal.patterns import pronote_root_message
from tests.factories import make_service
from tests.pronote.helpers import School, run

WARNING = "Service PRONOTE pronote : l'identifiant CAS transmis est l'identifiant de connexion."
FIX = "socle service_add pronote … --username-mode uid --change-username-mode."
ASK = "(par exemple à la rentrée) ; puis demandez-le à un administrateur de l'ENT."
ROOT = "L'URL publique de PRONOTE.net se termine par sa racine de publication"


def login_service(
    school: School, mode: str = UsernameMode.LOGIN, root: str = "pronote/"
) -> Service:
    url = f"https://{school.est.uai.lower()}.index-education.net/{root}"
    return make_service(
        "pronote",
        sso_type="pronote",
        establishment=school.est,
        url=url,
        patterns=(url + "**",),
        username_mode=mode,
    )


def test_the_doctor_command_warns_of_a_service_that_sends_the_login(school: School) -> None:
    login_service(school)
    out = run("pronote_doctor", "--uai", school.est.uai)
    assert f"  ! {WARNING}" in out
    assert FIX in out


def test_the_doctor_says_nothing_of_an_opaque_identifier(school: School) -> None:
    login_service(school, UsernameMode.PAIRWISE)
    out = run("pronote_doctor", "--uai", school.est.uai)
    assert "identifiant de connexion" not in out


def page_errors(client: Any, school: School) -> list[str]:
    response = client.get(reverse("pronote:doctor"), {"establishment": school.est.pk})
    return [
        " ".join(p.text_content().split())
        for p in html.fromstring(response.content.decode()).xpath("//p[@class='error']")
    ]


def test_the_diagnostics_page_shows_the_same_warning(admin_client, school: School) -> None:
    login_service(school)
    errors = page_errors(admin_client, school)
    assert any(e.startswith(WARNING) for e in errors), errors
    # An establishment's administrator has no command line: they are told whom to ask.
    assert any(e.endswith(ASK) for e in errors), errors
    assert not any("service_add" in e for e in errors), errors


def test_a_superuser_reads_the_command_on_the_page(school: School) -> None:
    login_service(school)
    client = Client()
    client.force_login(Person.objects.create_superuser("root", "root-password-2026"))
    assert any(e.endswith(FIX) for e in page_errors(client, school))


def test_the_doctor_reports_a_url_without_its_publication_root(
    admin_client, school: School
) -> None:
    login_service(school, UsernameMode.PAIRWISE, root="")
    out = run("pronote_doctor", "--uai", school.est.uai)
    assert f"  ! {pronote_root_message()}" in out
    assert any(e.startswith(ROOT) for e in page_errors(admin_client, school))


def test_a_url_with_its_root_gets_no_such_report(school: School) -> None:
    login_service(school, UsernameMode.PAIRWISE)
    assert "racine de publication" not in run("pronote_doctor", "--uai", school.est.uai)
