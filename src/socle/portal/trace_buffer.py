"""Writing traces off the request path.

An ``INSERT`` per ticket issued and per validation cost 12–25 % of the CPU of an SSO hop or a
validation (docs/benchmarks/analysis.md). With ``SOCLE_TRACES_DEFERRED`` (the default), each
process collects its trace rows in memory and a background thread writes them with one
plain insert every :data:`FLUSH_EVERY` seconds, or as soon as :data:`FLUSH_AT` rows wait.
Each row keeps the time of its event (``Trace.at`` is set when recorded, not when written).
Rows wait as plain dicts of fields, written as such (``socle.core.fastsql``: ``COPY`` on
PostgreSQL, a multi-row ``INSERT … RETURNING`` on SQLite and on a restored PostgreSQL database
whose ``portal_trace.id`` owns no sequence; no ``Trace`` instance, no model signal:
``bulk_create`` sent none either) by the writer, off the request path, which also reads the
establishments of the people of the batch, and their profile in each, with one query per
batch (``Trace.member_uais`` of the rows without UAI), and writes each trace's establishments
with that profile (``TraceScope``) in the same transaction.

What it costs: a worker killed with ``SIGKILL`` loses the traces of its last second; a normal
stop (gunicorn's graceful shutdown, ``sys.exit``) writes them first (``atexit``). Operators who
want every trace written before the answer leaves set ``SOCLE_TRACES_DEFERRED=false``.
A database error is logged with the number of traces lost; the requests themselves never fail
because of a trace.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from django.db import DatabaseError, DataError, IntegrityError, transaction

from socle.core.background import flush_at_exit, flush_forever
from socle.core.fastsql import prepare_rows
from socle.core.fastsql_keys import insert_prepared_returning_ids
from socle.core.sqlite_turn import write_turn
from socle.portal.models import (
    Trace,
    memberships_of,
    prepare_scopes,
    scope_rows,
    uais_text,
    write_scopes,
)

logger = logging.getLogger("socle.traces")
FLUSH_EVERY = 1.0
FLUSH_AT = 500
MAX_PENDING = 50_000  # beyond this (database down for long), the oldest rows are dropped
HELD = "scope_profiles"  # the key of a row's ``Trace.scope_profiles`` once read (not a field)

_lock = threading.Lock()
_pending: list[dict[str, Any]] = []  # the fields of each waiting Trace
_wake = threading.Event()
_owner_pid = 0  # the process whose thread drains the buffer (a fork needs its own)


def add(row: dict[str, Any]) -> None:
    """Queues ``row`` (the fields of one ``Trace``); the background thread writes it within
    :data:`FLUSH_EVERY` seconds."""
    global _owner_pid
    with _lock:
        if _owner_pid != os.getpid():
            _owner_pid = os.getpid()
            _pending.clear()  # rows inherited from the parent are the parent's to write
            _start_writer()
        _pending.append(row)
        if len(_pending) > MAX_PENDING:
            dropped = len(_pending) - MAX_PENDING
            del _pending[:dropped]
            logger.error("traces: %d traces perdues (base de données indisponible)", dropped)
        if len(_pending) >= FLUSH_AT:
            _wake.set()


def _start_writer() -> None:
    threading.Thread(target=_run, name="socle-traces", daemon=True).start()


def flush() -> int:
    """Writes every waiting row now; returns how many were written.

    When the database is unreachable (any database error but a refused row) the rows stay
    queued, in order, and the error is raised; any other error of the batch's plain inserts
    (a bug, not the database's answer) is logged and the rows are written one by one through
    the ORM rather than queued again at every flush.
    A row the database refuses (its person deleted meanwhile) is written without the person
    (``actor_login`` still names them) or, failing that, dropped and logged: one bad row never
    holds the others back."""
    with _lock:
        rows = _pending[:]
        _pending.clear()
    if not rows:
        return 0
    try:
        _add_memberships(rows)
        # Every value computed first: on SQLite the validations of the node wait for the batch
        # (the write turn) instead of sleeping, so the turn covers the statements alone, a few
        # for the whole batch (socle.core.fastsql). The traces and their establishments
        # (TraceScope, which needs the traces' keys) in one transaction, by plain inserts
        # (``COPY`` on PostgreSQL): no model instance per trace.
        traces = prepare_rows(Trace, rows)
        scopes = prepare_scopes(
            (position, row["at"], scope_rows(row["uai"], row["member_uais"], row.get(HELD)))
            for position, row in enumerate(rows)
        )
        with write_turn(), transaction.atomic():
            write_scopes(scopes, insert_prepared_returning_ids(traces))
    except (IntegrityError, DataError):
        return _one_by_one([_trace(row) for row in rows])
    except DatabaseError:  # unreachable, or a schema being migrated: retried as it is
        with _lock:  # keep them for the next attempt, in order
            _pending[:0] = rows
        raise
    except Exception:  # not the database's answer (a bug of the plain inserts): the ORM's way
        logger.exception("traces: écriture groupée impossible, traces écrites une à une")
        return _one_by_one([_trace(row) for row in rows])
    return len(rows)


def _add_memberships(rows: list[dict[str, Any]]) -> None:
    """The establishments of the people of the batch and their profile in each (UAI → profile,
    ``Trace.scope_profiles``, under the key :data:`HELD`; ``Trace.member_uais`` of the rows
    without UAI), read for the whole batch at once: one query, none on the request path. Kept
    in the rows, so that a batch written again after a database error keeps those of its
    first attempt."""
    wanted = []
    for row in rows:
        row.setdefault("member_uais", "")  # every row written with the same columns
        if row.get("person_id") and HELD not in row:
            wanted.append(row)
    if not wanted:
        return
    found = memberships_of(row["person_id"] for row in wanted)
    texts = {person_id: uais_text(held) for person_id, held in found.items()}
    for row in wanted:
        person_id = row["person_id"]
        row[HELD] = found.get(person_id, {})
        if not row.get("uai") and not row["member_uais"]:
            row["member_uais"] = texts.get(person_id, "")


def _trace(row: dict[str, Any]) -> Trace:
    fields = dict(row)
    held = fields.pop(HELD, None)
    trace = Trace(**fields)
    trace.scope_profiles = held
    return trace


def _one_by_one(rows: list[Trace]) -> int:
    written = 0
    for row in rows:
        for attempt in (row, _without_person(row)):
            try:
                with transaction.atomic():
                    attempt.save(force_insert=True)
                written += 1
                break
            except (IntegrityError, DataError):
                continue
        else:
            logger.error("traces: trace %s %s refusée par la base, perdue", row.event, row.at)
    return written


def _without_person(row: Trace) -> Trace:
    row.pk = None
    row.person_id = None
    return row


def _run() -> None:
    flush_forever(flush, label="traces", every=FLUSH_EVERY, wake=_wake)


flush_at_exit(
    flush, label="traces", owner=lambda: _owner_pid == os.getpid(), left=lambda: len(_pending)
)
