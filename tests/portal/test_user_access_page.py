"""« Accès utilisateur » (`/gestion/services/<id>/acces-utilisateur/`): one person's verdict and
why, homonyms told apart, individual access given and withdrawn, another school's decisions
folded into one line."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from lxml import html

from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from socle.portal.access import can_access
from socle.portal.models import AccessMode, ServiceActivation, Trace
from tests.factories import make_membership, make_parent_link, make_person, make_service
from tests.portal.conftest import logged_in


def test_the_user_tab_explains_a_refusal(superuser: Person, school: Establishment) -> None:
    service = make_service("pronote", establishment=school, access_mode=AccessMode.RULES)
    make_person("Camille", "Martin", establishment=school)
    page = (
        logged_in(superuser)
        .get(reverse("portal:service_users", args=[service.pk]) + "?q=martin")
        .content.decode()
    )
    assert "MARTIN Camille" in page and "Refusé" in page
    assert "Réinitialiser le mot de passe" in page
    assert "aucun droit ne couvre ce profil" in page


def _person_cells(admin: Person, service, query: str) -> set[str]:  # noqa: ANN001
    """The text of each found person's cell (name, login, what tells them apart, reset link)."""
    page = html.fromstring(
        logged_in(admin)
        .get(reverse("portal:service_users", args=[service.pk]), {"q": query})
        .content
    )
    return {
        " ".join(text.strip() for text in cell.itertext() if text.strip())
        for cell in page.xpath("//tbody/tr/td[1]")
    }


def test_the_user_tab_tells_homonyms_apart_by_class_and_birth_date(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    service = make_service("pronote", establishment=school, access_mode=AccessMode.RULES)
    first = make_person(
        "Thomas", "Martin", establishment=school, class_name="5B", birth_date=dt.date(2013, 5, 12)
    )
    second = make_person("Thomas", "Martin", establishment=school, class_name="3D")
    make_membership(second, other_school, profile=Profile.PUPIL, class_name="2NDE1")
    cells = _person_cells(school_admin, service, "thomas martin")
    reset = "Réinitialiser le mot de passe — MARTIN Thomas"
    assert f"MARTIN Thomas {first.login} 5B — né(e) le 12/05/2013 {reset} ({first.login})" in cells
    assert f"MARTIN Thomas {second.login} 3D {reset} ({second.login})" in cells  # not 2NDE1


def test_it_tells_homonym_parents_apart_by_their_children_here(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    service = make_service("pronote", establishment=school, access_mode=AccessMode.RULES)
    first = make_person("Thierry", "Martin", establishment=school, profile=Profile.PARENT)
    second = make_person("Thierry", "Martin", establishment=school, profile=Profile.PARENT)
    make_parent_link(first, make_person("Lina", "Martin", establishment=school, class_name="6A"))
    make_parent_link(first, make_person("Adam", "Martin", establishment=school, class_name="4C"))
    make_parent_link(second, make_person("Jade", "Martin", establishment=school))
    make_parent_link(second, make_person("Paul", "Martin", establishment=other_school))
    cells = _person_cells(school_admin, service, "thierry martin")
    reset = "Réinitialiser le mot de passe — MARTIN Thierry"
    assert (
        f"MARTIN Thierry {first.login} parent de Adam (4C), Lina (6A) {reset} ({first.login})"
        in cells
    )
    # a child without class is named; another school's child is not this administrator's
    assert f"MARTIN Thierry {second.login} parent de Jade {reset} ({second.login})" in cells


def test_the_user_tab_names_each_homonyms_controls_apart(
    school_admin: Person, school: Establishment
) -> None:
    """WCAG 2.4.4 and 2.4.6 out of context (a screen reader's list of links or buttons): the
    reset link and « Donner l'accès » of two MARTIN Thomas name the login of each."""
    service = make_service("labo", url="https://labo.example.org/", access_mode=AccessMode.RULES)
    first = make_person("Thomas", "Martin", establishment=school, class_name="5B")
    second = make_person("Thomas", "Martin", establishment=school, class_name="3D")
    page = html.fromstring(
        logged_in(school_admin)
        .get(reverse("portal:service_users", args=[service.pk]) + "?q=thomas martin")
        .content
    )
    names = [" ".join(c.text_content().split()) for c in page.xpath("//main//a | //main//button")]
    for control in ("Réinitialiser le mot de passe", "Donner l'accès"):
        assert [n for n in names if n.startswith(control)] == [
            f"{control} — MARTIN Thomas ({first.login})",
            f"{control} — MARTIN Thomas ({second.login})",
        ]


def test_the_user_tab_gives_and_withdraws_access_to_one_person(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    service = make_service("labo", url="https://labo.example.org/", access_mode=AccessMode.RULES)
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    stranger = make_person("Léa", "Autre", establishment=other_school)
    client = logged_in(school_admin)
    url = reverse("portal:service_users", args=[service.pk])
    assert client.post(url, {"action": "grant", "id": teacher.pk}).status_code == 302
    assert can_access(teacher, service)
    page = client.get(url).content.decode()
    assert "Accès individuels" in page and "PROF Jean" in page
    # another school's pupil is out of this administrator's reach
    assert client.post(url, {"action": "grant", "id": stranger.pk}).status_code == 403
    assert not can_access(stranger, service)
    client.post(url, {"action": "revoke", "id": teacher.pk})
    assert not can_access(teacher, service)
    assert Trace.objects.filter(
        event="access_rule_added", detail="accès individuel : jean.prof"
    ).exists()


def test_the_user_tab_gives_its_reason_without_nested_brackets(
    superuser: Person, school: Establishment
) -> None:
    service = make_service("labo", url="https://labo.example.org/", access_mode=AccessMode.RULES)
    ServiceActivation.objects.create(
        service=service, establishment=school, enabled=True, populations=["eleve"]
    )
    make_person("Camille", "Martin", establishment=school)
    response = logged_in(superuser).get(
        reverse("portal:service_users", args=[service.pk]), {"q": "martin"}
    )
    text = " ".join(html.fromstring(response.content.decode()).text_content().split())
    assert (
        "Élève : oui (profil autorisé par l'établissement dans « Accès aux services tiers »)"
    ) in text


def test_the_user_tab_hides_what_another_school_decides(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    service = make_service("moodle", access_mode=AccessMode.OPEN)  # the whole ENT's
    teacher = make_person("Hélène", "Le Gall", establishment=school, profile=Profile.TEACHER)
    make_membership(teacher, other_school, profile=Profile.DIRECTION)
    page = (
        logged_in(school_admin)
        .get(reverse("portal:service_users", args=[service.pk]) + "?q=le gall")
        .content.decode()
    )
    assert "Collège Jean Jaurès" in page
    assert "Un autre établissement" in page
    assert "décidé par un établissement que vous n&#x27;administrez pas" in page
    assert "Pierre de Fermat" not in page and "Direction" not in page
