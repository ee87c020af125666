"""An export « mode avec alimentation » made while a UAI has no PRONOTE service gives PRONOTE the
uids as CAS user names: a PRONOTE service declared there afterwards must send the uids too, or
everyone would get « Identification impossible »."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import CommandError
from django.test import Client
from django.urls import reverse

from socle.directory.models import Establishment, Person
from socle.portal.models import Service, UsernameMode
from socle.pronote.export.service import export_for_pronote
from tests.factories import make_establishment, make_service, make_service_by_command

REFUSAL = "a transmis à PRONOTE l'identifiant opaque (uid) de chaque utilisateur"
URL = "https://0312609t.index-education.net/pronote/"


def exported(ent_key: Any, establishment: Establishment) -> Establishment:
    export_for_pronote(establishment, ent_key.public_key(), "P")
    establishment.refresh_from_db()
    return establishment


def service_add(establishment: Establishment, *extra: str, code: str = "PRONOTECAS") -> str:
    """``socle service_add`` of the establishment's PRONOTE service: its warnings."""
    return make_service_by_command(
        "--sso",
        "pronote",
        "--uai",
        establishment.uai,
        *extra,
        code=code,
        label="Pronote.net",
        url=URL,
    )[1]


def test_an_export_without_a_service_records_that_uids_were_sent(ent_key) -> None:
    school = make_establishment()
    assert school.pronote_uids_exported_at is None
    assert exported(ent_key, school).pronote_uids_exported_at is not None


def test_an_export_for_a_pairwise_service_records_nothing(ent_key) -> None:
    school = make_establishment()
    make_service(
        "pronote", sso_type="pronote", establishment=school, username_mode=UsernameMode.PAIRWISE
    )
    assert exported(ent_key, school).pronote_uids_exported_at is None


def test_the_command_refuses_a_pairwise_service_after_a_uid_export(ent_key) -> None:
    school = exported(ent_key, make_establishment())
    with pytest.raises(CommandError, match=re.escape(REFUSAL)) as caught:
        service_add(school, "--username-mode", "pairwise")
    assert "--change-username-mode" in str(caught.value)
    assert not Service.objects.exists()


def test_the_command_accepts_the_uid_after_a_uid_export(ent_key) -> None:
    school = exported(ent_key, make_establishment())
    service_add(school)
    assert Service.objects.get().username_mode == UsernameMode.UID


def test_the_command_refuses_to_turn_that_service_pairwise(ent_key) -> None:
    school = exported(ent_key, make_establishment())
    service_add(school)
    with pytest.raises(CommandError, match=re.escape(REFUSAL)):
        service_add(school, "--username-mode", "pairwise")
    assert Service.objects.get().username_mode == UsernameMode.UID


def test_a_forced_change_is_accepted_and_says_what_it_costs(ent_key) -> None:
    school = exported(ent_key, make_establishment())
    err = service_add(school, "--username-mode", "pairwise", "--change-username-mode")
    assert Service.objects.get().username_mode == UsernameMode.PAIRWISE
    assert "effacez tous les « Identifiant CAS »" in err
    # Edited afterwards without naming the mode again: the chosen mode stays, no refusal.
    service_add(school)
    assert Service.objects.get().username_mode == UsernameMode.PAIRWISE


def test_another_establishment_is_free_to_choose(ent_key) -> None:
    exported(ent_key, make_establishment())
    other = make_establishment()
    service_add(other, "--username-mode", "pairwise")
    assert Service.objects.get().username_mode == UsernameMode.PAIRWISE


def test_the_service_form_refuses_a_pairwise_service_after_a_uid_export(ent_key) -> None:
    from tests.portal.test_service_pages import field_errors, post_new, pronote_school

    exported(ent_key, pronote_school())
    client = Client()
    client.force_login(Person.objects.create_superuser("root", "root-password-2026"))
    response = post_new(client, username_mode=UsernameMode.PAIRWISE)
    assert response.status_code == 200
    (error,) = field_errors(response, "username_mode")
    assert REFUSAL in error and "0312609T" in error
    assert not Service.objects.exists()
    assert post_new(client).status_code == 302  # the uid is accepted


def test_the_django_admin_refuses_it_too(ent_key) -> None:
    school = exported(ent_key, make_establishment())
    client = Client()
    client.force_login(Person.objects.create_superuser("root", "root-password-2026"))
    response = client.post(
        reverse("admin:portal_service_add"),
        {
            "code": "PRONOTECAS",
            "label": "Pronote.net",
            "sso_type": "pronote",
            "url": URL,
            "establishment": str(school.pk),
            "order": "0",
            "username_mode": UsernameMode.PAIRWISE,
            "pronote_recognition": "pronote_id",
            "pronote_id_attribute": "idPronote",
            "access_mode": "open",
            "released_attributes": "[]",
            "patterns-TOTAL_FORMS": "0",
            "patterns-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(REFUSAL in e for e in errors.get("username_mode", [])), errors
    assert not Service.objects.exists()


def test_re_enabling_a_pairwise_service_disabled_at_the_uid_export_is_refused(ent_key) -> None:
    from tests.portal.test_service_pages import field_errors, pronote_school, service_data

    school = pronote_school()
    make_service(
        "PRONOTECAS",
        sso_type="pronote",
        establishment=school,
        patterns=(URL + "**",),
        username_mode=UsernameMode.UID,
    )
    spare = make_service(
        "PRONOTE2",
        sso_type="pronote",
        establishment=school,
        patterns=(URL + "**",),
        username_mode=UsernameMode.PAIRWISE,
        enabled=False,
    )
    exported(ent_key, school)  # PRONOTE now knows everyone by uid
    client = Client()
    client.force_login(Person.objects.create_superuser("root", "root-password-2026"))
    Service.objects.filter(code="PRONOTECAS").update(enabled=False)
    url = reverse("portal:service_edit", args=[spare.pk])
    data = service_data(code="PRONOTE2", username_mode=UsernameMode.PAIRWISE)
    response = client.post(url, data)
    assert response.status_code == 200
    (error,) = field_errors(response, "username_mode")
    assert REFUSAL in error
    spare.refresh_from_db()
    assert not spare.enabled
    with pytest.raises(CommandError, match=re.escape(REFUSAL)):
        service_add(school, code="PRONOTE2")
    # Once enabled and sending uids, the same service is left alone.
    assert client.post(url, data | {"username_mode": UsernameMode.UID}).status_code == 302
