"""An establishment administrator cannot register a service on an internal address (the CAS
server would POST single logout requests there); an ENT administrator can."""

from __future__ import annotations

from typing import Any

import pytest

from socle.directory.models import Establishment, Person
from socle.portal.internal_hosts import internal_address_refused, pattern_host
from socle.portal.models import AccessMode, PatternKind, Service, SSOType
from tests.portal.conftest import logged_in
from tests.portal.test_service_pages import field_errors, post_new

REFUSED = "Adresse interne refusée"


def _cas(school: Establishment, url: str, patterns: str) -> dict[str, str]:
    return {
        "code": "INTERNAL",
        "sso_type": SSOType.CAS,
        "url": url,
        "establishment": str(school.pk),
        "patterns_text": patterns,
        "access_mode": AccessMode.OPEN,
    }


@pytest.mark.parametrize(
    ("url", "patterns"),
    [
        ("http://127.0.0.1:8001/internal/", "http://127.0.0.1:8001/**"),
        ("http://169.254.169.254/latest/", "http://169.254.169.254/**"),
        ("http://10.0.0.5/app/", "http://10.0.0.5/app/"),
        ("http://localhost:8080/app/", "^http://localhost:8080/.*"),
        ("http://[::1]/app/", "http://[::1]/**"),
    ],
)
def test_a_school_administrator_cannot_register_an_internal_address(
    school: Establishment, school_admin: Person, url: str, patterns: str
) -> None:
    response = post_new(logged_in(school_admin), **_cas(school, url, patterns))
    assert response.status_code == 200
    assert any(REFUSED in e for e in field_errors(response, "url"))
    assert any(REFUSED in e for e in field_errors(response, "patterns_text"))
    assert "seul un administrateur de l'ENT" in field_errors(response, "url")[0]
    assert not Service.objects.filter(code="INTERNAL").exists()


@pytest.mark.parametrize(
    "pattern",
    [
        "^http://127\\.0\\.0\\.1:\\d+/.*",
        "http://%31%32%37.0.0.1:8001/**",  # percent-encoded: the registry decodes it
        "^http(?#comment)://127\\x2e0\\.0\\.1/",  # read as the regex engine reads it
        "http://LOCALHOST:80/**",
        "^http://(127\\.0\\.0\\.1|a\\.b)/.*",  # an alternation: tried on internal addresses
        "^http://127\\.0\\.0\\.1(?:/|$)",  # a group after a host that is internal already
        "^https://10\\.0\\.0\\.\\d+/",
    ],
)
def test_an_internal_pattern_is_refused_even_behind_a_public_url(
    school: Establishment, school_admin: Person, pattern: str
) -> None:
    data = _cas(school, "https://app.example.org/", pattern)
    response = post_new(logged_in(school_admin), **data)
    assert any(REFUSED in e for e in field_errors(response, "patterns_text"))
    assert not Service.objects.filter(code="INTERNAL").exists()


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("https://0312*/**", "Ce motif accepte aussi d'autres domaines"),
        ("^https://03.*", "Ce motif accepte aussi d'autres domaines"),
        (
            "^https://031(2609t|0001h)\\.index-education\\.net/.*",
            "elle pourrait accepter l'adresse PRONOTE.net d'un autre établissement",
        ),
    ],
)
def test_it_does_not_read_a_host_begun_with_a_few_digits_as_an_internal_address(
    school: Establishment, school_admin: Person, pattern: str, reason: str
) -> None:
    kind = PatternKind.REGEX if pattern[0] == "^" else PatternKind.ANT
    assert internal_address_refused(pattern_host(kind, pattern)) is None  # "031": 0.0.0.25
    data = _cas(school, "https://0312609t.index-education.net/pronote/", pattern)
    (error,) = field_errors(post_new(logged_in(school_admin), **data), "patterns_text")
    assert REFUSED not in error and reason in error
    assert not Service.objects.filter(code="INTERNAL").exists()
    assert pattern_host(PatternKind.REGEX, "^http://10\\.0\\.0\\.1(?:/|$)") == "10.0.0.1"
    assert pattern_host(PatternKind.REGEX, "^http://2130706433(/.*)?$") == "2130706433"


def test_a_school_administrator_keeps_public_addresses(
    school: Establishment, school_admin: Person
) -> None:
    data = _cas(school, "https://app.example.org/", "https://app.example.org/**")
    response = post_new(logged_in(school_admin), **data)
    assert response.status_code == 302, response.context["form"].errors


def test_with_outbound_private_on_a_school_administrator_may_use_local_addresses(
    school: Establishment, school_admin: Person, settings: Any
) -> None:
    settings.SOCLE_CAS_OUTBOUND_PRIVATE = True  # the demo: its PRONOTE runs on 127.0.0.1
    data = _cas(school, "http://127.0.0.1:8001/internal/", "http://127.0.0.1:8001/**")
    response = post_new(logged_in(school_admin), **data)
    assert response.status_code == 302, response.context["form"].errors


def test_an_ent_administrator_can_register_an_internal_address(
    school: Establishment, superuser: Person
) -> None:
    data = _cas(school, "http://127.0.0.1:8001/internal/", "http://127.0.0.1:8001/**")
    response = post_new(logged_in(superuser), **data)
    assert response.status_code == 302, response.context["form"].errors
    assert Service.objects.filter(code="INTERNAL").exists()
