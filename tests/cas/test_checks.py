"""System checks for CAS configuration mistakes (socle.E001–E019 / W001–W019)."""

from __future__ import annotations

import pytest

from socle.cas.checks import check_cas_settings, check_pronote_patterns, check_service_patterns
from tests.factories import make_service


def ids(problems) -> set[str]:
    return {problem.id for problem in problems}


def test_a_sound_configuration_raises_nothing(settings) -> None:
    settings.SOCLE_HTTPS = True
    settings.SOCLE_BASE_URL = "https://ent.example.org"
    assert check_cas_settings() == []


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("SOCLE_CAS_OPEN_REGISTRY", True, "socle.E001"),
        ("SOCLE_CAS_ST_LIFETIME", 120, "socle.W002"),
        ("SOCLE_CAS_SESSION_IDLE", 10**6, "socle.E003"),
        ("SOCLE_BASE_URL", "http://ent.example.org", "socle.W004"),
        ("SOCLE_CAS_ALLOW_HTTP_PROXY_CALLBACK", True, "socle.W010"),
    ],
)
def test_it_reports_settings_mistakes(settings, setting, value, expected) -> None:
    settings.DEBUG = False
    setattr(settings, setting, value)
    assert expected in ids(check_cas_settings())


def test_it_does_not_warn_about_plain_http_on_a_loopback_base_url(settings) -> None:
    settings.DEBUG = False
    settings.SOCLE_BASE_URL = "http://127.0.0.1:8000"
    assert "socle.W004" not in ids(check_cas_settings())


@pytest.mark.django_db
def test_it_reports_a_pronote_service_without_a_double_star_pattern() -> None:
    make_service(
        "pronote",
        patterns=("https://0312609t.index-education.net/pronote/eleve.html",),
        kind="exact",
        sso_type="pronote",
    )
    assert ids(check_pronote_patterns()) == {"socle.W005"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("regex", "(unclosed", "socle.E006"),
        ("ant", "https://**", "socle.E007"),
        ("ant", "**", "socle.E007"),
        ("regex", ".*", "socle.E007"),
        ("ant", "http://appli.example.org/**", "socle.W008"),
    ],
)
def test_it_reports_patterns_that_fail_or_open_the_registry(kind, value, expected) -> None:
    make_service("bad", patterns=(value,), kind=kind)
    assert expected in ids(check_service_patterns())


@pytest.mark.django_db
def test_it_accepts_sound_patterns() -> None:
    make_service("ok", patterns=("https://appli.example.org/**",))
    make_service("local", patterns=("http://127.0.0.1:8001/**",))
    make_service("re", patterns=(r"https://(www\.)?b\.example\.org/.*",), kind="regex")
    assert check_service_patterns() == []
