"""Deleting a person ends their single sign-on sessions with a single logout, as deactivating
does (socle.cas.signals)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from socle.cas.models import SsoSession
from socle.directory.models import Person
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.factories import make_person


@pytest.fixture
def logouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    sent: list[str] = []
    monkeypatch.setattr(
        "socle.cas.sso.send_single_logout", lambda tickets: sent.extend(t.id for t in tickets)
    )
    return sent


def _validated_ticket(client: Client, person: Person) -> str:
    ticket = ticket_from(cas_login(client, person, SERVICE_URL))
    answer = Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    assert b"authenticationSuccess" in answer.content
    return ticket


def test_it_logs_the_services_out_when_a_person_is_deleted(
    client: Client,
    pupil: Person,
    service: Any,
    logouts: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ticket = _validated_ticket(client, pupil)
    with django_capture_on_commit_callbacks(execute=True):
        pupil.delete()
    assert logouts == [ticket]
    assert SsoSession.objects.count() == 0
    # The browser's cookie opens nothing any more: the login form again.
    assert client.get("/cas/login", {"service": SERVICE_URL}).status_code == 200


def test_it_logs_the_services_out_when_the_django_admin_deletes_people(
    client: Client,
    school: Any,
    pupil: Person,
    service: Any,
    logouts: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ticket = _validated_ticket(Client(), pupil)
    other = make_person("Hugo", "Martin", establishment=school)
    other_ticket = _validated_ticket(Client(), other)
    client.force_login(make_person("Ada", "Admin", is_superuser=True, is_staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:directory_person_changelist"),
            {"action": "delete_selected", "_selected_action": [pupil.pk, other.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not Person.objects.filter(pk__in=[pupil.pk, other.pk]).exists()
    assert sorted(logouts) == sorted([ticket, other_ticket])


def test_it_sends_no_logout_for_a_deletion_rolled_back(
    client: Client,
    pupil: Person,
    service: Any,
    logouts: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    _validated_ticket(client, pupil)
    pk = pupil.pk
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        pupil.delete()
        raise RuntimeError("rolled back")
    assert logouts == []
    assert Person.objects.filter(pk=pk).exists()


def test_it_logs_the_services_out_when_the_retention_purge_deletes_a_leaver(
    pupil: Person,
    service: Any,
    logouts: list[str],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    ticket = _validated_ticket(Client(), pupil)
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = 30
    # A session left over (as one a store could not end at the deactivation).
    Person.objects.filter(pk=pupil.pk).update(
        is_active=False, deactivated_at=timezone.now() - dt.timedelta(days=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_purge", "-v", "0")
    assert not Person.objects.filter(pk=pupil.pk).exists()
    assert logouts == [ticket]
    assert SsoSession.objects.count() == 0
