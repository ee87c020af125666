"""Attacks tried by the security review of 2026-12-05 (session 24): service URL tricks against
the registry, patterns that accept other sites, … One test each, named after the attack; those
that hold document it."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.forms import modelform_factory

from socle.cas.services import explain, find_service
from socle.portal.admin import ServicePatternForm
from socle.portal.models import PatternKind, ServicePattern
from tests.cas.conftest import cas_login, ticket_from
from tests.factories import make_service

# Patterns whose wildcard extends the service's host name: each accepts
# https://appli.example.org.attaquant.test/, a host anyone can register.
HOST_SUFFIX_PATTERNS = (
    "https://appli.example.org**",
    "https://appli.example.org*/**",
    "https://appli.example.*/**",
)
ELSEWHERE = "https://appli.example.org.attaquant.test/"


@pytest.mark.parametrize(
    "url",
    [
        "https://appli.example.org@attaquant.test/",
        "https://appli.example.org\\@attaquant.test/",
        "https:/\\attaquant.test/",
        "https://attaquant.test\\.appli.example.org/",
        "https://appli.example.org%2F@attaquant.test/",
        "//attaquant.test/",
        "https://attaquant.test#@appli.example.org/",
        "https://attaquant.test?@appli.example.org/",
        "https://appli.example.org.attaquant.test/",
        "https://appli.example.org:1@attaquant.test/",
        "https://аppli.example.org/",  # a Cyrillic « а »
        "https://appli.example.org%00.attaquant.test/",
        "https://appli.example.org\t.attaquant.test/",
        "javascript://appli.example.org/%0aalert(1)",
        "https://appli.example.org:8443/accueil",
    ],
)
def test_it_refuses_service_url_tricks_that_a_browser_reads_as_another_site(url, service) -> None:
    assert find_service(url) is None


def test_it_accepts_the_service_in_any_letter_case_and_with_its_default_port(service) -> None:
    assert find_service("HTTPS://APPLI.EXAMPLE.ORG/accueil") == service
    assert find_service("https://appli.example.org:443/accueil") == service


@pytest.mark.parametrize("pattern", HOST_SUFFIX_PATTERNS)
def test_it_sends_no_ticket_to_another_site_through_a_pattern_that_extends_the_host(
    client, pupil, pattern, caplog
) -> None:
    # Saved before the checks refused it (an old service_add, the Django admin): the CAS
    # ignores the pattern rather than redirect a ticket to whoever registers the host.
    make_service("large", patterns=(pattern,), url="https://appli.example.org/")
    cas_login(client, pupil)
    with caplog.at_level(logging.ERROR, logger="socle.cas"):
        response = client.get("/cas/login", {"service": ELSEWHERE})
    assert response.status_code == 403
    assert "ticket" not in response.get("Location", "")
    assert "CAS pattern ignored: service large" in caplog.text
    match, lines = explain(ELSEWHERE)
    assert match is None and any("motif ignoré" in line for line in lines)


def test_a_pattern_under_the_service_s_own_domain_is_still_honoured(client, pupil) -> None:
    make_service("sous", patterns=("https://*.example.org/**",), url="https://www.example.org/")
    url = "https://www.example.org/accueil"
    assert ticket_from(cas_login(client, pupil, url)).startswith("ST-")


@pytest.mark.parametrize("pattern", HOST_SUFFIX_PATTERNS)
def test_service_add_refuses_a_pattern_that_extends_the_host(pattern, db) -> None:
    with pytest.raises(CommandError, match="d'autres sites"):
        call_command(
            "service_add",
            "LARGE",
            "Large",
            "--url",
            "https://appli.example.org/",
            "--pattern",
            pattern,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


@pytest.mark.parametrize("pattern", ["**", *HOST_SUFFIX_PATTERNS])
def test_the_django_admin_refuses_a_pattern_that_accepts_other_sites(pattern, db) -> None:
    service = make_service("appli", url="https://appli.example.org/", patterns=())
    form_class = modelform_factory(
        ServicePattern, form=ServicePatternForm, fields=["kind", "value"]
    )
    form = form_class(
        {"kind": PatternKind.ANT, "value": pattern}, instance=ServicePattern(service=service)
    )
    assert not form.is_valid()
    assert "d'autres sites" in form.errors["value"][0]


def test_the_database_check_reports_a_pattern_that_extends_the_host(db) -> None:
    from socle.portal.checks import check_service_patterns

    make_service("large", patterns=(HOST_SUFFIX_PATTERNS[0],), url="https://appli.example.org/")
    ids = [message.id for message in check_service_patterns(databases=["default"])]
    assert "socle.E040" in ids
