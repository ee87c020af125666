"""The PRONOTE diagnostics warn of a service that sends the login as the CAS user name, with
the words of the check socle.W067 (tests/pronote/test_checks.py)."""

from __future__ import annotations

from django.urls import reverse
from lxml import html

from socle.portal.models import Service, UsernameMode
from tests.factories import make_service
from tests.pronote.helpers import School, run

WARNING = "Service PRONOTE pronote : l'identifiant CAS transmis est l'identifiant de connexion."
FIX = "socle service_add pronote … --username-mode uid --change-username-mode."


def login_service(school: School, mode: str = UsernameMode.LOGIN) -> Service:
    url = f"https://{school.est.uai.lower()}.index-education.net/pronote/"
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


def test_the_diagnostics_page_shows_the_same_warning(admin_client, school: School) -> None:
    login_service(school)
    response = admin_client.get(reverse("pronote:doctor"), {"establishment": school.est.pk})
    errors = [
        " ".join(p.text_content().split())
        for p in html.fromstring(response.content.decode()).xpath("//p[@class='error']")
    ]
    assert any(e.startswith(WARNING) for e in errors), errors
    assert any(e.endswith(FIX) for e in errors), errors
