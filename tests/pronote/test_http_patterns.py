"""Whether PRONOTE.net is reached over plain http is judged by the address PRONOTE sends the CAS
(``service=``, then ``TARGET``) — the one its patterns, PRONOTE's « URL de PRONOTE.net pour le
serveur CAS », accept — not by the service's URL as typed in the ENT
(``socle.portal.saml_http.sent_address``). A service whose URL is https while its patterns are
http (or the reverse) is judged as the CAS will answer it."""

from __future__ import annotations

import pytest
from django.test import Client

from socle.portal.models import PatternKind, Service
from socle.portal.saml_http import http_addresses, sent_address, service_http_warning
from socle.pronote.cas_names import duplicate_refused
from socle.pronote.doctor import diagnose
from socle.pronote.importer.steps import run_automatic
from tests.cas.conftest import cas_login, ticket_from
from tests.factories import make_pronote_identity, make_service
from tests.pronote.helpers import School, run, start
from tests.pronote.test_http_pronote import WILL_HAPPEN, pronote_validates
from tests.pronote.test_recognition_consistency import _held_noted, _with_bound_copy

HOST = "pronote.lycee.test"
HTTP = f"http://{HOST}/pronote/"
HTTPS = f"https://{HOST}/pronote/"
ANT = PatternKind.ANT

pytestmark = pytest.mark.usefixtures("fresh_withheld_notes")


def pronote_with(school: School, url: str, pattern: str) -> Service:
    return make_service(
        "PRONOTE-MIXTE", sso_type="pronote", establishment=school.est, url=url, patterns=(pattern,)
    )


def answered(school: School, pronotesim_saml, url: str, sent: str):  # noqa: ANN001, ANN201
    """The service at ``url`` with the pattern ``sent**``, Emma's identifier, and what the CAS
    answers PRONOTE validating her ticket for the pupils' page at ``sent``."""
    saml, links = pronotesim_saml
    service = pronote_with(school, url, sent + "**")
    make_pronote_identity(school.emma, school.est, "ELEVEEMMA0000001")
    page = sent + "eleve.html"
    ticket = ticket_from(cas_login(Client(), school.emma, page))
    return service, pronote_validates(saml, links, Client(), page, ticket)


def test_it_takes_the_scheme_the_patterns_accept() -> None:
    assert sent_address(HTTPS, [(ANT, HTTP + "**")]) == HTTP
    assert sent_address(HTTP + "eleve.html", [(ANT, HTTPS + "**")]) == HTTPS + "eleve.html"
    # both schemes accepted, or neither: the URL as typed says which
    assert sent_address(HTTPS, [(ANT, HTTP + "**"), (ANT, HTTPS + "**")]) == HTTPS
    assert sent_address(HTTP, [(PatternKind.REGEX, rf"^https?://{HOST}/pronote/.*")]) == HTTP
    assert sent_address(HTTPS, [(ANT, "https://ailleurs.test/**")]) == HTTPS
    assert sent_address(HTTPS, []) == HTTPS
    assert sent_address(HTTPS, [(PatternKind.REGEX, "^(unclosed")]) == HTTPS  # accepts nothing


def test_it_reports_the_http_address_pronote_sends_not_the_url_typed() -> None:
    # an https URL with http patterns: PRONOTE sends http, listed as it sends it
    assert http_addresses(HTTPS, [(ANT, HTTP + "**")]) == [HTTP, HTTP + "**"]
    # an http URL with https patterns: PRONOTE sends https, nothing withheld
    assert http_addresses(HTTP, [(ANT, HTTPS + "**")]) == []
    assert http_addresses(HTTP, [(ANT, HTTP + "**")]) == [HTTP, HTTP + "**"]


def test_it_warns_of_http_when_the_url_is_https_but_pronote_sends_http(
    school, pronotesim_saml
) -> None:
    service, success = answered(school, pronotesim_saml, HTTPS, HTTP)
    assert success.attributes == {}  # what the CAS answers PRONOTE at its patterns' address

    report = diagnose(school.est, school.emma.login, allowed=None)
    (item,) = report.services
    assert [check.url for check in item.urls][:2] == [HTTP, HTTP + "eleve.html"]
    assert all(check.accepted for check in item.urls)
    assert any(WILL_HAPPEN in problem for problem in item.problems)
    assert any(
        problem.startswith(f"L'URL du service ({HTTPS}) et l'adresse qu'acceptent ses motifs")
        for problem in item.problems
    )
    assert not any("service non autorisé" in problem for problem in item.problems)
    account = report.account
    assert account is not None and account.attributes == {}  # as the CAS answered
    assert account.http_target == HTTP + "eleve.html"
    assert WILL_HAPPEN in account.verdict[0]
    assert not duplicate_refused(service)  # PRONOTE opens a bound copy: no identifier sent
    out = run("pronote_doctor", "--uai", school.est.uai)
    assert WILL_HAPPEN in out and "diffèrent" in out


def test_it_says_nothing_of_http_when_the_url_is_http_but_pronote_sends_https(
    school, pronotesim_saml
) -> None:
    service, success = answered(school, pronotesim_saml, HTTP, HTTPS)
    assert success.first("idPronote") == "ELEVEEMMA0000001"

    report = diagnose(school.est, school.emma.login, allowed=None)
    (item,) = report.services
    assert not any(WILL_HAPPEN in problem for problem in item.problems)
    assert all(check.url.startswith("https://") for check in item.urls)
    account = report.account
    assert account is not None and account.http_target == ""
    assert account.attributes["idPronote"] == ["ELEVEEMMA0000001"]
    assert duplicate_refused(service)
    assert WILL_HAPPEN not in run("pronote_doctor", "--uai", school.est.uai)


@pytest.mark.parametrize(
    ("url", "pattern", "noted"),
    [(HTTPS, HTTP + "**", []), (HTTP, HTTPS + "**", ["ELEVEEMMA0000001"])],
)
def test_it_notes_a_bound_duplicate_by_the_address_pronote_sends(school, url, pattern, noted):
    """The import's ``cas_id_held_elsewhere``: noted only where attributes reach PRONOTE."""
    pronote_with(school, url, pattern)
    rows = _with_bound_copy(school, school.emma.uid)
    session = run_automatic(start(school.est, "complet", *rows))
    assert _held_noted(session) == noted
    assert len(diagnose(school.est, allowed=None).cas_mismatches) == len(noted)


def test_the_service_form_warns_by_the_same_rule() -> None:
    def warn(url: str, pattern: str) -> str:
        return service_http_warning(
            "pronote", url, [(ANT, pattern)], superuser=False, id_attribute="idPronote"
        )

    assert warn(HTTP, HTTPS + "**") == ""
    assert warn(HTTPS, HTTP + "**").startswith(f"Adresse en http ({HTTP}, {HTTP}**) : ")
