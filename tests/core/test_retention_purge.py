"""``socle retention_purge``: every retention rule applied at once (socle.core.personal_data)."""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from socle.directory.activation import issue_code
from socle.directory.models import ActivationCode, Person
from socle.portal.models import Trace
from socle.pronote.models import ImportRow, ImportSession, MissingIdentifierEvent
from tests.factories import make_establishment, make_person
from tests.pronote.test_purge_imports import make_session


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("retention_purge", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def database_stores(settings: Any) -> None:
    """Sessions and the cache in the database, as without Redis (the suite runs with Redis too),
    where nothing deletes their expired rows but this command."""
    settings.SOCLE_REDIS_URL = ""
    settings.CACHES = {"default": dict(settings.DATABASE_CACHE)}
    settings.SESSION_ENGINE = "socle.core.db_sessions"
    call_command("createcachetable")  # the test database was migrated with Redis in some runs


@pytest.fixture
def old_and_new(settings: Any, database_stores: None) -> dict[str, Any]:
    """One record past its retention and one within it, of every kind the command purges."""
    settings.SOCLE_TRACE_RETENTION_DAYS = 30
    settings.SOCLE_PRONOTE_IMPORT_RETENTION_DAYS = 60
    school = make_establishment()
    person = make_person(establishment=school)
    other = make_person("Hugo", "Petit", establishment=school)
    Trace.objects.create(event="login", at=days_ago(31), person=person)
    recent_trace = Trace.objects.create(event="login", at=days_ago(29), person=person)
    entry = {
        "user": person,
        "content_type": ContentType.objects.get_for_model(Person),
        "object_id": str(other.pk),
        "object_repr": str(other),
        "action_flag": ADDITION,
    }
    LogEntry.objects.create(action_time=days_ago(31), **entry)
    LogEntry.objects.create(action_time=days_ago(29), **entry)
    make_session(school, 61)
    make_session(school, 1)
    MissingIdentifierEvent.objects.create(
        person=person, establishment=school, first_at=days_ago(40), last_at=days_ago(31)
    )
    MissingIdentifierEvent.objects.create(
        person=other, establishment=school, first_at=days_ago(40), last_at=days_ago(29)
    )
    issue_code(person)
    ActivationCode.objects.filter(person=person).update(expires_at=days_ago(2))
    issue_code(other)
    Session.objects.create(session_key="old", session_data="x", expire_date=days_ago(1))
    Session.objects.create(
        session_key="live", session_data="x", expire_date=timezone.now() + dt.timedelta(hours=1)
    )
    cache.set("cas:fail:ip:192.0.2.1", 1, 1)
    cache.set("cas:fail:ip:192.0.2.2", 1, 3600)
    return {"trace": recent_trace, "other": other}


def test_it_deletes_what_is_past_its_retention_and_keeps_the_rest(
    old_and_new: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    later = timezone.now() + dt.timedelta(seconds=5)  # the 1-second cache entry has expired
    monkeypatch.setattr(timezone, "now", lambda: later)
    output = run()
    assert Trace.objects.exclude(event="traces_purged").get() == old_and_new["trace"]
    assert Trace.objects.filter(event="traces_purged", actor_login="retention_purge").exists()
    assert LogEntry.objects.count() == 1
    assert ImportSession.objects.count() == 1 and ImportRow.objects.count() == 2
    assert list(MissingIdentifierEvent.objects.values_list("person", flat=True)) == [
        old_and_new["other"].pk
    ]
    assert list(ActivationCode.objects.values_list("person", flat=True)) == [
        old_and_new["other"].pk
    ]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert "compteurs de connexion expirés (cache en base) : 1" in output
    assert "traces plus anciennes que SOCLE_TRACE_RETENTION_DAYS : 1" in output


def test_it_deletes_the_expired_throttle_counters_of_the_database_cache(
    monkeypatch: pytest.MonkeyPatch, database_stores: None
) -> None:
    from django.db import connection

    cache.set("cas:fail:ip:192.0.2.1", 1, 1)
    cache.set("cas:fail:ip:192.0.2.2", 1, 3600)
    later = timezone.now() + dt.timedelta(seconds=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    run("-v", "0")
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM socle_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert not [k for k in keys if "192.0.2.1" in k]
    assert [k for k in keys if "192.0.2.2" in k]


def test_a_dry_run_counts_and_deletes_nothing(old_and_new: dict[str, Any]) -> None:
    output = run("--dry-run")
    assert "traces plus anciennes que SOCLE_TRACE_RETENTION_DAYS : 1" in output
    assert "tickets et sessions CAS expirés : non compté" in output
    assert "rien n'a été supprimé" in output
    assert Trace.objects.count() == 2 and LogEntry.objects.count() == 2
    assert ImportSession.objects.count() == 2 and ActivationCode.objects.count() == 2


def test_it_says_nothing_with_verbosity_zero_but_keeps_the_purge_trace(
    old_and_new: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="socle.traces"):
        assert run("-v", "0") == ""
        assert logging.getLogger("socle.traces").level == logging.INFO  # put back
    assert not [r for r in caplog.records if r.name == "socle.traces"]
    assert Trace.objects.filter(event="traces_purged").exists()
