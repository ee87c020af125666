"""``socle.cas.authentication.check_credentials``: the admission slot covers the hash alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from socle.cas import authentication
from tests.factories import DEFAULT_PASSWORD, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot_spy(monkeypatch) -> dict[str, Any]:
    """Replaces the admission slot with one that counts its uses and the queries run in it."""
    seen: dict[str, Any] = {"taken": 0, "queries": []}

    @contextmanager
    def spy(profile_hint: str | None = None, still_wanted: Any = None) -> Iterator[None]:
        seen["taken"] += 1
        seen["still_wanted"] = still_wanted
        with CaptureQueriesContext(connection) as queries:
            yield
        seen["queries"] += [q["sql"] for q in queries.captured_queries]

    monkeypatch.setattr(authentication, "password_hash_slot", spy)
    return seen


def check(login: str, password: str) -> authentication.Outcome:
    request = RequestFactory().post("/cas/login")
    return authentication.check_credentials(request, login, password, "192.0.2.1")


def test_it_reads_the_person_before_taking_the_slot(slot_spy):
    person = make_person()
    outcome = check(person.login, DEFAULT_PASSWORD)
    assert outcome.person == person
    assert outcome.person.backend == settings.AUTHENTICATION_BACKENDS[0]
    assert slot_spy["taken"] == 1
    assert slot_spy["queries"] == []


def test_an_unknown_login_costs_a_hash_in_the_slot_too(slot_spy, monkeypatch):
    hashed: list[str] = []
    real = authentication.Person.set_password
    monkeypatch.setattr(
        authentication.Person,
        "set_password",
        lambda self, raw: (hashed.append(raw), real(self, raw))[1],
    )
    assert check("personne.inconnue", "nimporte-quoi").person is None
    assert slot_spy["taken"] == 1
    assert hashed == ["nimporte-quoi"]


def test_a_wrong_password_or_an_inactive_person_is_refused_and_signalled(slot_spy):
    failures: list[dict[str, Any]] = []

    def receiver(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
        failures.append(credentials)

    user_login_failed.connect(receiver)
    try:
        person = make_person()
        assert check(person.login, "mauvais-mot-de-passe").person is None
        person.is_active = False
        person.save()
        outcome = check(person.login, DEFAULT_PASSWORD)
        assert outcome.person is None and outcome.disabled
        assert not check(person.login, "mauvais-mot-de-passe").disabled
    finally:
        user_login_failed.disconnect(receiver)
    assert failures == [{"username": person.login}] * 3


def test_an_imported_pbkdf2_hash_is_upgraded_inside_the_slot(slot_spy, settings):
    settings.PASSWORD_HASHERS = [
        "socle.core.hashers.SocleArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    person = make_person()
    person.password = make_password(DEFAULT_PASSWORD, hasher="pbkdf2_sha256")
    person.save()
    assert check(person.login, DEFAULT_PASSWORD).person == person
    person.refresh_from_db()
    assert person.password.startswith("argon2")
    assert any("UPDATE" in sql for sql in slot_spy["queries"])


def test_the_default_backend_is_the_one_the_login_names():
    assert settings.AUTHENTICATION_BACKENDS == [authentication.BACKEND]


def test_it_reads_a_person_as_the_orm_does(db):
    import datetime as dt

    from django.utils import timezone

    from socle.directory.models import Person

    person = make_person(birth_date=dt.date(2012, 3, 4), is_active=False)
    Person.objects.filter(pk=person.pk).update(last_login=timezone.now())
    expected = Person.objects.get_by_natural_key(person.login)
    found = authentication.find_person(person.login)
    assert found is not None
    # of a hand block, the login reads its last day only (the rest when read, as the ORM does)
    assert found.get_deferred_fields() == {
        "blocked_at",
        "blocked_by_id",
        "block_reason",
        "active_when_unblocked",
    }
    for field in Person._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert found._state.adding is False
    assert found._state.db == expected._state.db
    assert found.check_password(DEFAULT_PASSWORD)


def test_it_finds_nobody_for_an_unknown_or_differently_written_login(db):
    person = make_person()
    assert authentication.find_person(person.login + "x") is None
    assert authentication.find_person(person.login.upper() + "X") is None
    assert authentication.find_person(" " + person.login) is None
    assert authentication.find_person("") is None


def test_it_reads_a_login_typed_with_capitals_in_lower_case_after_the_login_as_typed(db):
    """« Camille.Martin » finds ``camille.martin``; a login stored with capitals (an import
    file's) is found as typed first, before any lower-case account."""
    person = make_person("Camille", "Martin")
    assert authentication.find_person(person.login.title()) == person
    assert authentication.find_person(person.login.upper()) == person
    capitals = make_person("Jean", "Dupont", login="Jean.Dupont")
    lower = make_person("Jean", "Dupont", login="jean.dupont")
    assert authentication.find_person("Jean.Dupont") == capitals
    assert authentication.find_person("JEAN.DUPONT") == lower
    assert authentication.find_person("jean.dupont") == lower
