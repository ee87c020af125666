"""``socle createsuperuser --noinput`` with ``DJANGO_SUPERUSER_PASSWORD``: Django's command set
the password without the password rules that its interactive path applies."""

from __future__ import annotations

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from socle.directory.models import Person


def _create(monkeypatch: pytest.MonkeyPatch, login: str, password: str) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    call_command("createsuperuser", interactive=False, login=login, verbosity=0)


def test_socle_s_createsuperuser_is_the_one_the_socle_command_runs() -> None:
    assert get_commands()["createsuperuser"] == "socle.core"


@pytest.mark.parametrize(
    ("login", "password", "reason"),
    [
        ("admin", "court-2026", "trop court"),
        ("admin", "motdepasse123", "trop courant"),
        ("dupont.martin", "dupont.martin1", "trop semblable"),  # the login, for the similarity
    ],
)
def test_it_refuses_a_password_the_rules_refuse_without_a_terminal_too(
    monkeypatch: pytest.MonkeyPatch, login: str, password: str, reason: str
) -> None:
    with pytest.raises(CommandError) as refused:
        _create(monkeypatch, login, password)
    message = str(refused.value)
    assert message.startswith("Mot de passe de DJANGO_SUPERUSER_PASSWORD refusé : ")
    assert reason in message and message.endswith(
        "Aucun compte n'a été créé ; choisissez un autre mot de passe."
    )
    assert password not in message
    assert not Person.objects.exists()


def test_it_creates_the_superuser_with_a_password_the_rules_accept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _create(monkeypatch, "admin", "un-long-mot-de-passe-2026")
    admin = Person.objects.get(login="admin")
    assert admin.is_superuser and admin.check_password("un-long-mot-de-passe-2026")


def test_without_a_password_it_creates_the_account_without_one_as_django_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    call_command("createsuperuser", interactive=False, login="admin", verbosity=0)
    assert not Person.objects.get(login="admin").has_usable_password()
