"""« Traces » keeps the deletion of people who left (``socle retention_purge``): a count, no
names, also for the batches an interrupted run committed."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from socle.directory import leavers
from socle.directory.models import Person
from socle.portal.models import Trace
from tests.factories import make_person


def make_leaver(first_name: str, days: int) -> Person:
    person = make_person(first_name, "Parti", is_active=False)
    Person.objects.filter(pk=person.pk).update(
        deactivated_at=timezone.now() - dt.timedelta(days=days)
    )
    return person


def test_it_traces_the_deletion_of_people_who_left(settings: Any) -> None:
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = 30
    make_leaver("Ana", 31)
    make_leaver("Bob", 31)
    call_command("retention_purge", "-v", "0", stdout=io.StringIO())
    (trace,) = Trace.objects.filter(event="leavers_deleted")
    assert trace.detail == "2 compte(s) désactivé(s) depuis plus de 30 jours"
    assert trace.actor_login == "retention_purge"
    assert "Ana" not in trace.detail and trace.person_id is None


def test_it_traces_nothing_when_nobody_is_deleted(settings: Any) -> None:
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = 30
    make_leaver("Ana", 29)
    call_command("retention_purge", "-v", "0", stdout=io.StringIO())
    call_command("retention_purge", "--dry-run", stdout=io.StringIO())
    assert not Trace.objects.filter(event="leavers_deleted").exists()


def test_it_traces_the_batches_an_interrupted_purge_committed(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SOCLE_DEACTIVATED_RETENTION_DAYS = 30
    monkeypatch.setattr(leavers, "BATCH", 1)
    make_leaver("Ana", 31)
    make_leaver("Bob", 31)

    def interrupted(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        leavers.purge_leavers(False, progress=interrupted)
    (trace,) = Trace.objects.filter(event="leavers_deleted")
    assert trace.detail.startswith("1 compte(s)")
