"""``socle.W050``: traces or deactivated accounts kept beyond their retention say that
``socle retention_purge`` does not run daily (docs/privacy.md, "Retention"); checked with the
database (``socle check --database default``), two days of grace."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from socle.directory.models import Person
from socle.portal.models import Trace
from socle.portal.purge_check import check_purge_runs
from socle.portal.traces import record
from tests.factories import make_person


def _messages() -> list[str]:
    return [m.msg for m in check_purge_runs(databases=["default"]) if m.id == "socle.W050"]


def _age(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@override_settings(SOCLE_TRACE_RETENTION_DAYS=30, SOCLE_DEACTIVATED_RETENTION_DAYS=60)
def test_it_warns_of_traces_and_leavers_kept_past_their_retention_until_the_purge_runs() -> None:
    record("login", person=make_person("Camille", "Martin"))
    Trace.objects.update(at=_age(33))
    leaver = make_person("Jade", "Dubois")
    Person.objects.filter(pk=leaver.pk).update(is_active=False, deactivated_at=_age(63))
    (message,) = _messages()
    day = timezone.localtime(_age(33)).strftime("%d/%m/%Y")
    assert f"traces du {day} ; comptes désactivés le " in message
    assert message.endswith("socle retention_purge ne tourne pas chaque jour.")
    call_command("retention_purge", "-v", "0", stdout=io.StringIO())
    assert _messages() == []


@override_settings(SOCLE_TRACE_RETENTION_DAYS=30, SOCLE_DEACTIVATED_RETENTION_DAYS=0)
def test_it_gives_the_purge_two_days_and_never_counts_leavers_kept_for_ever() -> None:
    record("login", person=make_person("Camille", "Martin"))
    Trace.objects.update(at=_age(31))  # past the retention, within the grace
    leaver = make_person("Jade", "Dubois")
    Person.objects.filter(pk=leaver.pk).update(is_active=False, deactivated_at=_age(3650))
    assert _messages() == []


@override_settings(SOCLE_TRACE_RETENTION_DAYS=0, SOCLE_DEACTIVATED_RETENTION_DAYS=30)
def test_it_does_not_count_a_long_block_of_an_account_the_imports_still_list() -> None:
    blocked = make_person("Jade", "Dubois")
    Person.objects.filter(pk=blocked.pk).update(
        is_active=False,
        deactivated_at=_age(40),
        blocked_at=_age(40),
        active_when_unblocked=True,  # still listed: the purge never deletes it
    )
    assert _messages() == []
    Person.objects.filter(pk=blocked.pk).update(active_when_unblocked=False)  # left meanwhile
    assert len(_messages()) == 1


def test_it_checks_nothing_without_the_database() -> None:
    assert check_purge_runs() == []
