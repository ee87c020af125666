"""An import's predictions (« Identifiants CAS différents ») were computed for the PRONOTE
service's settings at validation. They stay the record of what validation found; when the
recognition mode, the address (https ↔ http) or the user name mode have changed since in a way
that changes them, the final page says so and sends to « Diagnostic PRONOTE », which recomputes
them (``socle.pronote.predicted_for``)."""

from __future__ import annotations

from django.urls import reverse
from lxml import html

from socle.portal.models import Service, ServicePattern
from socle.pronote.doctor import diagnose
from socle.pronote.models import ImportSession, ImportStep
from tests.pronote.helpers import School
from tests.pronote.test_recognition_consistency import (
    _held_noted,
    _import_with_bound_copy,
    _pronote,
)

STALE = "Les prévisions de cet import (« Identifiants CAS différents »"


def final_page(client, session: ImportSession):  # noqa: ANN001, ANN201
    response = client.get(reverse("pronote:final", args=[session.pk]))
    return html.fromstring(response.content.decode())


def stale_warning(client, session: ImportSession) -> str:  # noqa: ANN001
    found = final_page(client, session).xpath('//*[@id="stale-predictions"]')
    return " ".join(found[0].text_content().split()) if found else ""


def test_it_records_the_settings_each_step_was_validated_for(school: School):
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    step = ImportStep.objects.get(session=session, number=2)
    assert step.predicted_for == {
        "service": "PRONOTE-IDPN",
        "recognition": "pronote",
        "address": service.url,
        "username_mode": "uid",
        "refused": True,
    }


def test_it_marks_the_predictions_computed_for_a_former_recognition_mode(
    admin_client, school: School
):
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    assert _held_noted(session) == ["ELEVEEMMA0000001"]
    assert stale_warning(admin_client, session) == ""

    Service.objects.filter(pk=service.pk).update(pronote_recognition="identity")
    warning = stale_warning(admin_client, session)
    assert warning == (
        f"{STALE}, personnes que PRONOTE refusera) ont été calculées à la validation, pour les "
        "réglages d'alors du service PRONOTE (reconnaissance « Avec l'identifiant PRONOTE de "
        f"l'utilisateur », adresse {service.url}, identifiant CAS transmis « Identifiant opaque "
        "(uid) »). Le service a changé depuis (reconnaissance « Avec l'identité de "
        f"l'utilisateur », adresse {service.url}, identifiant CAS transmis « Identifiant opaque "
        "(uid) ») : elles ne valent plus telles quelles. « Diagnostic PRONOTE » les recalcule "
        "avec les réglages actuels. Ouvrir le diagnostic PRONOTE"
    )
    doc = final_page(admin_client, session)
    (link,) = doc.xpath('//*[@id="stale-predictions"]//a/@href')
    assert link == f"{reverse('pronote:doctor')}?establishment={school.est.pk}"
    # the record is kept as validation wrote it; the diagnostic, live, predicts no refusal
    assert _held_noted(session) == ["ELEVEEMMA0000001"]
    assert diagnose(school.est, allowed=None).cas_mismatches == []

    Service.objects.filter(pk=service.pk).update(pronote_recognition="both")  # same as then
    assert stale_warning(admin_client, session) == ""


def test_it_marks_them_when_the_address_pronote_sends_turns_http(admin_client, school: School):
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    # another https address: the predictions still hold
    ServicePattern.objects.filter(service=service).update(value="https://ailleurs.test/pronote/**")
    Service.objects.filter(pk=service.pk).update(url="https://ailleurs.test/pronote/")
    assert stale_warning(admin_client, session) == ""
    # PRONOTE.net now sends http (its patterns), whatever the URL typed: no attribute, no refusal
    ServicePattern.objects.filter(service=service).update(value="http://ailleurs.test/pronote/**")
    warning = stale_warning(admin_client, session)
    assert warning.startswith(STALE)
    assert "Le service a changé depuis (reconnaissance « Avec l'identifiant PRONOTE de " in warning
    assert "adresse http://ailleurs.test/pronote/, identifiant CAS" in warning


def test_it_marks_a_step_validated_with_no_note_too(admin_client, school: School):
    """Validated in identity mode, no refusal was noted; the identifier mode now would refuse."""
    service = _pronote(school, "PRONOTE-ID", "identity")
    session = _import_with_bound_copy(school)
    assert _held_noted(session) == []
    Service.objects.filter(pk=service.pk).update(pronote_recognition="pronote")
    assert stale_warning(admin_client, session).startswith(STALE)
    assert len(diagnose(school.est, allowed=None).cas_mismatches) == 1


def test_it_says_nothing_for_steps_validated_before_settings_were_recorded(
    admin_client, school: School
):
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    ImportStep.objects.update(predicted_for={})
    Service.objects.filter(pk=service.pk).update(pronote_recognition="identity")
    assert stale_warning(admin_client, session) == ""


def test_it_speaks_english(admin_client, school: School):
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    Service.objects.filter(pk=service.pk).update(pronote_recognition="identity")
    response = admin_client.get(
        reverse("pronote:final", args=[session.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    (warning,) = html.fromstring(response.content.decode()).xpath('//*[@id="stale-predictions"]')
    text = " ".join(warning.text_content().split())
    assert STALE not in text and "were computed at validation" in text
