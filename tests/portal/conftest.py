"""Fixtures of the portal tests."""

from __future__ import annotations

import pytest
from django.test import Client

from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from tests.factories import make_establishment, make_person


@pytest.fixture
def school() -> Establishment:
    return make_establishment("0312609T", name="Collège Jean Jaurès")


@pytest.fixture
def other_school() -> Establishment:
    return make_establishment("0310001H", name="Collège Pierre de Fermat")


@pytest.fixture
def pupil_there(other_school: Establishment) -> Person:
    """Léa Autre, a pupil of the other school only."""
    return make_person("Léa", "Autre", establishment=other_school)


@pytest.fixture
def superuser() -> Person:
    return Person.objects.create_superuser("admin", "admin-password-2026")


@pytest.fixture
def school_admin(school: Establishment) -> Person:
    return make_person(
        "Claire", "Dupuis", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )


def logged_in(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client
