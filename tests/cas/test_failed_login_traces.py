"""What « Traces » keeps of a refused login: the login typed only when an account has it (a
password typed in the login field is never stored), and never the password; the account's
establishments see it."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from socle.cas.detail_forms import THROTTLED, WRONG_PASSWORD
from socle.directory.models import Person
from socle.directory.profiles import Profile
from socle.portal.models import Trace
from tests.cas.conftest import cas_login
from tests.factories import make_establishment, make_person


def test_it_does_not_record_a_login_no_account_has(client: Client) -> None:
    client.post("/cas/login", {"username": "Soleil-2026!", "password": "camille.martin"})
    trace = Trace.objects.get(event="login_failed")
    assert (trace.actor_login, trace.person_id, trace.detail) == ("", None, "identifiant inconnu")
    assert trace.client_ip == "127.0.0.1"


def test_it_records_the_login_of_an_existing_account_but_never_the_password(
    client: Client,
) -> None:
    person = make_person("Camille", "Martin")
    cas_login(client, person, password="un-mauvais-mot-de-passe")
    trace = Trace.objects.get(event="login_failed")
    assert (trace.actor_login, trace.detail) == (person.login, "mot de passe incorrect")
    stored = " ".join(str(v) for v in Trace.objects.values_list().get())
    assert "un-mauvais-mot-de-passe" not in stored


def test_it_shows_a_refused_password_to_the_account_s_establishments() -> None:
    school, other = make_establishment("0312609T"), make_establishment("0312799Z")
    pupil = make_person("Camille", "Martin", establishment=school, class_name="4A")
    admin = make_person(
        "Claire", "Dupuis", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )
    other_admin = make_person(
        "Paul", "Durand", establishment=other, profile=Profile.DIRECTION, is_admin=True
    )
    cas_login(Client(), pupil, password="un-mauvais-mot-de-passe")
    Client().post("/cas/login", {"username": "inconnu.du.tout", "password": "x" * 12})
    trace = Trace.objects.get(event="login_failed", actor_login=pupil.login)
    assert trace.person_id == pupil.pk

    def failures(reader: Person) -> list[tuple[str, str]]:
        client = Client()
        client.force_login(reader)
        response = client.get(reverse("portal:traces"), {"event": "login_failed"})
        return [
            (t.actor_login, t.shown_profile)
            for t, _event, _outcome, _detail in response.context["rows"]
        ]

    assert failures(admin) == [(pupil.login, Profile.PUPIL)]  # « Élève », not the unknown login
    assert failures(other_admin) == []


def test_it_records_a_throttled_password_under_its_account_too(settings) -> None:
    # A wrong password refused by the throttle is traced under the account, as an ordinary wrong
    # password is: the school's administrator sees both in « Traces ».
    settings.SOCLE_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    school = make_establishment("0312609T")
    pupil = make_person("Camille", "Martin", establishment=school, class_name="4A")
    for _ in range(3):
        cas_login(Client(), pupil, password="un-mauvais-mot-de-passe")
    Client().post("/cas/login", {"username": "inconnu.du.tout", "password": "x" * 12})
    traces = Trace.objects.filter(event="login_failed").order_by("pk")
    assert list(traces.values_list("detail", "person_id", "actor_login")) == [
        (WRONG_PASSWORD, pupil.pk, pupil.login),
        (WRONG_PASSWORD, pupil.pk, pupil.login),
        (THROTTLED, pupil.pk, pupil.login),
        (THROTTLED, None, ""),
    ]
