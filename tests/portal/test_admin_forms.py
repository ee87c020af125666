"""The Django admin refuses what the portal's service form refuses (socle.portal.admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import modelform_factory
from django.test import RequestFactory

from socle.portal.admin import ServicePatternForm
from socle.portal.models import (
    PatternKind,
    PronoteRecognition,
    Service,
    ServicePattern,
    SSOType,
    UsernameMode,
)
from tests.factories import make_establishment, make_person, make_service


def _service_form(instance: Service | None = None, **data: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = make_person("Ada", "Admin", is_superuser=True, is_staff=True)
    model_admin = admin.site._registry[Service]
    form_class = model_admin.get_form(request, instance)
    initial = {
        "code": "pronote",
        "label": "PRONOTE",
        "sso_type": SSOType.PRONOTE,
        "url": "https://0310001h.index-education.net/pronote/",
        "order": 100,
        "access_mode": "open",
        "username_mode": UsernameMode.UID,
        "in_services_bar": "on",
        "enabled": "on",
        "pronote_recognition": PronoteRecognition.PRONOTE_ID,
        "pronote_id_attribute": "idPronote",
    }
    if instance is not None:
        initial |= {"code": instance.code, "label": instance.label}
    if instance is None or instance.establishment_id is None:
        initial["establishment"] = str(make_establishment().pk)
    return form_class({**initial, **data}, instance=instance)


def _messages(form: Any) -> str:
    return " ".join(str(m) for messages in form.errors.values() for m in messages)


def test_it_accepts_a_pronote_service_sending_the_uid() -> None:
    form = _service_form()
    assert form.is_valid(), form.errors


def test_it_refuses_a_new_pronote_service_sending_the_login() -> None:
    form = _service_form(username_mode=UsernameMode.LOGIN)
    assert not form.is_valid()
    assert "PRONOTE ne peut pas recevoir l'identifiant de connexion" in _messages(form)


def test_it_refuses_turning_a_login_service_into_a_pronote_one() -> None:
    service = make_service("notes", username_mode=UsernameMode.LOGIN, usernames_sent=True)
    form = _service_form(service, username_mode=UsernameMode.LOGIN)
    assert not form.is_valid()
    assert "PRONOTE ne peut pas recevoir" in _messages(form)


def test_it_refuses_a_pronote_url_without_its_publication_root() -> None:
    form = _service_form(url="https://0310001h.index-education.net/")
    assert not form.is_valid()
    assert "url" in form.errors


def _pattern_form(kind: str, value: str) -> Any:
    form_class = modelform_factory(
        ServicePattern, form=ServicePatternForm, fields=["kind", "value"]
    )
    return form_class({"kind": kind, "value": value})


def test_it_refuses_a_regex_that_does_not_compile() -> None:
    form = _pattern_form(PatternKind.REGEX, "^https://h\\.example\\.org/(")
    assert not form.is_valid()
    assert "Expression régulière invalide" in str(form.errors["value"])


def test_it_refuses_a_pattern_that_is_no_web_address() -> None:
    form = _pattern_form(PatternKind.ANT, "h.example.org/**")
    assert not form.is_valid()


def test_it_accepts_an_ordinary_pattern() -> None:
    form = _pattern_form(PatternKind.ANT, "https://h.example.org/app/**")
    assert form.is_valid(), form.errors


def test_it_refuses_a_pattern_in_the_other_scheme_than_its_stored_service_url() -> None:
    """Alone (outside the admin's form set), the form compares with the service as stored."""
    service = make_service("appli", url="https://h.example.org/app/", patterns=())
    form_class = modelform_factory(
        ServicePattern, form=ServicePatternForm, fields=["kind", "value"]
    )
    pattern = ServicePattern(service=service)
    form = form_class(
        {"kind": PatternKind.ANT, "value": "http://h.example.org/app/**"}, instance=pattern
    )
    assert not form.is_valid()
    assert "Ce motif accepte l'adresse du service en http" in form.errors["value"][0]


def test_it_refuses_a_pronote_service_without_establishment() -> None:
    form = _service_form(establishment="")
    assert not form.is_valid()
    assert "Un service PRONOTE est lié à un établissement" in _messages(form)


def test_it_refuses_a_url_an_earlier_services_pattern_already_takes() -> None:
    make_service(
        "large",
        sso_type=SSOType.CAS,
        patterns=("https://0310001h.index-education.net/**",),
        order=10,
    )
    form = _service_form()  # PRONOTE at order 100: its espaces would go to « large »
    assert not form.is_valid()
    assert "déjà acceptée par le motif" in " ".join(form.errors["url"])
    assert _service_form(order=5).is_valid()  # before it, PRONOTE keeps its addresses
