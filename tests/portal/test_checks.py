"""socle.E040 / W041 / W042: services whose patterns would leak or block tickets."""

from __future__ import annotations

from django.utils import translation

from socle.portal.checks import check_service_patterns
from tests.factories import make_service


def ids() -> list[str]:
    return [m.id for m in check_service_patterns(databases=["default"])]


def test_a_sane_catalogue_raises_nothing() -> None:
    make_service("appli", url="https://appli.example.org/")
    assert ids() == []
    assert check_service_patterns(databases=None) == []


def test_a_pattern_matching_any_address_is_an_error() -> None:
    make_service("ouvert", url="https://appli.example.org/", patterns=("**",))
    assert ids() == ["socle.E040"]


def test_it_tells_an_error_from_a_warning_whatever_the_active_language() -> None:
    make_service("ouvert", url="https://appli.example.org/", patterns=("**",))
    with translation.override("en"):
        assert ids() == ["socle.E040"]


def test_missing_or_useless_patterns_are_warnings() -> None:
    make_service("vide", url="https://vide.example.org/", patterns=())
    make_service(
        "autre", url="https://autre.example.org/", patterns=("https://ailleurs.example.org/**",)
    )
    assert sorted(ids()) == ["socle.W041", "socle.W042"]
