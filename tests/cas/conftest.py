from __future__ import annotations

import pytest
from django.test import Client

from socle.directory.models import Establishment, Person
from socle.portal.models import Service
from tests.factories import DEFAULT_PASSWORD, make_establishment, make_person, make_service

SERVICE_URL = "https://appli.example.org/accueil"


@pytest.fixture
def school() -> Establishment:
    return make_establishment(uai="0312609T")


@pytest.fixture
def pupil(school: Establishment) -> Person:
    return make_person("Camille", "Martin", establishment=school, class_name="4A")


@pytest.fixture
def service(school: Establishment) -> Service:
    return make_service("appli", patterns=("https://appli.example.org/**",))


def cas_login(
    client: Client,
    person: Person,
    service: str | None = None,
    password: str = DEFAULT_PASSWORD,
    **extra: str,
) -> object:
    data = {"username": person.login, "password": password, **extra}
    if service:
        data["service"] = service
    return client.post("/cas/login", data)


def ticket_from(response: object) -> str:
    from urllib.parse import parse_qs, urlsplit

    location = response["Location"]  # type: ignore[index]
    return parse_qs(urlsplit(location).query)["ticket"][0]
