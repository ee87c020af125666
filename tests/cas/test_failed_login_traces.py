"""What « Traces » keeps of a refused login: the login typed only when an account has it (a
password typed in the login field is never stored), and never the password."""

from __future__ import annotations

from django.test import Client

from socle.portal.models import Trace
from tests.cas.conftest import cas_login
from tests.factories import make_person


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
    assert (trace.actor_login, trace.detail) == (person.login, "")
    stored = " ".join(str(v) for v in Trace.objects.values_list().get())
    assert "un-mauvais-mot-de-passe" not in stored
