"""The measured phase: « Traces » and « Indicateurs » as a school's administrator sees them.

Each page is the view itself (``RequestFactory``, the administrator as ``request.user``, the
template rendered), run twice: the second run (warm caches) is the one reported, with the
slowest SQL query of that run and its plan (``EXPLAIN ANALYZE`` on PostgreSQL, ``EXPLAIN QUERY
PLAN`` on SQLite). Variants: ``scope``, the code as it is (``TraceScope``); ``like``, the
scope of 18e978b (a ``LIKE`` on ``Trace.member_uais``); ``memberships``, that of 61482c4 (the
people who belong to the school today).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any


def _uais(establishment_ids: set[int]) -> list[str]:
    from socle.directory.models import Establishment

    return list(
        Establishment.objects.filter(pk__in=establishment_ids).values_list("uai", flat=True)
    )


def scoped_by_member_uais(establishment_ids: set[int], *_period: Any) -> Any:
    """``trace_log.scoped_traces`` of 18e978b (an establishment's administrator): a ``LIKE`` on
    ``Trace.member_uais``."""
    from django.db.models import Q

    from socle.portal.models import Trace

    uais = _uais(establishment_ids)
    members = Q()
    for uai in uais:
        members |= Q(member_uais__contains=uai)
    return Trace.objects.filter(Q(uai__in=uais) | (Q(uai="") & members))


def scoped_by_today_memberships(establishment_ids: set[int], *_period: Any) -> Any:
    """``trace_log.scoped_traces`` of 61482c4: the people who belong to the school today."""
    from django.db.models import Q

    from socle.directory.models import Membership
    from socle.portal.models import Trace

    members = Membership.objects.filter(establishment_id__in=establishment_ids).values("person_id")
    return Trace.objects.filter(
        Q(uai__in=_uais(establishment_ids)) | Q(uai="", person_id__in=members)
    )


VARIANTS = {
    "scope": None,  # trace_log.scoped_traces as it is: TraceScope
    "like": scoped_by_member_uais,
    "memberships": scoped_by_today_memberships,
}


def pages(uai: str, login: str) -> list[tuple[str, str, dict[str, str]]]:
    from django.utils import timezone

    today = timezone.localdate()
    week = (today - dt.timedelta(days=37)).isoformat(), (today - dt.timedelta(days=31)).isoformat()
    return [
        ("Traces, page 1", "traces", {}),
        ("Traces, page 100", "traces", {"page": "100"}),
        ("Traces, event « Connexion »", "traces", {"event": "login"}),
        ("Traces, service", "traces", {"service": "moodle"}),
        ("Traces, one week", "traces", {"start": week[0], "end": week[1]}),
        ("Traces, a person", "traces", {"person": login}),
        ("Indicateurs (30 days)", "indicators", {}),
    ]


def explain(sql: str, params: Any) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def run_page(view: Callable[..., Any], user: Any, query: dict[str, str]) -> dict[str, Any]:
    from django.db import connection, reset_queries
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    request = RequestFactory().get("/", query)
    request.user = user
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = view(request)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, response.status_code  # noqa: S101 (a benchmark)
    queries = list(captured.captured_queries)
    reset_queries()  # the log keeps 9,000 queries; captured_queries is a view of it
    slowest = max(queries, key=lambda q: float(q["time"]))
    return {
        "seconds": seconds,
        "queries": len(queries),
        "slowest_seconds": float(slowest["time"]),
        "slowest_sql": slowest["sql"],
    }


def measure(info: dict[str, Any], variant: str, plans: bool) -> list[dict[str, Any]]:
    from django.db import connection

    from socle.directory.models import Person
    from socle.portal import trace_log
    from socle.portal.views import traces as views

    if VARIANTS[variant] is not None:
        trace_log.scoped_traces = VARIANTS[variant]  # type: ignore[assignment]
    results = []
    for size in ("small", "big"):
        uai = info[size]
        user = Person.objects.get(login=info["admins"][uai])
        member = (
            Person.objects.filter(memberships__establishment__uai=uai, is_superuser=False)
            .exclude(pk=user.pk)
            .order_by("pk")
            .values_list("login", flat=True)
            .first()
        )
        for name, page, query in pages(uai, member or ""):
            view = views.trace_list if page == "traces" else views.indicator_page
            run_page(view, user, query)  # warms the caches
            result = run_page(view, user, query)
            result.update(school=size, page=name, variant=variant, engine=connection.vendor)
            if plans:
                # The plan of the slowest query, its parameters inlined by the driver's quoting
                # are not needed: Django's captured SQL is already literal on both engines.
                result["plan"] = explain(result["slowest_sql"], None)
            results.append(result)
    return results
