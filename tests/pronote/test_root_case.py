"""PRONOTE.net's publication root in either case: ``…/pronote/`` (Index Education's hosting)
or ``…/Pronote/`` (the ENTs' guides). The CAS compares paths as written — only the scheme and
the host are case-insensitive — so a pattern for one does not accept the other, and the
service form, ``socle.W046`` and « Diagnostic PRONOTE » say why in French."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.management.base import CommandError
from django.test import Client

from socle.cas.services import pattern_matches
from socle.portal.path_case import other_case
from socle.pronote.doctor import diagnose
from tests.factories import make_service
from tests.pronote.helpers import run

LOWER = "https://0312609t.index-education.net/pronote/"
CAPITAL = "https://0312609t.index-education.net/Pronote/"


def _pronote_at(school, url: str, pattern: str) -> None:
    make_service(
        "PRONOTE", sso_type="pronote", establishment=school.est, url=url, patterns=(pattern,)
    )


def test_it_does_not_let_a_lowercase_pattern_accept_the_capital_root() -> None:
    assert pattern_matches("ant", LOWER + "**", LOWER + "eleve.html")
    assert not pattern_matches("ant", LOWER + "**", CAPITAL + "eleve.html")
    assert not pattern_matches("ant", CAPITAL + "**", LOWER + "eleve.html")
    assert pattern_matches("ant", CAPITAL + "**", CAPITAL + "parent.html")
    # the host is not case-sensitive
    assert pattern_matches("ant", CAPITAL + "**", CAPITAL.replace("index", "INDEX") + "eleve.html")


def test_the_cas_refuses_the_capital_root_for_a_lowercase_pattern(school) -> None:
    _pronote_at(school, LOWER, LOWER + "**")
    refused = Client().get("/cas/login", {"service": CAPITAL + "eleve.html"})
    assert refused.status_code == 403
    assert "Service non autorisé" in refused.content.decode()
    assert Client().get("/cas/login", {"service": LOWER + "eleve.html"}).status_code == 200


def test_it_finds_a_pattern_that_differs_only_by_case() -> None:
    found = other_case([CAPITAL + "eleve.html"], [("ant", LOWER + "**")])
    assert found is not None
    assert (found.pattern, found.written, found.asked) == (LOWER + "**", "pronote", "Pronote")
    assert other_case([CAPITAL + "eleve.html"], [("ant", "https://autre.test/**")]) is None
    regex = [("regex", r"^https://0312609t\.index-education\.net/pronote/.*$")]
    assert other_case([CAPITAL + "eleve.html"], regex) is not None


def case_message(url: str) -> str:
    return (
        f"Le motif « {LOWER}** » n'accepte pas {url}, qui ne s'en distingue que par "
        "des majuscules ou minuscules : dans une adresse, le chemin les distingue (« pronote » "
        "n'est pas « Pronote »), et le CAS refusera ces connexions (« service non autorisé »). "
        "Écrivez la racine de publication comme la console de PRONOTE l'affiche dans « URL de "
        "PRONOTE.net pour le serveur CAS », majuscules comprises, dans l'URL du service et dans le "
        f"motif : {CAPITAL}** si l'URL du service est la bonne."
    )


def test_the_doctor_explains_the_case_when_the_administrator_typed_the_other_one(school) -> None:
    _pronote_at(school, CAPITAL, LOWER + "**")
    report = diagnose(school.est, allowed=None)
    (service,) = report.services
    assert not any(check.accepted for check in service.urls)
    assert case_message(service.urls[0].url) in service.problems
    out = run("pronote_doctor", "--uai", school.est.uai)
    assert "ne s'en distingue que par des majuscules ou minuscules" in out


def test_it_gives_a_case_mismatch_as_the_one_cause_of_refusals_at_the_site(school) -> None:
    """URL and pattern disagree: the case is the cause, the refusals at the site its effect."""
    _pronote_at(school, CAPITAL, LOWER + "**")
    assert Client().get("/cas/login", {"service": CAPITAL + "eleve.html"}).status_code == 403
    (service,) = diagnose(school.est, allowed=None).services
    assert case_message(service.urls[0].url) in service.problems
    assert not [p for p in service.problems if "refusées par le CAS" in p]


def test_the_doctor_accepts_the_capital_root_registered_as_is(school) -> None:
    _pronote_at(school, CAPITAL, CAPITAL + "**")
    (service,) = diagnose(school.est, allowed=None).services
    assert all(check.accepted for check in service.urls)
    assert all(check.url.startswith(CAPITAL) for check in service.urls)
    assert not service.problems


def test_the_system_check_names_the_case(school) -> None:
    _pronote_at(school, CAPITAL, LOWER + "**")
    found = [m for m in run_checks(databases=["default"]) if m.id == "socle.W046"]
    assert len(found) == 1 and case_message(CAPITAL + "eleve.html") in found[0].msg


def test_the_doctor_counts_refusals_at_the_site_when_url_and_pattern_agree(school) -> None:
    """Both typed ``…/pronote/`` while PRONOTE sends ``…/Pronote/…``: nothing in the service
    shows it, but the CAS refused PRONOTE's connections at that site (« Traces » keep only
    the site, never the path)."""
    _pronote_at(school, LOWER, LOWER + "**")
    (service,) = diagnose(school.est, allowed=None).services
    assert not [p for p in service.problems if "refusée" in p]
    for _attempt in range(2):
        assert Client().get("/cas/login", {"service": CAPITAL + "eleve.html"}).status_code == 403
    (service,) = diagnose(school.est, allowed=None).services
    (note,) = [p for p in service.problems if "refusées par le CAS" in p]
    assert note.startswith(
        "2 connexions à 0312609t.index-education.net refusées par le CAS (« service non "
        "autorisé ») ces 30 derniers jours, la dernière le "
    )
    assert "la racine de PRONOTE.net écrite avec une autre casse" in note
    assert "L'« Adresse demandée » de la page « Service non autorisé »" in note
    assert "refusées par le CAS" in run("pronote_doctor", "--uai", school.est.uai)


def test_it_counts_refusals_at_a_site_whose_address_the_traces_cut(
    school, django_assert_num_queries
) -> None:
    """« Traces » cut the refused site at 200 characters (``cas.detail_forms.refused_origin``):
    a host of 246 characters is still found, in one query."""
    from socle.pronote.refused_site import refused_at_site

    long_site = "https://" + ".".join(c * 60 for c in "abcd") + ".fr/pronote/"
    assert len(long_site.rpartition("/pronote")[0]) > 200
    for _attempt in range(2):
        refused = Client().get("/cas/login", {"service": long_site + "eleve.html"})
        assert refused.status_code == 403
    count, last = refused_at_site(long_site)
    assert count == 2 and last is not None
    with django_assert_num_queries(1):
        refused_at_site(long_site)
    assert refused_at_site("http://[::1/pronote/") == (0, None)  # not an address


BOTH_CASES = r"regex:^https://0312609t\.index-education\.net/[Pp]ronote/.*$"


def test_it_takes_a_pattern_for_both_cases_for_a_pronote_answering_both(school) -> None:
    """docs/pronote.md, « The root's case »: serving one case only is pronotesim's assumption;
    a school whose PRONOTE.net answers both keeps the console's case in the URL and registers
    one regular expression accepting both (a second Ant pattern in the other case is refused:
    it differs from the URL only by case). ``service_add`` takes it, the CAS accepts both
    cases, and neither ``socle.W046`` nor the diagnostic complains."""
    with pytest.raises(CommandError, match="ne s'en distingue que par des majuscules"):
        _add_pronote(school, LOWER + "**", CAPITAL + "**")
    _add_pronote(school, BOTH_CASES)
    for root in (LOWER, CAPITAL):
        assert Client().get("/cas/login", {"service": root + "eleve.html"}).status_code == 200
    assert not [m for m in run_checks(databases=["default"]) if m.id == "socle.W046"]
    (service,) = diagnose(school.est, allowed=None).services
    assert all(check.accepted for check in service.urls)
    assert not service.problems


def _add_pronote(school, *patterns: str) -> None:
    args = ["--uai", school.est.uai, "--sso", "pronote", "--url", LOWER]
    for pattern in patterns:
        args += ["--pattern", pattern]
    run("service_add", "PRONOTE", "PRONOTE", *args)
