"""Audit traces (``Trace``) and the establishments that see each one (``TraceScope``), with
the membership reads the trace writer (``socle.portal.trace_buffer``) makes once per batch.
Re-exported by ``socle.portal.models``, where Django finds the app's models."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from socle.core.fastsql import Prepared, insert_prepared, prepare_rows
from socle.directory.models import Membership


def memberships_of(person_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Each person's establishments now, UAI → profile there (the first by code when the person
    holds several in one, as « Traces » always chose): one query per 500 people. People without
    membership are left out."""
    ids = sorted(set(person_ids))
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for start in range(0, len(ids), 500):
        rows = Membership.objects.filter(person_id__in=ids[start : start + 500]).values_list(
            "person_id", "establishment__uai", "profile"
        )
        for person_id, uai, profile in rows:
            held = found[person_id]
            if uai not in held or profile < held[uai]:
                held[uai] = profile
    return dict(found)


def uais_text(held: Iterable[str]) -> str:
    """``Trace.member_uais`` of a person's UAIs: sorted and space-separated (a UAI has no space,
    so ``member_uais__contains=uai`` never matches across two)."""
    return " ".join(sorted(held))


def member_uais_of(person_ids: Iterable[int]) -> dict[int, str]:
    """The UAIs of each person's establishments now (:func:`uais_text`); people without
    membership are left out."""
    return {person_id: uais_text(held) for person_id, held in memberships_of(person_ids).items()}


class Trace(models.Model):
    """An audit record. Never holds a password or a full ticket.

    A trace without UAI (a login, a logout, a ticket of a service of the whole ENT) keeps in
    ``member_uais`` the establishments its person belonged to when it was recorded: each
    school's « Traces » shows it by that, not by where the person belongs today (a pupil who
    moved to the lycée takes no collège login there). Set by :meth:`save` and by the deferred
    writer (``socle.portal.trace_buffer``, one query per batch).

    ``scope_profiles`` (not a column): the person's profile in each of their establishments
    when the trace is recorded (UAI → profile, :func:`memberships_of`), read with
    ``member_uais`` and written into the trace's :class:`TraceScope` rows; ``None`` until
    read."""

    scope_profiles: dict[str, str] | None = None

    at = models.DateTimeField(default=timezone.now, db_index=True)
    event = models.CharField(max_length=40, db_index=True)
    outcome = models.CharField(max_length=16, default="ok")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_login = models.CharField(max_length=64, blank=True)
    service_code = models.CharField(max_length=50, blank=True, db_index=True)
    uai = models.CharField(max_length=8, blank=True, db_index=True)
    profile = models.CharField(max_length=16, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    member_uais = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["event", "at"], name="trace_event_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.event} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        person_id = self.person_id
        adding = self._state.adding
        if adding and person_id and self.scope_profiles is None:
            self.scope_profiles = memberships_of([person_id]).get(person_id, {})
            if not self.uai and not self.member_uais:
                self.member_uais = uais_text(self.scope_profiles)
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if adding:
                insert_scopes(
                    [
                        (
                            self.pk,
                            self.at,
                            scope_rows(self.uai, self.member_uais, self.scope_profiles),
                        )
                    ]
                )


class TraceScope(models.Model):
    """One row per establishment whose « Traces » and « Indicateurs » show a trace: its own UAI,
    else (a trace without UAI) each of ``Trace.member_uais``, with ``profile``, the one the
    trace's person held in that establishment when the trace was recorded ("" for none: a
    visitor, a trace without person): their « Profil » (``trace_log.with_profile``), not the
    one of today's memberships. A school's traces are read through
    the index (uai, at, trace), not by a ``LIKE`` over every trace (5 million in a region's
    year: docs/benchmarks/analysis.md, "Traces of a school"). Written with the trace, in the
    same transaction (:meth:`Trace.save`, ``socle.portal.trace_buffer``); deleted with it by
    ``socle.portal.trace_log.delete_traces`` (the purge). ``at`` is the trace's. ``DO_NOTHING``: the
    purge deletes these rows first, so that deleting the traces stays one ``DELETE`` (Django's
    ``CASCADE`` would load every trace deleted); the database's foreign key still refuses a
    trace deleted any other way while its rows remain."""

    trace = models.ForeignKey(Trace, on_delete=models.DO_NOTHING, related_name="+")
    uai = models.CharField(max_length=8)
    at = models.DateTimeField()
    # The database's default too: a node of the previous version, during a rolling upgrade,
    # writes its rows without it.
    profile = models.CharField(max_length=16, blank=True, default="", db_default="")

    class Meta:
        indexes = [models.Index(fields=["uai", "at", "trace"], name="tracescope_uai_at")]

    def __str__(self) -> str:
        return f"{self.uai} {self.trace_id}"


def scope_rows(uai: str, member_uais: str, held: dict[str, str] | None) -> list[tuple[str, str]]:
    """The establishments whose « Traces » show a trace (see :class:`TraceScope`), each with
    its person's profile there when it was recorded (``held``: ``Trace.scope_profiles``), ""
    for none."""
    held = held or {}
    if uai:
        return [(uai, held.get(uai, ""))]
    return [(one, held.get(one, "")) for one in member_uais.split()]


def insert_scopes(scopes: Iterable[tuple[int, dt.datetime, list[tuple[str, str]]]]) -> None:
    """Writes the :class:`TraceScope` rows of traces just written, given as ``(id, at, [(UAI,
    profile)])`` (:func:`scope_rows`): :func:`write_scopes` of :func:`prepare_scopes`."""
    given = list(scopes)
    prepared = prepare_scopes((position, at, held) for position, (_, at, held) in enumerate(given))
    write_scopes(prepared, [pk for pk, _, _ in given])


class PreparedScopes(NamedTuple):
    """:class:`TraceScope` rows whose values are computed, all but their trace's key."""

    rows: Prepared | None
    owners: list[int]  # each row's trace, as a position in the keys given to write_scopes


def prepare_scopes(
    scopes: Iterable[tuple[int, dt.datetime, list[tuple[str, str]]]],
) -> PreparedScopes:
    """The :class:`TraceScope` rows of traces about to be written, given as ``(position of the
    trace in its batch, at, [(UAI, profile)])`` (:func:`scope_rows`), computed now: the trace
    writer (``socle.portal.trace_buffer``) prepares them before taking SQLite's write turn, and
    learns the traces' keys only inside it. Plain rows (``socle.core.fastsql``): the writer's
    batches hold about one such row per trace, and the ORM's ``bulk_create`` (a model instance
    and a compiled value per field and row) nearly doubled the writer's CPU per trace. The
    profiles come with the batch's memberships (one query per batch, none more)."""
    owners: list[int] = []
    rows: list[dict[str, Any]] = []
    for position, at, held in scopes:
        for uai, profile in held:
            owners.append(position)
            rows.append({"trace_id": 0, "uai": uai, "at": at, "profile": profile})
    return PreparedScopes(prepare_rows(TraceScope, rows), owners)


def write_scopes(prepared: PreparedScopes, keys: Sequence[int]) -> None:
    """Writes rows of :func:`prepare_scopes`, the traces' keys now known (``keys``, in the
    order of the positions given there): ``COPY`` on PostgreSQL, one multi-row ``INSERT`` on
    SQLite (``socle.core.fastsql.insert_prepared``)."""
    rows = prepared.rows
    if rows is None:
        return
    column = [field.attname for field in rows.columns].index("trace_id")
    for values, owner in zip(rows.values, prepared.owners, strict=True):
        values[column] = keys[owner]
    insert_prepared(rows)
