"""The Django admin's service pages refuse what the portal's service form refuses: a URL with a
password, a pattern accepting another service's address or the service's URL in the other scheme
(socle.portal.admin)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html

from socle.portal.models import Service, ServicePattern, SSOType, UsernameMode
from tests.factories import make_establishment, make_person, make_service


def _superuser_client(client: Client) -> Client:
    client.force_login(make_person("Ada", "Admin", is_superuser=True, is_staff=True))
    return client


def _add_service(client: Client, url: str, pattern: str, **fields: str) -> Any:
    """Posts « Ajouter service » as the page fills it, with a CAS service and one pattern."""
    add = reverse("admin:portal_service_add")
    page = html.fromstring(client.get(add).content.decode())
    form = page.xpath("//form[@id='service_form']")[0]
    data: dict[str, Any] = dict(form.form_values())
    data |= {
        "code": "appli",
        "label": "Appli",
        "sso_type": SSOType.CAS,
        "url": url,
        "patterns-0-kind": "ant",
        "patterns-0-value": pattern,
        "patterns-0-position": "0",
    }
    return client.post(add, data | fields)


def _errors(response: Any) -> str:
    page = html.fromstring(response.content.decode())
    return " ".join(page.xpath("//ul[contains(@class, 'errorlist')]//text()"))


def test_it_adds_a_cas_service_in_the_django_admin(client: Client) -> None:
    client = _superuser_client(client)
    response = _add_service(client, "https://appli.example.org/", "https://appli.example.org/**")
    assert response.status_code == 302, _errors(response)
    service = Service.objects.get(code="appli")
    assert list(service.patterns.values_list("value", flat=True)) == [
        "https://appli.example.org/**"
    ]


def test_it_refuses_a_pattern_covering_another_service_in_the_django_admin(
    client: Client,
) -> None:
    make_service("notes", url="https://ent.example.org/notes/", patterns=())
    client = _superuser_client(client)
    response = _add_service(client, "https://ent.example.org/appli/", "https://ent.example.org/**")
    assert response.status_code == 200
    assert "couvre aussi l'adresse du service « notes »" in _errors(response)
    assert not Service.objects.filter(code="appli").exists()
    assert not ServicePattern.objects.filter(value="https://ent.example.org/**").exists()


@pytest.mark.parametrize(
    ("url", "pattern", "sent"),
    [
        ("https://appli.example.org/", "http://appli.example.org/**", "http://appli.example.org/"),
        ("http://appli.example.org/", "https://appli.example.org/**", "https://appli.example.org/"),
    ],
)
def test_it_refuses_a_pattern_in_the_other_scheme_than_the_url_in_the_django_admin(
    client: Client, url: str, pattern: str, sent: str
) -> None:
    """As the portal's form and ``service_add``, in their words (``scheme_problem``): else only
    ``socle check`` (socle.W042) said it, once every launch from « Mon espace » was refused."""
    client = _superuser_client(client)
    response = _add_service(client, url, pattern)
    assert response.status_code == 200
    errors = _errors(response)
    assert f"Ce motif accepte l'adresse du service en {sent.partition(':')[0]} ({sent}), " in errors
    assert f"pas son URL ({url})" in errors and "^https?://" in errors
    assert not Service.objects.filter(code="appli").exists()
    assert not ServicePattern.objects.exists()


def test_it_accepts_a_pattern_of_both_schemes_in_the_django_admin(client: Client) -> None:
    client = _superuser_client(client)
    response = _add_service(
        client,
        "https://appli.example.org/",
        r"^https?://appli\.example\.org/.*",
        **{"patterns-0-kind": "regex"},
    )
    assert response.status_code == 302, _errors(response)


def test_it_refuses_a_url_changed_to_the_other_scheme_than_its_patterns_in_the_django_admin(
    client: Client,
) -> None:
    """The URL typed is the one compared, not the one stored."""
    service = make_service(
        "appli", url="http://appli.example.org/", patterns=("http://appli.example.org/**",)
    )
    client = _superuser_client(client)
    change, data = _shown_form(client, service)
    response = client.post(change, data | {"url": "https://appli.example.org/"})
    assert response.status_code == 200
    assert "Ce motif accepte l'adresse du service en http (http://appli.example.org/)" in (
        _errors(response)
    )
    service.refresh_from_db()
    assert service.url == "http://appli.example.org/"


def test_it_refuses_a_pronote_pattern_in_the_other_scheme_than_its_url_in_the_django_admin(
    client: Client,
) -> None:
    """For PRONOTE, its espaces are compared too, as the portal's form does."""
    url = "https://0312609t.index-education.net/pronote/"
    service = make_service(
        "pronote",
        sso_type=SSOType.PRONOTE,
        url=url,
        patterns=(f"{url}**",),
        establishment=make_establishment("0312609T"),
        username_mode=UsernameMode.UID,
    )
    client = _superuser_client(client)
    change, data = _shown_form(client, service)
    response = client.post(
        change, data | {"patterns-0-value": "http://0312609t.index-education.net/pronote/**"}
    )
    assert response.status_code == 200
    errors = _errors(response)
    assert "Ce motif accepte l'adresse du service en http " in errors
    assert errors.count("Ce motif") == 1  # nothing else refused: the case is this one
    assert list(service.patterns.values_list("value", flat=True)) == [f"{url}**"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            "https://paul:secret@appli.example.org/",
            "ne doit pas contenir d'identifiant ni de mot de passe",
        ),
        (
            "https://appli.example.org/?fd=1&ticket=ST-1",
            "ne doit pas contenir de paramètre « ticket »",
        ),
        ("ftp://appli.example.org/", None),  # not http(s)
    ],
)
def test_it_refuses_a_service_url_the_form_refuses_in_the_django_admin(
    client: Client, url: str, reason: str | None
) -> None:
    client = _superuser_client(client)
    response = _add_service(client, url, "https://appli.example.org/**")
    assert response.status_code == 200
    if reason is not None:
        assert reason in _errors(response)
    assert not Service.objects.filter(code="appli").exists()


def test_it_refuses_an_anonymous_sso_service_in_the_django_admin(client: Client) -> None:
    """An anonymous service is open to every account whatever its access rules: only without
    SSO, as the portal's form says."""
    client = _superuser_client(client)
    response = _add_service(
        client, "https://appli.example.org/", "https://appli.example.org/**", anonymous="on"
    )
    assert response.status_code == 200
    assert "Un service anonyme est ouvert sans connexion" in _errors(response)
    assert not Service.objects.filter(code="appli").exists()


def test_it_refuses_another_service_s_code_in_another_case_in_the_django_admin(
    client: Client,
) -> None:
    make_service("appli", url="https://appli.example.org/", patterns=())
    client = _superuser_client(client)
    response = _add_service(
        client, "https://autre.example.org/", "https://autre.example.org/**", code="APPLI"
    )
    assert response.status_code == 200
    assert "Ce code est déjà utilisé par un autre service" in _errors(response)
    assert Service.objects.filter(code__iexact="appli").count() == 1


def _shown_form(client: Client, service: Service) -> tuple[str, dict[str, Any]]:
    """The service's admin page: its address and the values of its form as shown."""
    change = reverse("admin:portal_service_change", args=[service.pk])
    page = html.fromstring(client.get(change).content.decode())
    return change, dict(page.xpath("//form[@id='service_form']")[0].form_values())


OTHER_URLS = 'SELECT "portal_service"."code" AS "code", "portal_service"."url" AS "url"'


def test_the_other_services_addresses_are_read_once_whatever_the_number_of_patterns(
    client: Client,
) -> None:
    """Each pattern row read every other service's URL again: one query per row."""
    for number in range(3):
        make_service(f"autre{number}", url=f"https://autre{number}.example.org/", patterns=())
    few = make_service(
        "peu", url="https://peu.example.org/", patterns=("https://peu.example.org/",)
    )
    many = make_service(  # six patterns, each accepting the URL (as the form requires)
        "beaucoup",
        url="https://beaucoup.example.org/a/b/c/",
        patterns=tuple(
            f"https://beaucoup.example.org/{path}**"
            for path in ("", "a/", "a/b/", "a/b/c/", "*/b/", "a/*/")
        ),
    )
    client = _superuser_client(client)
    counts = []
    for service in (few, many):
        change, data = _shown_form(client, service)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(change, data)
        assert response.status_code == 302, _errors(response)
        sqls = [query["sql"] for query in queries.captured_queries]
        assert len([sql for sql in sqls if sql.startswith(OTHER_URLS)]) == 1
        counts.append(len(sqls))
    # Each further row costs Django's own lookup of it (its hidden « id » field), no more.
    assert counts[1] - counts[0] == 5


@pytest.mark.parametrize(
    "pattern",
    [
        "https://autre.example.org/**",
        "http://autre.example.org/**",
        "https://appli.example.org/x/**",
    ],
)
def test_it_refuses_a_pattern_that_accepts_the_url_in_neither_scheme_in_the_django_admin(
    client: Client, pattern: str
) -> None:
    """As the portal's form, in its words: else only ``socle check`` (socle.W042) said it, once
    every launch from « Mon espace » was refused as an unknown service."""
    client = _superuser_client(client)
    response = _add_service(client, "https://appli.example.org/", pattern)
    assert response.status_code == 200
    assert (
        "Ce motif ne correspond pas à l'URL du service (https://appli.example.org/) : il ne "
        "laisserait passer aucune connexion."
    ) in _errors(response)
    assert not Service.objects.filter(code="appli").exists()
    assert not ServicePattern.objects.exists()
