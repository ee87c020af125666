"""Service registry: patterns, normalisation, closed by default, commands."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from socle.cas.services import find_service, normalise_url, pattern_matches
from socle.portal.models import Service
from tests.factories import make_establishment, make_service, make_service_by_command


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.ORG:443/a%7eb?x=%2f", "https://example.org/a~b?x=%2F"),
        ("http://example.org:80", "http://example.org/"),
        ("http://example.org:8001/p", "http://example.org:8001/p"),
        ("https://example.org/a/b/../c/./d", "https://example.org/a/c/d"),
        ("https://example.org/app/%2e%2e/admin", "https://example.org/admin"),
        ("https://example.org/../../x", "https://example.org/x"),
    ],
)
def test_it_normalises_urls(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


@pytest.mark.parametrize(
    ("kind", "pattern", "url", "matches"),
    [
        (
            "ant",
            "https://0312609t.index-education.net/pronote/**",
            "https://0312609T.Index-Education.net/pronote/mobile.eleve.html?login=true",
            True,
        ),
        (
            "ant",
            "https://0312609t.index-education.net/pronote/**",
            "https://0312609t.index-education.net.evil.test/pronote/eleve.html",
            False,
        ),
        ("ant", "https://a.example.org/*/x", "https://a.example.org/one/x", True),
        ("ant", "https://a.example.org/*/x", "https://a.example.org/one/two/x", False),
        ("exact", "https://a.example.org/cb", "https://a.example.org:443/cb", True),
        ("exact", "https://a.example.org/cb", "https://a.example.org/cb2", False),
        ("regex", r"https://(www\.)?b\.example\.org/.*", "https://www.b.example.org/z", True),
        ("regex", r"https://b\.example\.org/.*", "https://b.example.org.evil.test/", False),
    ],
)
def test_it_matches_patterns_after_normalisation(kind, pattern, url, matches) -> None:
    assert pattern_matches(kind, pattern, url) is matches


def test_it_matches_the_path_a_browser_will_request_not_the_dotted_one() -> None:
    make_service("pronote", patterns=("https://h.example.org/pronote/**",))
    assert find_service("https://h.example.org/pronote/../admin/") is None
    assert find_service("https://h.example.org/pronote/%2E%2E/admin/") is None
    assert find_service("https://h.example.org/x/../pronote/eleve.html").code == "pronote"


def test_it_is_closed_by_default() -> None:
    assert find_service("https://anything.example.org/") is None


def test_it_evaluates_services_in_order() -> None:
    make_service("general", patterns=("https://x.example.org/**",), order=20)
    make_service("special", patterns=("https://x.example.org/special/**",), order=10)
    assert find_service("https://x.example.org/special/page").code == "special"
    assert find_service("https://x.example.org/other").code == "general"


def test_it_ignores_disabled_services() -> None:
    make_service("off", patterns=("https://off.example.org/**",), enabled=False)
    assert find_service("https://off.example.org/") is None


def test_service_add_registers_a_pronote_service_with_a_derived_pattern(capsys) -> None:
    make_establishment(uai="0312609T")
    call_command(
        "service_add",
        "PRONOTE",
        "Pronote",
        "--url",
        "https://0312609t.index-education.net/pronote/",
        "--sso",
        "pronote",
        "--uai",
        "0312609t",
        "--recognition",
        "both",
    )
    service = Service.objects.get(code="PRONOTE")
    assert service.establishment.uai == "0312609T"
    assert service.pronote_recognition == "both"
    assert [p.value for p in service.patterns.all()] == [
        "https://0312609t.index-education.net/pronote/**"
    ]
    assert "enregistré" in capsys.readouterr().out


def test_service_add_is_idempotent_and_updates() -> None:
    for label in ("Appli", "Appli v2"):
        make_service_by_command(
            "--attributes", "nom,prenom", label=label, url="https://a.example.org/"
        )
    service = Service.objects.get(code="appli")
    assert service.label == "Appli v2" and service.patterns.count() == 1
    assert service.released_attributes == ["nom", "prenom"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "ftp://x"], "URL"),
        (["--url", "https://a.example.org/", "--pattern", "regex:("], "Motif"),
        (
            ["--url", "https://a.example.org/", "--pattern", "x", "--uai", "0312609A"],
            "lettre de contrôle",
        ),
        (["--url", "https://a.example.org/", "--pattern", "x", "--uai", "0000001B"], "inconnu"),
        (["--url", "https://a.example.org/"], "--pattern"),
        (["--url", "https://a.example.org/", "--pattern", "https://**"], "d'autres sites"),
        (["--url", "https://a.example.org/", "--pattern", "regex:.*"], "d'autres sites"),
        (
            [
                "--url",
                "https://a.example.org/?ticket=ST-1",
                "--pattern",
                "https://a.example.org/**",
            ],
            "paramètre « ticket »",
        ),
    ],
)
def test_service_add_refuses_bad_input_with_a_french_message(args, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("service_add", "bad", "Bad", *args)


def test_cas_check_service_explains_the_match(capsys) -> None:
    make_service("appli", patterns=("https://a.example.org/**",))
    call_command("cas_check_service", "https://A.example.org/page")
    out = capsys.readouterr().out
    assert "https://a.example.org/page" in out and "appli" in out
    with pytest.raises(CommandError) as refused:
        call_command("cas_check_service", "https://unknown.example.org/")
    conclusion = "Aucun service enregistré n'accepte cette URL : le CAS la refusera."
    assert str(refused.value) == conclusion  # said once, as the error
    assert conclusion not in capsys.readouterr().out


def test_cas_purge_tickets_runs(capsys) -> None:
    call_command("cas_purge_tickets")
    assert "supprimé" in capsys.readouterr().out


@pytest.mark.parametrize(
    "url",
    [
        "https://evil\\.ent.example.org/pronote/",
        "https://user:pass@ent.example.org/",
        "https://evil.com@ent.example.org/",
        "https://ent .example.org/",
        "https://ent.example.org/\tx",
        "javascript:alert(1)",
        "//ent.example.org/",
    ],
)
def test_it_refuses_urls_a_browser_would_read_differently(url: str) -> None:
    make_service("wild", patterns=("https://*.example.org/**",))
    assert find_service(url) is None
    with pytest.raises(ValueError):
        normalise_url(url)


def test_service_add_refuses_a_pronote_service_without_an_establishment() -> None:
    with pytest.raises(CommandError, match="ajoutez --uai UAI"):
        call_command(
            "service_add", "P4", "P", "--url", "https://p.example.org/pronote/", "--sso", "pronote"
        )
    assert not Service.objects.filter(code="P4").exists()


def test_service_add_explains_a_bad_regular_expression_in_french() -> None:
    with pytest.raises(CommandError, match="parenthèse ouverte jamais fermée"):
        call_command(
            "service_add", "X", "X", "--url", "https://x.example.org/", "--pattern", "^(unclosed"
        )


def test_service_add_warns_when_another_service_has_the_same_pattern() -> None:
    make_service("first", patterns=("https://x.example.org/**",))
    err = io.StringIO()
    call_command(
        "service_add",
        "second",
        "X",
        "--url",
        "https://x.example.org/",
        "--pattern",
        "https://x.example.org/**",
        stdout=io.StringIO(),
        stderr=err,
    )
    assert "est aussi celui du service first" in err.getvalue()


def test_service_add_refuses_a_pronote_url_without_its_publication_root() -> None:
    make_establishment("0312609T")
    with pytest.raises(CommandError, match="racine de publication"):
        call_command(
            "service_add", "pronote", "PRONOTE", "--sso", "pronote", "--uai", "0312609T",
            "--url", "https://0312609t.index-education.net/",
        )  # fmt: skip
    assert not Service.objects.exists()


def test_it_refuses_with_service_add_pronote_patterns_that_accept_no_espace() -> None:
    make_establishment("0312609T")
    with pytest.raises(CommandError, match="Aucun motif n'accepte les espaces de PRONOTE.net"):
        call_command(
            "service_add", "pronote", "PRONOTE", "--sso", "pronote", "--uai", "0312609T",
            "--url", "https://0312609t.index-education.net/pronote/",
            "--pattern", "https://0312609t.index-education.net/pronote/",
        )  # fmt: skip
    assert not Service.objects.exists()


def test_it_refuses_with_service_add_a_pattern_given_as_the_url() -> None:
    make_establishment("0312609T")
    with pytest.raises(CommandError, match="est un motif, pas une adresse"):
        call_command(
            "service_add", "pronote", "PRONOTE", "--sso", "pronote", "--uai", "0312609T",
            "--url", "https://0312609t.index-education.net/pronote/**",
        )  # fmt: skip
    assert not Service.objects.exists()


def test_service_add_derives_the_pronote_pattern_from_an_espace_url() -> None:
    make_establishment("0312609T")
    call_command(
        "service_add", "pronote", "PRONOTE", "--sso", "pronote", "--uai", "0312609T",
        "--url", "https://0312609t.index-education.net/pronote/eleve.html",
        stdout=io.StringIO(),
    )  # fmt: skip
    (pattern,) = Service.objects.get(code="pronote").patterns.all()
    assert pattern.value == "https://0312609t.index-education.net/pronote/**"
