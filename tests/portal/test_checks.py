"""socle.E040 / W041 / W042 / W046 / W047: services whose patterns or URL would leak or block
tickets."""

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


def test_it_flags_a_pronote_service_whose_patterns_accept_no_espace() -> None:
    """Saved before the form refused it: PRONOTE's « URL … pour le serveur CAS » without its
    « ** », so that every connection from PRONOTE.net would be refused."""
    from socle.portal.models import SSOType

    make_service(
        "pronote",
        url="https://0312609t.index-education.net/pronote/",
        patterns=("https://0312609t.index-education.net/pronote/",),
        sso_type=SSOType.PRONOTE,
    )
    messages = check_service_patterns(databases=["default"])
    assert "socle.W046" in [m.id for m in messages]
    (espaces,) = [m for m in messages if m.id == "socle.W046"]
    assert "Aucun motif n'accepte les espaces de PRONOTE.net" in espaces.msg
    assert "https://0312609t.index-education.net/pronote/**" in espaces.msg


def test_it_flags_a_url_that_is_a_pattern() -> None:
    make_service(
        "etoile", url="https://appli.example.org/**", patterns=("https://appli.example.org/**",)
    )
    assert "socle.W047" in ids()
