"""Reading traces: administrator scope, filters, CSV export, retention purge."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from socle.core.spreadsheet import safe_cell
from socle.directory.models import Establishment, Person
from socle.directory.names import normalize_name
from socle.portal.models import Trace, TraceScope
from socle.portal.trace_details import detail_text
from socle.portal.traces import OUTCOME_LABELS, event_label

CSV_COLUMNS = [
    "date",
    "evenement",
    "resultat",
    "identifiant",
    "service",
    "uai",
    "profil",
    "adresse_ip",
    "detail",
]


def scoped_traces(
    establishment_ids: set[int] | None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[Trace]:
    """What an administrator may read: everything (``None``), else the traces of their
    establishments (by UAI) and those without UAI of the people who belonged to one of them
    when the trace was recorded (``Trace.member_uais``): not by today's memberships, so that
    a pupil's collège logins stay the collège's after he moved to the lycée. Read through
    ``TraceScope`` (one row per trace and establishment, index (uai, at, trace)): a ``LIKE``
    on ``member_uais`` would read every trace of the region. ``since``/``until`` (the period
    asked, if any) narrow the scope's rows by that index too: « Indicateurs » reads the school's
    month, not its year of traces, before the period's filter on the traces themselves."""
    traces = Trace.objects.all()
    if establishment_ids is None:
        return traces
    uais = list(
        Establishment.objects.filter(pk__in=establishment_ids).values_list("uai", flat=True)
    )
    if not uais:
        return traces.none()
    return seen_by(traces, uais, since, until)


def seen_by(
    traces: QuerySet[Trace],
    uais: list[str],
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[Trace]:
    """``traces`` narrowed to those the establishments of ``uais`` see (their ``TraceScope``
    rows), the scope's rows narrowed to the period first, by their (uai, at, trace) index."""
    scope = TraceScope.objects.filter(uai__in=uais)
    if since is not None:
        scope = scope.filter(at__gte=since)
    if until is not None:
        scope = scope.filter(at__lt=until)
    return traces.filter(pk__in=scope.values("trace_id"))


def recorded_events(limit: int = 100) -> list[str]:
    """The distinct events of the stored traces (the « Événement » filter adds them to the known
    ones), by one seek of the index on ``event`` per name: a "loose index scan" written as a
    recursive query, which PostgreSQL and SQLite both run. ``SELECT DISTINCT`` read every
    trace on each « Traces » page: 0.6 s for a region's 5 million (docs/benchmarks/analysis.md,
    "Traces of a school")."""
    table = connection.ops.quote_name(Trace._meta.db_table)
    sql = (
        f"WITH RECURSIVE e(event) AS (SELECT MIN(event) FROM {table} "  # noqa: S608 (the model's table)
        f"UNION ALL SELECT (SELECT MIN(event) FROM {table} WHERE event > e.event) "
        "FROM e WHERE e.event IS NOT NULL) SELECT event FROM e WHERE event IS NOT NULL LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [row[0] for row in cursor.fetchall()]


def profile_scope(administered: set[int] | None, data: dict[str, Any]) -> set[int] | None:
    """The establishments whose profiles « Profil » reads (:func:`with_profile`): the one the
    « Établissement » filter names (the profile there), else the reader's (``None``: all)."""
    if not data.get("uai"):
        return administered
    chosen = set(Establishment.objects.filter(uai=data["uai"]).values_list("pk", flat=True))
    return chosen if administered is None else chosen & administered


def with_profile(
    traces: QuerySet[Trace], establishment_ids: set[int] | None = None
) -> QuerySet[Trace]:
    """Annotates ``shown_profile``: the trace's own profile, else the profile its person held,
    when the trace was recorded, in the establishment that sees it (``TraceScope.profile``),
    "" for none. A trace with a UAI has one such row, its UAI's: the profile in the school of
    the row, whichever schools the reader administers. A trace without UAI has one per
    establishment of its person then: the first profile by code among ``establishment_ids``
    (the reader's, or the one the « Établissement » filter names: :func:`profile_scope`). Not
    today's memberships: a pupil who left the collège keeps « Élève » in the collège's traces, a
    teacher who became a personnel keeps « Enseignant » on last year's.
    The CAS does not store a profile with its events (a person may hold several; a validation
    reads none): the trace writer reads them with the person's establishments.

    ``establishment_ids``: those of the reader (``None``: all, a superuser). Only the profiles
    held in those are read: an establishment's administrator does not learn that a parent of
    theirs teaches elsewhere, nor a visitor's profile in another school. One lookup of the
    trace's ``TraceScope`` rows by the index of their trace."""
    scope = TraceScope.objects.filter(trace_id=OuterRef("pk")).exclude(profile="")
    if establishment_ids is not None:
        readers = Establishment.objects.filter(pk__in=establishment_ids).values("uai")
        scope = scope.filter(uai__in=readers)
    return traces.annotate(
        shown_profile=Coalesce(
            NullIf("profile", Value("")),
            Subquery(scope.order_by("profile").values("profile")[:1]),
            Value(""),
        )
    )


def day_bounds(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def period(data: dict[str, Any]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The times of the filter's « Du »/« Au » days (the end excluded): ``None`` when not set."""
    since = day_bounds(data["start"]) if data.get("start") else None
    until = day_bounds(data["end"] + dt.timedelta(days=1)) if data.get("end") else None
    return since, until


def apply_filters(traces: QuerySet[Trace], data: dict[str, Any]) -> QuerySet[Trace]:
    """The form's filters. « Établissement » keeps what that establishment's « Traces » show
    (``TraceScope``): the traces of its UAI and those without UAI (logins, services of the whole
    ENT) of the people who belonged to it then, not only the traces carrying its UAI."""
    since, until = period(data)
    if since is not None:
        traces = traces.filter(at__gte=since)
    if until is not None:
        traces = traces.filter(at__lt=until)
    if data.get("event"):
        traces = traces.filter(event=data["event"])
    if data.get("service"):
        traces = traces.filter(service_code__iexact=data["service"].strip())
    if data.get("uai"):  # what that establishment sees: its own traces and its people's
        traces = seen_by(traces, [data["uai"]], since, until)
    if data.get("person"):
        traces = traces.filter(_person_filter(data["person"].strip(), bool(data.get("exact"))))
    return traces


def _person_filter(typed: str, exact: bool = False) -> Q:
    """« Personne »: part of a login, matching who acted (the login column) or whom the act
    concerned (the reset of a parent's password is made by the administrator, and belongs to
    the parent's history too); or, with a space (logins have none), the words of a name,
    « Nathalie Martin » or « martin nathalie », each in the person's names. With « Identifiant
    exact » (« Comptes »' link), that whole login only, the same two ways."""
    if exact:
        concerned = Person.objects.filter(login__iexact=typed).values("pk")
        return Q(actor_login__iexact=typed) | Q(person_id__in=concerned)
    words = normalize_name(typed).split()
    if " " in typed and words:
        named = Person.objects.filter(*(Q(search_key__contains=word) for word in words))
        return Q(person_id__in=named.values("pk")) | Q(actor_login__in=named.values("login"))
    concerned = Person.objects.filter(login__icontains=typed).values("pk")
    return Q(actor_login__icontains=typed) | Q(person_id__in=concerned)


def _cell(value: Any) -> object:
    """Neutralises spreadsheet formulas (a cell starting with = + - @ is read as text)."""
    return safe_cell("" if value is None else str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(traces: QuerySet[Trace], establishment_ids: set[int] | None = None) -> Iterator[str]:
    """The CSV export, line by line: UTF-8 with BOM and « ; » separators (opens as is in a
    French spreadsheet)."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    for t in with_profile(traces, establishment_ids).order_by("-at").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(v)
                for v in (
                    timezone.localtime(t.at).strftime("%Y-%m-%d %H:%M:%S"),
                    event_label(t.event),
                    OUTCOME_LABELS.get(t.outcome, t.outcome),
                    t.actor_login,
                    t.service_code,
                    t.uai,
                    t.shown_profile,  # type: ignore[attr-defined]
                    t.client_ip or "",
                    detail_text(t.event, t.detail),
                )
            ]
        )


def purge(days: int | None = None, *, dry_run: bool = False) -> int:
    """Deletes the traces older than the retention period; returns how many."""
    days = days or settings.SOCLE_TRACE_RETENTION_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    old = Trace.objects.filter(at__lt=cutoff)
    if dry_run:
        return old.count()
    return delete_traces(old)


def delete_traces(traces: QuerySet[Trace]) -> int:
    """Deletes ``traces`` and their ``TraceScope`` rows; returns how many traces. The rows
    first, through the index of their traces' ids: the foreign key is ``DO_NOTHING``, so that
    the traces go in one ``DELETE`` too (Django's ``CASCADE`` would load every trace deleted,
    millions at a first purge). A trace deleted any other way while its rows remain is refused
    by the database."""
    with transaction.atomic():
        TraceScope.objects.filter(trace_id__in=traces.values("pk")).delete()
        deleted, _detail = traces.delete()
    return deleted
