"""The first validated ticket fixes a service's CAS user name mode; ``service_add`` keeps it,
refuses to change it once used (unless told to), and never gives PRONOTE the login."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError
from django.test import Client
from django.utils import translation

from socle.cas import usernames
from socle.cas.fastpath import FastValidation
from socle.cas.lean import VALIDATION
from socle.directory.models import Establishment, Person
from socle.portal.models import Service, SSOType, UsernameMode
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.cas.test_fastpath import environ
from tests.cas.test_saml import PRONOTE_URL, saml_request
from tests.cas.wsgi import Spy, run
from tests.factories import make_service, make_service_by_command

PRONOTE = "https://0312609t.index-education.net/pronote/"


def validate(ticket: str) -> str:
    return (
        Client().get("/cas/validate", {"ticket": ticket, "service": SERVICE_URL}).content.decode()
    )


def sent(service: Service) -> bool:
    service.refresh_from_db()
    return service.usernames_sent


# --- the first validation ------------------------------------------------------------------


def test_it_marks_the_service_at_its_first_validated_ticket(
    client: Client, pupil: Person, service: Service
) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    assert not sent(service)  # a ticket issued is no name sent
    assert validate(ticket) == f"yes\n{pupil.uid}\n"
    assert sent(service)


def test_a_refused_validation_marks_nothing(service: Service) -> None:
    assert validate("ST-unknown") == "no\n"
    assert not sent(service)


def test_a_saml_validation_marks_the_pronote_service(
    client: Client, pupil: Person, school: Establishment
) -> None:
    pronote = make_service(
        "pronote", patterns=(PRONOTE + "**",), sso_type=SSOType.PRONOTE, establishment=school
    )
    ticket = ticket_from(cas_login(client, pupil, PRONOTE_URL))
    Client().post(
        f"/cas/samlValidate?TARGET={PRONOTE_URL}", saml_request(ticket), content_type="text/xml"
    )
    assert sent(pronote)


def test_the_fast_path_marks_the_service_too(
    client: Client, pupil: Person, service: Service
) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    spy = Spy(VALIDATION)
    answer = run(
        FastValidation(spy),
        environ("GET", "/cas/validate", {"ticket": ticket, "service": SERVICE_URL}),
    )
    assert spy.calls == 0 and answer.body.startswith(b"yes\n")
    assert sent(service)


def test_a_database_error_while_marking_never_fails_the_validation(
    client: Client, pupil: Person, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(ids: Any) -> int:
        raise RuntimeError("database gone")

    monkeypatch.setattr(usernames, "mark_usernames_sent", broken)
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    assert validate(ticket) == f"yes\n{pupil.uid}\n"
    assert not sent(service)


def test_a_service_whose_mode_was_changed_is_marked_again(
    client: Client, pupil: Person, service: Service
) -> None:
    validate(ticket_from(cas_login(client, pupil, SERVICE_URL)))
    service.usernames_sent = False  # what service_add --change-username-mode does
    service.save()  # a signal: every process forgets what it marked
    validate(ticket_from(client.get("/cas/login", {"service": SERVICE_URL})))
    assert sent(service)


# --- service_add ---------------------------------------------------------------------------


def add_pronote(*args: str) -> str:
    """``socle service_add`` of the school's PRONOTE service with ``args``: its warnings."""
    return make_service_by_command(
        "--sso", "pronote", "--uai", "0312609T", *args, code="PRONOTE", label="Pronote", url=PRONOTE
    )[1]


def add_appli(*args: str, out: io.StringIO | None = None) -> str:
    """``socle service_add`` of a plain CAS service with ``args``: its warnings (``out``: its
    report)."""
    return make_service_by_command(*args, stdout=out)[1]


def test_service_add_refuses_the_login_for_pronote(school: Establishment) -> None:
    with pytest.raises(CommandError) as refused:
        add_pronote("--username-mode", "login")
    message = str(refused.value)
    assert message.startswith("PRONOTE ne peut pas recevoir l'identifiant de connexion")
    assert "PRONOTE garde le premier identifiant CAS reçu" in message
    assert not Service.objects.exists()


def test_service_add_explains_the_refusal_in_english(school: Establishment) -> None:
    with translation.override("en"), pytest.raises(CommandError) as refused:
        add_pronote("--username-mode", "login")
    # The option's own label, and one term for what the service receives.
    assert str(refused.value).startswith("PRONOTE cannot receive the “Username”")
    assert "the first CAS user name it received" in str(refused.value)


def test_service_add_refuses_to_turn_a_login_service_into_pronote(school: Establishment) -> None:
    make_service("PRONOTE", patterns=(PRONOTE + "**",), username_mode=UsernameMode.LOGIN)
    with pytest.raises(CommandError, match="PRONOTE ne peut pas recevoir"):
        add_pronote()
    assert Service.objects.get().sso_type == SSOType.CAS


def test_service_add_keeps_the_mode_of_an_existing_service(school: Establishment) -> None:
    add_pronote("--username-mode", "pairwise")
    salt = Service.objects.get().pairwise_salt
    add_pronote()  # a provisioning script run again, without --username-mode
    service = Service.objects.get()
    assert service.username_mode == UsernameMode.PAIRWISE and service.pairwise_salt == salt


def test_service_add_changes_an_unused_mode_freely(school: Establishment) -> None:
    add_pronote()
    add_pronote("--username-mode", "pairwise")
    assert Service.objects.get().username_mode == UsernameMode.PAIRWISE


def test_service_add_refuses_to_change_a_used_mode(school: Establishment) -> None:
    add_pronote()
    Service.objects.update(usernames_sent=True)
    with pytest.raises(CommandError) as refused:
        add_pronote("--username-mode", "pairwise")
    message = str(refused.value)
    assert "Le service PRONOTE a déjà transmis des identifiants CAS (uid)" in message
    assert "ajoutez --change-username-mode" in message
    assert Service.objects.get().username_mode == UsernameMode.UID
    add_pronote("--username-mode", "uid")  # the same mode is no change


def test_service_add_changes_a_used_mode_when_told_and_says_what_follows(
    school: Establishment,
) -> None:
    add_appli("--username-mode", "login")
    Service.objects.update(usernames_sent=True)
    out = io.StringIO()
    err = add_appli("--username-mode", "uid", "--change-username-mode", out=out)
    service = Service.objects.get()
    assert service.username_mode == UsernameMode.UID
    assert not service.usernames_sent  # the new names have not been sent yet
    assert "Identifiant CAS transmis changé" in err and "mis à jour" in out.getvalue()


def test_service_add_keeps_a_legacy_pronote_login_service_and_warns(school: Establishment) -> None:
    make_service(
        "PRONOTE",
        patterns=(PRONOTE + "**",),
        sso_type=SSOType.PRONOTE,
        establishment=school,
        username_mode=UsernameMode.LOGIN,
        usernames_sent=True,
    )
    err = add_pronote()
    assert Service.objects.get().username_mode == UsernameMode.LOGIN
    assert (
        "Attention : Service PRONOTE PRONOTE : l'identifiant CAS transmis est l'identifiant" in err
    )
    assert "--username-mode uid --change-username-mode" in err
    add_pronote("--username-mode", "uid", "--change-username-mode")  # the repair
    assert Service.objects.get().username_mode == UsernameMode.UID
