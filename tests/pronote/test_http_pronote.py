"""A PRONOTE.net published in plain http on the school's own server (``http://<serveur>/pronote/``):
the CAS sends it no SAML attribute (CAS 3.0 §4.2.1, ``socle.core.saml_release``), so no
``idPronote``, and PRONOTE recognises nobody. « Diagnostic PRONOTE », ``pronote_doctor``, the
CAS's log line and the school's « Traces » say so, by the CAS's own rule.

End to end: the ticket is validated by pronotesim's own SAML client (``pronotesim/espaces/saml.py``,
which needs no Django) through the test client, with ``TARGET`` on ``pronote.lycee.test``."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from lxml import html

from socle.portal.models import Service, Trace
from socle.pronote.doctor import diagnose
from socle.pronote.doctor_account import missing_attribute_message
from tests.cas.conftest import cas_login, ticket_from
from tests.factories import make_pronote_identity, make_service
from tests.pronote.helpers import School, page_text, run

HTTP_BASE = "http://pronote.lycee.test/pronote/"
LOOPBACK_BASE = "http://127.0.0.1:8153/pronote/"
WILL_HAPPEN = "le CAS n'enverra à PRONOTE.net ni l'identifiant PRONOTE (idPronote)"
TO_DO = "Publiez PRONOTE.net en https"


pytestmark = pytest.mark.usefixtures("fresh_withheld_notes")


def pronote_at(school: School, base: str, code: str = "PRONOTE-HTTP") -> Service:
    return make_service(
        code,
        sso_type="pronote",
        establishment=school.est,
        url=base,
        patterns=(base + "**",),
    )


def pronote_validates(saml, links, client: Client, service_url: str, ticket: str):
    """What PRONOTE.net does with the ticket: POST the SAML request to the CAS's
    ``/saml/Validate?TARGET=<its own URL>``, here through the test client."""

    def transport(url: str, body: bytes, headers: dict[str, str], timeout: float):
        parts = urlsplit(url)
        response = client.post(f"{parts.path}?{parts.query}", body, content_type="text/xml")
        return response.status_code, response.content

    return saml.validate_ticket(
        validate_url=links.saml_validate_url("http://testserver/cas", service_url),
        ticket=ticket,
        party=saml.RelyingParty(service_url),  # PRONOTE.net checks Audience and Recipient
        timeout=5,
        transport=transport,
    )


def test_it_sends_a_plain_http_pronote_no_idpronote_and_the_diagnostics_say_why(
    school, admin_client, pronotesim_saml, caplog
) -> None:
    saml, links = pronotesim_saml
    service = pronote_at(school, HTTP_BASE)
    make_pronote_identity(school.emma, school.est, "ELEVEEMMA0000001")
    page = HTTP_BASE + "eleve.html"
    ticket = ticket_from(cas_login(Client(), school.emma, page))
    with caplog.at_level(logging.WARNING, logger="socle.cas"):
        success = pronote_validates(saml, links, Client(), page, ticket)
    # PRONOTE gets the user name, and no attribute at all: what it calls « aucun attribut »
    assert success.user == school.emma.uid
    assert success.attributes == {} and success.first("idPronote") == ""

    # the operator's log line: the service, the host and why; nobody's name or ticket
    (line,) = [r.getMessage() for r in caplog.records if "withheld" in r.getMessage()]
    assert "service PRONOTE-HTTP" in line and "plain http on pronote.lycee.test" in line
    assert "SOCLE_CAS_SAML_HTTP_ATTRIBUTES" in line
    assert school.emma.login not in line and school.emma.uid not in line and ticket not in line
    # the school's « Traces »: once, under its UAI, with no person
    (trace,) = Trace.objects.filter(event="saml_attributes_withheld")
    assert (trace.service_code, trace.uai, trace.person_id) == (
        "PRONOTE-HTTP",
        school.est.uai,
        None,
    )
    assert "pronote.lycee.test" in trace.detail and school.emma.login not in trace.detail
    ticket = ticket_from(cas_login(Client(), school.tom, page))
    pronote_validates(saml, links, Client(), page, ticket)
    assert Trace.objects.filter(event="saml_attributes_withheld").count() == 1

    # « Diagnostic PRONOTE », for the school's administrator: what happens, what to do
    response = admin_client.get(
        reverse("pronote:doctor"), {"establishment": school.est.pk, "login": school.emma.login}
    )
    errors = [
        " ".join(p.text_content().split())
        for p in html.fromstring(response.content.decode()).xpath("//p[@class='error']")
    ]
    (problem,) = [e for e in errors if WILL_HAPPEN in e]
    assert HTTP_BASE in problem and TO_DO in problem
    assert "demandez à l'exploitant de l'ENT" in problem
    assert "SOCLE_CAS_SAML_HTTP_ATTRIBUTES" not in problem  # not the school's to set
    # the account examined: PRONOTE's own message, and the fix is https, not an import
    text = page_text(response)
    assert missing_attribute_message("http://testserver/cas", "idPronote") in text
    assert "importez le fichier des identifiants" not in text
    report = diagnose(school.est, school.emma.login, allowed=None)
    assert report.account is not None and report.account.attributes == {}
    assert "AttributeStatement" not in report.account.saml  # as the CAS answered above
    assert service.pk == report.services[0].service.pk

    # ``pronote_doctor``, the operator's: the same, naming the setting
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", school.emma.login)
    (line,) = [line for line in out.splitlines() if line.startswith("  ! ")]
    assert WILL_HAPPEN in line and TO_DO in line and "SOCLE_CAS_SAML_HTTP_ATTRIBUTES" in line
    assert "socle.W098" in line
    verdict = [line for line in out.splitlines() if line.startswith("=> ")]
    assert WILL_HAPPEN in verdict[0]
    assert verdict[1] == "=> PRONOTE affichera : " + missing_attribute_message(
        "http://testserver/cas", "idPronote"
    )


def test_it_says_nothing_of_http_for_https_loopback_or_when_the_operator_allows(
    school, pronotesim_saml, settings
) -> None:
    saml, links = pronotesim_saml
    pronote_at(school, LOOPBACK_BASE)  # pronotesim and the demo, on this machine
    make_pronote_identity(school.emma, school.est, "ELEVEEMMA0000001")
    page = LOOPBACK_BASE + "eleve.html"
    ticket = ticket_from(cas_login(Client(), school.emma, page))
    success = pronote_validates(saml, links, Client(), page, ticket)
    assert success.first("idPronote") == "ELEVEEMMA0000001"
    assert WILL_HAPPEN not in run("pronote_doctor", "--uai", school.est.uai)

    other = School()
    pronote_at(other, HTTP_BASE, code="PRONOTE-OTHER")
    assert WILL_HAPPEN in run("pronote_doctor", "--uai", other.est.uai)
    settings.SOCLE_CAS_SAML_HTTP_ATTRIBUTES = True
    assert WILL_HAPPEN not in run("pronote_doctor", "--uai", other.est.uai)
    settings.SOCLE_CAS_SAML_HTTP_ATTRIBUTES = False

    hosted = School()
    hosted_base = f"https://{hosted.est.uai.lower()}.index-education.net/pronote/"
    pronote_at(hosted, hosted_base, code="PRONOTE-HOSTED")
    assert WILL_HAPPEN not in run("pronote_doctor", "--uai", hosted.est.uai)
    assert Trace.objects.filter(event="saml_attributes_withheld").count() == 0


def test_it_speaks_english_on_an_english_page(school, admin_client) -> None:
    pronote_at(school, HTTP_BASE)
    response = admin_client.get(
        reverse("pronote:doctor"),
        {"establishment": school.est.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = page_text(response)
    assert WILL_HAPPEN not in text
    assert "idPronote" in text and HTTP_BASE in text


def test_it_names_the_identifier_attribute_the_service_is_set_to(school, admin_client) -> None:
    """PRONOTE's message quotes the attribute its console expects: the service's own name."""
    service = pronote_at(school, HTTP_BASE)
    service.pronote_id_attribute = "idEnt"
    service.save()
    response = admin_client.get(
        reverse("pronote:doctor"), {"establishment": school.est.pk, "login": school.emma.login}
    )
    text = page_text(response)
    renamed = WILL_HAPPEN.replace("idPronote", "idEnt")
    assert renamed in text and WILL_HAPPEN not in text
    assert 'renvoyer un attribut "idEnt"' in text and '"idPronote"' not in text
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", school.emma.login)
    (line,) = [line for line in out.splitlines() if line.startswith("  ! ")]
    assert renamed in line
    verdict = [line for line in out.splitlines() if line.startswith("=> ")]
    assert renamed in verdict[0] and "idPronote" not in verdict[0]


def test_in_identity_mode_it_quotes_identification_impossible(school, admin_client) -> None:
    """« Avec l'identité de l'utilisateur »: PRONOTE expects no identifier attribute, so without
    any attribute it answers « Identification impossible », not the missing-attribute message —
    on the page (service and account), in the command, and the same for the service form."""
    service = pronote_at(school, HTTP_BASE)
    service.pronote_recognition = "identity"
    service.save()
    response = admin_client.get(
        reverse("pronote:doctor"), {"establishment": school.est.pk, "login": school.emma.login}
    )
    problems = [
        " ".join(p.text_content().split())
        for p in html.fromstring(response.content.decode()).xpath("//p[@class='error']")
    ]
    (problem,) = [p for p in problems if p.startswith("Adresse en http")]
    assert (
        f"Adresse en http ({HTTP_BASE}, {HTTP_BASE}**) : le CAS n'enverra à PRONOTE.net aucun "
        "attribut d'identité (nom, prenom, dateNaissance, codePostal, categories)" in problem
    )
    assert "PRONOTE ne reconnaîtra que les utilisateurs qu'il a déjà liés à l'ENT" in problem
    assert "affichera aux autres « Identification impossible — Nous n'avons pas réussi" in problem
    assert "renvoyer un attribut" not in problem and "idPronote" not in problem
    assert TO_DO in problem
    verdict = " ".join(
        " ".join(p.text_content().split())
        for p in html.fromstring(response.content.decode()).xpath("//section[@id='compte']//p")
    )
    assert "Identification impossible" in verdict and "renvoyer un attribut" not in verdict
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", school.emma.login)
    (line,) = [line for line in out.splitlines() if line.startswith("  ! ")]
    assert "aucun attribut d'identité" in line and "Identification impossible" in line
    assert "renvoyer un attribut" not in out


def test_in_both_modes_it_quotes_both_messages(school) -> None:
    service = pronote_at(school, HTTP_BASE)
    service.pronote_recognition = "both"
    service.save()
    out = run("pronote_doctor", "--uai", school.est.uai)
    (line,) = [line for line in out.splitlines() if line.startswith("  ! ")]
    assert "ni l'identifiant PRONOTE (idPronote) ni les attributs d'identité" in line
    assert (
        "selon sa reconnaissance, « Le serveur CAS doit être configuré pour renvoyer un attribut "
        '"idPronote". Or aucun attribut n\'a été renvoyé. » ou « Identification impossible ».'
        in line
    )
