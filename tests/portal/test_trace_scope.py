"""``TraceScope``: the establishments whose « Traces » show a trace, written with it (deferred
writer or not), filled at the upgrade from ``Trace.member_uais``, purged with the traces."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.apps import apps
from django.db import connection
from django.utils import timezone

from socle.directory.models import Establishment
from socle.directory.profiles import Profile
from socle.portal import trace_buffer, trace_log
from socle.portal.models import Trace, TraceScope
from socle.portal.traces import record
from tests.factories import make_membership, make_person


def scopes() -> set[tuple[str, str]]:
    return {
        (s.trace.client_ip or "", s.uai) for s in TraceScope.objects.select_related("trace").all()
    }


def people(school: Establishment, other_school: Establishment) -> tuple[Any, Any, Any]:
    pupil = make_person("Jean", "Roux", establishment=school, profile=Profile.PUPIL)
    helene = make_person("Hélène", "Le Gall", establishment=school, profile=Profile.TEACHER)
    make_membership(helene, other_school, profile=Profile.TEACHER)
    return pupil, helene, make_person("Sans", "Etablissement")


def record_all(pupil: Any, helene: Any, nobody: Any, other_school: Establishment) -> None:
    record("login", person=pupil, client_ip="192.0.2.1")
    record("login", person=helene, client_ip="192.0.2.2")
    record("login", person=nobody, client_ip="192.0.2.3")
    record("ticket_issued", person=pupil, uai=other_school.uai, client_ip="192.0.2.4")
    record("ticket_refused", client_ip="192.0.2.5")  # no person, no UAI: the ENT's alone


def expected(school: Establishment, other_school: Establishment) -> set[tuple[str, str]]:
    return {
        ("192.0.2.1", school.uai),
        ("192.0.2.2", school.uai),
        ("192.0.2.2", other_school.uai),
        ("192.0.2.4", other_school.uai),
    }


def test_it_writes_each_traces_establishments_with_it(
    school: Establishment, other_school: Establishment
) -> None:
    record_all(*people(school, other_school), other_school)
    assert scopes() == expected(school, other_school)
    assert all(s.at == s.trace.at for s in TraceScope.objects.select_related("trace"))


def test_its_deferred_writer_writes_them_in_the_same_batch(
    settings: Any,
    school: Establishment,
    other_school: Establishment,
    django_assert_num_queries: Any,
) -> None:
    settings.SOCLE_TRACES_DEFERRED = True
    trace_buffer.flush()
    pupil, helene, nobody = people(school, other_school)
    with django_assert_num_queries(0):  # nothing more on the request path
        record_all(pupil, helene, nobody, other_school)
    assert TraceScope.objects.count() == 0
    assert trace_buffer.flush() == 5
    assert scopes() == expected(school, other_school)


def test_it_fills_the_establishments_of_the_traces_already_stored(
    school: Establishment, other_school: Establishment
) -> None:
    record_all(*people(school, other_school), other_school)
    TraceScope.objects.all().delete()  # as stored before the upgrade
    migration: Any = importlib.import_module("socle.portal.migrations.0009_trace_scope")
    migration.fill(apps, connection.schema_editor())
    assert scopes() == expected(school, other_school)
    assert sorted(TraceScope.objects.values_list("uai", flat=True)) == sorted(
        uai for _ip, uai in expected(school, other_school)
    )


def test_it_purges_the_establishments_with_their_traces(
    school: Establishment, other_school: Establishment
) -> None:
    record_all(*people(school, other_school), other_school)
    old = timezone.now() - dt.timedelta(days=400)
    for ip in ("192.0.2.1", "192.0.2.2"):
        Trace.objects.filter(client_ip=ip).update(at=old)
    assert trace_log.purge(365) == 2
    assert scopes() == {("192.0.2.4", other_school.uai)}
    assert Trace.objects.count() == 3


def test_it_reads_a_schools_traces_through_them(
    school: Establishment, other_school: Establishment
) -> None:
    record_all(*people(school, other_school), other_school)
    shown = trace_log.scoped_traces({other_school.pk})
    assert {t.client_ip for t in shown} == {"192.0.2.2", "192.0.2.4"}
    assert "tracescope" in str(shown.query).lower()


def test_it_narrows_a_schools_traces_to_the_period_by_their_times(
    school: Establishment, other_school: Establishment
) -> None:
    record_all(*people(school, other_school), other_school)
    old = timezone.now() - dt.timedelta(days=40)
    Trace.objects.filter(client_ip="192.0.2.2").update(at=old)
    TraceScope.objects.filter(trace__client_ip="192.0.2.2").update(at=old)
    since = timezone.now() - dt.timedelta(days=30)
    recent = trace_log.scoped_traces({other_school.pk}, since=since)
    assert {t.client_ip for t in recent} == {"192.0.2.4"}
    earlier = trace_log.scoped_traces({other_school.pk}, until=since)
    assert {t.client_ip for t in earlier} == {"192.0.2.2"}
