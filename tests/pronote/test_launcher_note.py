"""The launcher's warning before PRONOTE for a person the ENT has no PRONOTE identifier for (the
newcomer of the field documents), who would otherwise meet PRONOTE's « Échec de
l'authentification par le serveur CAS … "idPronote" … » with no word from the ENT."""

from __future__ import annotations

import pytest
from django.urls import reverse
from lxml import html

from socle.directory.models import Establishment
from socle.portal.models import LauncherSkip
from socle.pronote.launcher_note import missing_identifier_note
from tests.factories import (
    make_establishment,
    make_person,
    make_pronote_identity,
    make_pronote_service,
)
from tests.portal.conftest import logged_in

pytestmark = pytest.mark.django_db

NOTE = (
    "L'ENT n'a pas encore reçu votre identifiant PRONOTE pour Collège Jean Jaurès : PRONOTE "
    "risque de ne pas vous reconnaître (« Échec de l'authentification par le serveur CAS »). "
    "Dans ce cas, signalez-le à l'administrateur de l'ENT de votre établissement, qui importera "
    "votre identifiant."
)


@pytest.fixture
def school() -> Establishment:
    return make_establishment("0312609T", name="Collège Jean Jaurès")


def warnings_of(page: bytes) -> list[str]:
    return [
        " ".join(p.text_content().split())
        for p in html.fromstring(page).xpath("//main//div[contains(@class, 'alert')]")
    ]


def test_it_warns_a_newcomer_before_the_click_and_not_once_imported(school: Establishment) -> None:
    service = make_pronote_service(school)
    newcomer = make_person("Yanis", "Haddad", establishment=school, class_name="5A")
    client = logged_in(newcomer)
    url = reverse("portal:launcher", args=[service.code])
    assert warnings_of(client.get(url).content) == [NOTE]
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content
    assert warnings_of(english) == [
        "The ENT has not received your PRONOTE identifier for Collège Jean Jaurès yet: PRONOTE "
        "may not recognise you (“Échec de l'authentification par le serveur CAS”). If so, tell "
        "your school's ENT administrator, who will import your identifier."
    ]
    make_pronote_identity(newcomer, school, "83FVXHVWMVQKLLUQ")
    assert warnings_of(client.get(url).content) == []


def test_the_warning_keeps_the_persons_choice_to_skip_the_page(school: Establishment) -> None:
    """The page ticked away stays away: the button still works, PRONOTE says the rest."""
    service = make_pronote_service(school)
    newcomer = make_person("Yanis", "Haddad", establishment=school, class_name="5A")
    LauncherSkip.objects.create(person=newcomer, service=service)
    response = logged_in(newcomer).get(reverse("portal:launcher", args=[service.code]))
    assert response.status_code == 302


def test_it_says_nothing_where_pronote_recognises_people_otherwise(school: Establishment) -> None:
    pupil = make_person("Camille", "Martin", establishment=school, class_name="4A")
    other = make_establishment("0312799Z", name="Collège Pierre de Fermat")
    make_pronote_identity(pupil, other, "4XRLYGXKXPU9FNB7")  # another school's identifier
    assert missing_identifier_note(pupil, make_pronote_service(school)) == NOTE
    for recognition in ("identity", "both"):
        service = make_pronote_service(
            school, f"PRONOTE-{recognition}", pronote_recognition=recognition
        )
        assert missing_identifier_note(pupil, service) == ""
