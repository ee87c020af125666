"""``socle.W008`` (a registered plain-http pattern) judges loopback hosts by the rule
``/samlValidate`` applies (``socle.core.saml_release``) and tells a PRONOTE service's operator
what http costs it: no ``idPronote``, nobody recognised, and the two ways out."""

from __future__ import annotations

import pytest

from socle.cas.checks import check_service_patterns
from tests.factories import make_service


def _w008(service_code: str) -> list:
    return [
        problem
        for problem in check_service_patterns()
        if problem.id == "socle.W008" and service_code in problem.msg
    ]


@pytest.mark.django_db
def test_it_tells_a_plain_http_pronote_what_it_loses_and_the_ways_out(settings) -> None:
    make_service(
        "PRONOTE-HTTP", sso_type="pronote", patterns=("http://pronote.lycee.test/pronote/**",)
    )
    make_service("appli", patterns=("http://appli.lycee.test/**",))
    make_service("boucle", patterns=("http://127.0.0.2:8153/**", "http://[::1]:8153/**"))
    (pronote,) = _w008("PRONOTE-HTTP")
    assert "ni idPronote ni aucun autre attribut" in pronote.hint
    assert "Publiez PRONOTE.net en https" in pronote.hint
    assert "SOCLE_CAS_SAML_HTTP_ATTRIBUTES=true" in pronote.hint
    assert "pronote_doctor" in pronote.hint
    (appli,) = _w008("appli")
    assert "/samlValidate ne lui transmet aucun attribut" in appli.hint
    assert _w008("boucle") == []  # loopback, as the CAS judges it: attributes do go
    settings.SOCLE_CAS_SAML_HTTP_ATTRIBUTES = True
    (pronote,) = _w008("PRONOTE-HTTP")  # the tickets still travel in clear
    assert pronote.hint == "Utilisez l'adresse https du service."


@pytest.mark.django_db
def test_it_warns_of_a_regular_expression_that_surely_accepts_plain_http() -> None:
    """``^https?://`` accepts http ``TARGET``s too, which get no attribute: warned when a
    plain-http URL on another machine is sure to match (``pattern_overlap.http_example``)."""
    regex = "regex"
    make_service("either", patterns=(r"^https?://appli\.lycee\.test/.*",), kind=regex)
    make_service("literal", patterns=(r"^http://appli2\.lycee\.test/.*",), kind=regex)
    make_service("tls", patterns=(r"^https://appli3\.lycee\.test/.*",), kind=regex)
    make_service("local", patterns=(r"^https?://(localhost|127\.0\.0\.1)(:\d+)?/.*",), kind=regex)
    make_service("unsure", patterns=(r"^(?!http:)https?://appli4\.lycee\.test/.*",), kind=regex)
    assert len(_w008("either")) == 1 and len(_w008("literal")) == 1
    assert _w008("tls") == _w008("local") == _w008("unsure") == []


@pytest.mark.django_db
def test_it_names_the_identifier_attribute_of_the_pronote_service() -> None:
    make_service(
        "PRONOTE-ENT",
        sso_type="pronote",
        patterns=("http://pronote.lycee.test/pronote/**",),
        pronote_id_attribute="idEnt",
    )
    (warning,) = _w008("PRONOTE-ENT")
    assert "ni idEnt ni aucun autre attribut" in warning.hint


@pytest.mark.django_db
def test_it_words_the_pronote_hint_per_recognition_mode() -> None:
    """As ``saml_http`` words the service form and the diagnostics: identity mode expects the
    identity attributes, not ``idPronote``; « both » both."""
    for code, recognition in (("PN-ID", "identity"), ("PN-BOTH", "both")):
        make_service(
            code,
            sso_type="pronote",
            patterns=(f"http://{code.lower()}.lycee.test/pronote/**",),
            pronote_recognition=recognition,
        )
    (identity,) = _w008("PN-ID")
    assert (
        "ne lui transmet aucun attribut d'identité (nom, prenom, dateNaissance, codePostal, "
        "categories) ni aucun autre attribut" in identity.hint
    )
    assert "idPronote" not in identity.hint
    (both,) = _w008("PN-BOTH")
    assert (
        "ne lui transmet ni l'identifiant PRONOTE (idPronote) ni les attributs d'identité "
        "(nom, prenom, dateNaissance…)" in both.hint
    )
    for warning in (identity, both):
        assert "Publiez PRONOTE.net en https" in warning.hint
        assert "SOCLE_CAS_SAML_HTTP_ATTRIBUTES=true" in warning.hint
