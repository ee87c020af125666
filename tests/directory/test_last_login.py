"""last_login: written by Django in the request, or a second later by a background thread."""

from __future__ import annotations

import pytest
from django.test import Client

from socle.directory import last_login
from socle.directory.models import Person
from tests.factories import DEFAULT_PASSWORD, make_person

pytestmark = pytest.mark.django_db


def login(person: Person) -> None:
    response = Client().post("/cas/login", {"username": person.login, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200


def test_it_writes_last_login_in_the_request_when_not_deferred(settings):
    settings.SOCLE_TRACES_DEFERRED = False
    person = make_person("Camille", "Martin")
    login(person)
    person.refresh_from_db()
    assert person.last_login is not None


def test_it_defers_last_login_and_writes_it_in_one_update(settings, django_assert_num_queries):
    settings.SOCLE_TRACES_DEFERRED = True
    people = [make_person("Camille", f"Martin{i}") for i in range(3)]
    for person in people:
        login(person)
    assert Person.objects.filter(last_login__isnull=False).count() == 0  # not in the request
    with django_assert_num_queries(1):
        assert last_login.flush() == 3
    assert Person.objects.filter(last_login__isnull=False).count() == 3
    assert last_login.flush() == 0


def test_notes_stay_queued_when_the_database_fails(settings, monkeypatch):
    settings.SOCLE_TRACES_DEFERRED = True
    person = make_person("Camille", "Martin")
    login(person)

    def broken(*args, **kwargs):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr("django.db.models.query.QuerySet.update", broken)
    with pytest.raises(RuntimeError):
        last_login.flush()
    monkeypatch.undo()
    assert last_login.flush() == 1
    person.refresh_from_db()
    assert person.last_login is not None
