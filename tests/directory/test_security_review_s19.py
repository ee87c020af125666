"""Attacks tried by the security review of 2026-12-04 on the retention of people who left
(``socle retention_purge``): no setting deletes an active person, and a retention too long for
the calendar deletes no one instead of stopping every other purge."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from socle.directory.models import Person
from socle.portal.models import Trace
from tests.factories import make_person


def _purge() -> str:
    out = io.StringIO()
    call_command("retention_purge", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("days", [1, 36500])
def test_no_retention_deletes_an_active_person_even_with_a_stale_deactivation_date(
    settings: Any, days: int
) -> None:
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = days
    active = make_person("Camille", "Martin")
    long_ago = timezone.now() - dt.timedelta(days=days + 400)
    Person.objects.filter(pk=active.pk).update(deactivated_at=long_ago)  # a bulk path's leftover
    _purge()
    assert Person.objects.filter(pk=active.pk, is_active=True).exists()


@pytest.mark.parametrize("days", [800_000, 10**12])
def test_a_retention_longer_than_the_calendar_deletes_no_one_and_the_other_purges_run(
    settings: Any, days: int
) -> None:
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = days
    settings.SOCLE_TRACE_RETENTION_DAYS = 30
    leaver = make_person("Lucas", "Bernard", is_active=False)
    Person.objects.filter(pk=leaver.pk).update(deactivated_at=dt.datetime(1, 1, 2, tzinfo=dt.UTC))
    old = Trace.objects.create(event="login", outcome="ok")
    Trace.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=60))
    output = _purge()
    assert Person.objects.filter(pk=leaver.pk).exists()
    assert not Trace.objects.filter(pk=old.pk).exists()
    assert "comptes désactivés depuis plus de SOCLE_DEACTIVATED_RETENTION_DAYS : 0" in output
