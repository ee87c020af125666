"""A password reset is an administrative act on an account: it is kept in the « Traces » of each
of the person's schools, so that a school sees the reset of a person it shares with another
school, made by that other school's administrator."""

from __future__ import annotations

import lxml.html
from django.test import Client
from django.urls import reverse

from socle.directory.models import Membership, Person
from socle.directory.profiles import Profile
from socle.portal.models import Trace
from tests.factories import make_establishment, make_membership, make_person


def make_admin(first_name: str, establishment) -> Person:  # noqa: ANN001
    admin = make_person(first_name, "Admin", establishment=establishment, profile=Profile.DIRECTION)
    Membership.objects.filter(person=admin).update(is_admin=True)
    return admin


def reset(admin: Person, person: Person) -> str:
    """The directory's reset page, confirmed: the activation code it shows."""
    client = Client()
    client.force_login(admin)
    url = f"/compte/reinitialiser/{person.uid}/"
    page = lxml.html.fromstring(client.get(url).content.decode())
    (field,) = page.xpath("//form[@method='post']//input[@name='state']")
    shown = client.post(url, {"state": field.get("value", "")}, follow=True)
    return str(shown.context["issued"].code)


def traced(admin: Person) -> list[tuple[str, str, str, str]]:
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("portal:traces"), {"event": "password_reset"})
    assert response.status_code == 200
    return [
        (row[0].uai, row[0].actor_login, row[0].person.login, row[0].detail)
        for row in response.context["rows"]
    ]


def test_it_traces_a_reset_in_each_school_of_the_person(db: None) -> None:
    college, lycee = make_establishment("0312609T"), make_establishment("0310001H")
    parent = make_person("Nathalie", "Martin", establishment=college, profile=Profile.PARENT)
    make_membership(parent, lycee, profile=Profile.PARENT)
    admin_college, admin_lycee = make_admin("Marc", college), make_admin("Lou", lycee)
    reset(admin_college, parent)
    detail = "Mot de passe de MARTIN Nathalie réinitialisé (nouveau code d'activation)"
    assert traced(admin_lycee) == [("0310001H", admin_college.login, parent.login, detail)]
    assert traced(admin_college) == [("0312609T", admin_college.login, parent.login, detail)]
    trace = Trace.objects.get(uai="0310001H")
    assert trace.event == "password_reset" and trace.client_ip == "127.0.0.1"


def test_it_keeps_no_code_in_the_trace(db: None) -> None:
    college = make_establishment()
    pupil = make_person("Camille", "Durand", establishment=college)
    code = reset(make_admin("Marc", college), pupil)
    (trace,) = Trace.objects.filter(event="password_reset")
    assert trace.uai == college.uai and trace.person == pupil
    assert code not in trace.detail.replace("-", "")
