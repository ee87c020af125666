"""The service form warns (it does not refuse) when the CAS will send the service no SAML
attribute: a plain-http address on another machine while ``SOCLE_CAS_SAML_HTTP_ATTRIBUTES`` is off
(CAS 3.0 §4.2.1). The rule is the CAS's own (``socle.core.saml_release``), applied to the URL and
patterns by ``socle.portal.saml_http``."""

from __future__ import annotations

import pytest
from django.urls import reverse
from lxml import html

from socle.cas import saml
from socle.core.saml_release import releases_saml_attributes
from socle.directory.models import Establishment, Person
from socle.portal.models import PatternKind, Service, SSOType
from socle.portal.saml_http import http_addresses, pattern_address
from tests.factories import make_person
from tests.portal.conftest import logged_in
from tests.portal.test_django_admin_services import _add_service, _errors, _superuser_client
from tests.portal.test_service_pages import service_data

HTTP_PRONOTE = "http://pronote.lycee.test/pronote/"
PRONOTE_WARNING = "le CAS n'enverra à PRONOTE.net ni l'identifiant PRONOTE (idPronote)"


def _pronote(school: Establishment, **overrides: str) -> dict[str, str]:
    return service_data(establishment=str(school.pk), **overrides)


def _warning(response) -> str:
    found = html.fromstring(response.content.decode()).xpath("//p[@id='id_url_warning']")
    return " ".join(found[0].text_content().split()) if found else ""


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_it_warns_a_school_administrator_saving_a_plain_http_pronote(
    school_admin: Person, school: Establishment
) -> None:
    client = logged_in(school_admin)
    created = client.post(reverse("portal:service_create"), _pronote(school, url=HTTP_PRONOTE))
    assert created.status_code == 302  # a warning, not a refusal
    service = Service.objects.get()
    assert list(service.patterns.values_list("value", flat=True)) == [HTTP_PRONOTE + "**"]
    (message,) = [m for m in _messages(client.get(created["Location"])) if PRONOTE_WARNING in m]
    assert HTTP_PRONOTE in message and "Publiez PRONOTE.net en https" in message
    assert "demandez à l'exploitant de l'ENT" in message
    assert "SOCLE_CAS_SAML_HTTP_ATTRIBUTES" not in message  # the operator's, not the school's
    page = client.get(reverse("portal:service_edit", args=[service.pk]))
    assert PRONOTE_WARNING in _warning(page)
    (url_input,) = html.fromstring(page.content.decode()).xpath("//input[@name='url']")
    assert "id_url_warning" in url_input.get("aria-describedby").split()
    assert "id_url_helptext" in url_input.get("aria-describedby").split()


def test_it_warns_on_a_form_shown_again_with_errors(
    school_admin: Person, school: Establishment
) -> None:
    data = _pronote(school, url=HTTP_PRONOTE, code="pas de code")
    response = logged_in(school_admin).post(reverse("portal:service_create"), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert PRONOTE_WARNING in _warning(response)


def test_it_says_nothing_for_https_or_when_the_operator_allows_http(
    school_admin: Person, school: Establishment, settings
) -> None:
    client = logged_in(school_admin)
    https = "https://0312609t.index-education.net/pronote/"
    created = client.post(reverse("portal:service_create"), _pronote(school, url=https))
    service = Service.objects.get()
    assert not [m for m in _messages(client.get(created["Location"])) if "http" in m]
    assert _warning(client.get(reverse("portal:service_edit", args=[service.pk]))) == ""
    service.url = HTTP_PRONOTE
    service.save()
    service.patterns.update(value=HTTP_PRONOTE + "**")
    assert _warning(client.get(reverse("portal:service_edit", args=[service.pk])))
    settings.SOCLE_CAS_SAML_HTTP_ATTRIBUTES = True
    assert _warning(client.get(reverse("portal:service_edit", args=[service.pk]))) == ""


def test_it_names_the_setting_to_an_ent_administrator_and_spares_loopback(
    superuser: Person, school: Establishment
) -> None:
    client = logged_in(superuser)
    loopback = "http://127.0.0.1:8137/pronote/"
    client.post(reverse("portal:service_create"), _pronote(school, url=loopback, code="DEMO"))
    demo = Service.objects.get(code="DEMO")
    assert _warning(client.get(reverse("portal:service_edit", args=[demo.pk]))) == ""
    client.post(reverse("portal:service_create"), _pronote(school, url=HTTP_PRONOTE, code="LYCEE"))
    lycee = Service.objects.get(code="LYCEE")
    warning = _warning(client.get(reverse("portal:service_edit", args=[lycee.pk])))
    assert PRONOTE_WARNING in warning and "SOCLE_CAS_SAML_HTTP_ATTRIBUTES=true" in warning


def test_it_warns_a_cas_service_whose_pattern_is_plain_http(
    school_admin: Person, school: Establishment
) -> None:
    data = _pronote(
        school,
        code="APPLI",
        sso_type=SSOType.CAS,
        url="http://appli.lycee.test/",
        patterns_text="http://appli.lycee.test/**",
    )
    client = logged_in(school_admin)
    response = client.post(reverse("portal:service_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    service = Service.objects.get()
    warning = _warning(client.get(reverse("portal:service_edit", args=[service.pk])))
    assert warning.startswith(
        "Adresse en http (http://appli.lycee.test/, http://appli.lycee.test/**) : si ce service"
    )
    link = make_person("Lien", "Simple", is_superuser=True)
    plain = _pronote(school, code="LIEN", sso_type=SSOType.NONE, url="http://lien.lycee.test/")
    logged_in(link).post(reverse("portal:service_create"), plain)
    lien = Service.objects.get(code="LIEN")
    assert _warning(logged_in(link).get(reverse("portal:service_edit", args=[lien.pk]))) == ""


@pytest.mark.parametrize(
    ("kind", "value", "judged"),
    [
        (PatternKind.ANT, "http://pronote.lycee.test/pronote/**", True),
        (PatternKind.ANT, "http://*.lycee.test/**", True),  # whatever host: not this machine
        (PatternKind.EXACT, "HTTP://Pronote.Lycee.test:80/pronote/", True),
        (PatternKind.REGEX, r"^http://pronote\.lycee\.test/.*", True),
        (PatternKind.REGEX, r"^https?://pronote\.lycee\.test/.*", True),  # accepts http too
        (PatternKind.REGEX, r"^(https|http)://(www\.)?pronote\.lycee\.test/(a|b)\.html", True),
        (PatternKind.REGEX, r"^https://pronote\.lycee\.test/.*", False),
        (PatternKind.REGEX, r"^https?://(localhost|127\.0\.0\.1)(:\d+)?/.*", False),
        (PatternKind.REGEX, r"^http://(localhost|127\.0\.0\.1)/.*", False),
        (PatternKind.REGEX, r"^(?!http:)https?://pronote\.lycee\.test/.*", False),  # not sure
        (PatternKind.REGEX, r"^(https?://pronote\.lycee\.test/.*)", False),  # not guessed
        (PatternKind.ANT, "http://127.0.0.1:8137/pronote/**", False),
        (PatternKind.ANT, "http://[::1]:8137/pronote/**", False),
        (PatternKind.ANT, "http://localhost/pronote/**", False),
        (PatternKind.ANT, "https://pronote.lycee.test/pronote/**", False),
    ],
)
def test_it_judges_patterns_by_the_cas_rule(kind: str, value: str, judged: bool) -> None:
    assert (http_addresses("", [(kind, value)]) == [value]) is judged
    address = pattern_address(kind, value)
    if address:  # one rule: the CAS's answer for an address the pattern accepts
        target = address + "eleve.html"
        assert saml.releases_attributes(target) is releases_saml_attributes(target)
        assert saml.releases_attributes(target) is not judged


def test_it_warns_in_the_django_admin_too(client) -> None:
    client = _superuser_client(client)
    response = _add_service(client, "http://appli.lycee.test/", "http://appli.lycee.test/**")
    assert response.status_code == 302, response.content[:300]
    shown = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert [m for m in shown if m.startswith("Adresse en http (http://appli.lycee.test/")]


def test_it_names_the_identifier_attribute_the_pronote_service_is_set_to(
    school_admin: Person, school: Establishment
) -> None:
    """PRONOTE's own message quotes the attribute its console expects: the service's
    « Attribut CAS contenant l'identifiant PRONOTE », not always ``idPronote``."""
    client = logged_in(school_admin)
    data = _pronote(school, url=HTTP_PRONOTE, pronote_id_attribute="idEnt")
    shown = _warning(client.post(reverse("portal:service_create"), data | {"code": "pas de code"}))
    assert "l'identifiant PRONOTE (idEnt)" in shown  # the posted name, on the form shown again
    assert 'renvoyer un attribut "idEnt"' in shown and "idPronote" not in shown
    created = client.post(reverse("portal:service_create"), data)
    assert created.status_code == 302
    (message,) = [m for m in _messages(client.get(created["Location"])) if "http" in m]
    assert "(idEnt)" in message and "idPronote" not in message
    edit = reverse("portal:service_edit", args=[Service.objects.get().pk])
    assert "(idEnt)" in _warning(client.get(edit))  # the stored name
    assert client.post(edit, data | {"pronote_id_attribute": "idSocle"}).status_code == 302
    assert "(idSocle)" in _warning(client.get(edit))
    refused = client.post(edit, data | {"pronote_id_attribute": "id Socle", "code": "pas de"})
    assert refused.context["form"].errors["pronote_id_attribute"]
    assert "(idSocle)" in _warning(refused)  # an invalid name posted: the stored one


def test_it_warns_on_the_read_only_page_of_a_service_of_the_whole_ent(
    school_admin: Person, settings
) -> None:
    service = Service.objects.create(
        code="PRONOTE-ENT",
        label="Pronote",
        sso_type=SSOType.PRONOTE,
        url=HTTP_PRONOTE,
        pronote_id_attribute="idEnt",
    )
    service.patterns.create(position=0, kind=PatternKind.ANT, value=HTTP_PRONOTE + "**")
    client = logged_in(school_admin)
    page = client.get(reverse("portal:service_edit", args=[service.pk]))
    assert [t.name for t in page.templates][0] == "portal/services/readonly.html"
    warning = _warning(page)
    assert PRONOTE_WARNING.replace("idPronote", "idEnt") in warning
    assert "demandez à l'exploitant de l'ENT" in warning
    assert "SOCLE_CAS_SAML_HTTP_ATTRIBUTES" not in warning  # the operator's, not the school's
    settings.SOCLE_CAS_SAML_HTTP_ATTRIBUTES = True
    assert _warning(client.get(reverse("portal:service_edit", args=[service.pk]))) == ""
    settings.SOCLE_CAS_SAML_HTTP_ATTRIBUTES = False
    service.url = "https://pronote.lycee.test/pronote/"
    service.save()
    service.patterns.update(value=service.url + "**")
    assert _warning(client.get(reverse("portal:service_edit", args=[service.pk]))) == ""


def test_it_names_the_attribute_in_the_django_admin_too(client, school: Establishment) -> None:
    client = _superuser_client(client)
    response = _add_service(
        client,
        HTTP_PRONOTE,
        HTTP_PRONOTE + "**",
        sso_type=SSOType.PRONOTE,
        establishment=str(school.pk),
        pronote_id_attribute="idEnt",
    )
    assert response.status_code == 302, _errors(response)
    shown = [str(m) for m in client.get(response["Location"]).context["messages"]]
    (warning,) = [m for m in shown if m.startswith("Adresse en http (")]
    assert 'renvoyer un attribut "idEnt"' in warning


def test_it_quotes_what_pronote_says_in_identity_mode(
    school_admin: Person, school: Establishment
) -> None:
    """A PRONOTE in « Avec l'identité de l'utilisateur » answers « Identification impossible »
    when no attribute comes, not the missing-identifier message: the posted mode, then the
    stored one."""
    client = logged_in(school_admin)
    data = _pronote(school, url=HTTP_PRONOTE, pronote_recognition="identity")
    shown = _warning(client.post(reverse("portal:service_create"), data | {"code": "pas de code"}))
    assert "aucun attribut d'identité (nom, prenom, dateNaissance, codePostal, categories)" in shown
    assert "« Identification impossible — Nous n'avons pas réussi" in shown
    assert "renvoyer un attribut" not in shown and PRONOTE_WARNING not in shown
    assert client.post(reverse("portal:service_create"), data).status_code == 302
    edit = reverse("portal:service_edit", args=[Service.objects.get().pk])
    assert "Identification impossible" in _warning(client.get(edit))
    assert client.post(edit, data | {"pronote_recognition": "pronote"}).status_code == 302
    assert PRONOTE_WARNING in _warning(client.get(edit))
