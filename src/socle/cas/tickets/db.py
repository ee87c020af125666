"""Ticket store on the Django database (SQLite or PostgreSQL).

Service tickets are consumed by one conditional UPDATE (``consumed_at IS NULL AND
expires_at > now``): the database serialises two racing validations and only one sees a row
count of 1.

An SSO hop costs one statement once a process has seen the session: the session's fields never
change (``cas/tickets/hints.py``), and the ticket is inserted by an ``INSERT … SELECT`` that
copies the session's id only from a row still within its hard and idle limits, so a session
ended or expired since, on any node, inserts nothing and raises ``SessionEnded``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Q
from django.utils import timezone

from socle.cas.models import ProxyGrantingTicket, SsoSession, Ticket
from socle.cas.tickets.base import (
    GrantingTicket,
    IssuedTicket,
    Session,
    SessionEnded,
    new_ticket_id,
    plausible_id,
)
from socle.cas.tickets.hints import SessionHints
from socle.cas.tickets.lifetimes import pgt_lifetime, session_idle, session_max, ticket_lifetime
from socle.core.fastsql import adapter
from socle.core.rows import Converters, convert, converters_for, per_connection
from socle.core.sqlite_turn import write_turn

# Refresh a session's idle deadline at most this often (saves one UPDATE per SSO hop).
TOUCH_GRANULARITY = dt.timedelta(seconds=60)


def _session(row: SsoSession) -> Session:
    return Session(
        id=row.id,
        person_id=row.person_id,
        created_at=row.created_at,
        authenticated_at=row.authenticated_at,
        expires_at=row.expires_at,
    )


_CONSUMED_COLUMNS = (
    "id",
    "session_id",
    "person_id",
    "service_id_ref",
    "service_url",
    "created_at",
    "from_new_login",
    "proxies",
    "authenticated_at",
)
_UNCONSUMED = "id = %s AND consumed_at IS NULL AND expires_at > %s"  # the ticket's id, now
_MARK_CONSUMED_SQL = f"UPDATE cas_ticket SET consumed_at = %s WHERE {_UNCONSUMED}"  # noqa: S608
# PostgreSQL: marked and read in one statement.
_CONSUME_SQL = f"{_MARK_CONSUMED_SQL} RETURNING {', '.join(_CONSUMED_COLUMNS)}"
# SQLite: the same columns read before the write turn, then the same condition written in it.
_UNCONSUMED_SQL = f"SELECT {', '.join(_CONSUMED_COLUMNS)} FROM cas_ticket WHERE {_UNCONSUMED}"  # noqa: S608

# The ticket's values, its session's id taken from the live session row only (see the docstring).
_ISSUE_IN_LIVE_SESSION_SQL = (
    "INSERT INTO cas_ticket (id, session_id, person_id, service_id_ref, service_url, created_at,"
    " expires_at, from_new_login, proxies, authenticated_at)"
    " SELECT %s, id, %s, %s, %s, %s, %s, %s, %s, %s FROM cas_ssosession"
    " WHERE id = %s AND expires_at > %s AND last_used_at > %s"
)
# The ticket's fields given as parameters of that statement, in its order (all but session_id).
_LIVE_SESSION_FIELDS = (
    "id",
    "person_id",
    "service_id_ref",
    "service_url",
    "created_at",
    "expires_at",
    "from_new_login",
    "proxies",
    "authenticated_at",
)


def _live_session_adapters(conn: BaseDatabaseWrapper) -> list[Any]:
    """How each parameter of :data:`_ISSUE_IN_LIVE_SESSION_SQL` but the session's id is written
    (as the ORM would: dates, JSON) on ``conn``, found once per connection: ``get_db_prep_save``'s
    chain of calls cost 25 µs for a ticket's twelve values, about 4 % of a hop on SQLite."""
    fields = [Ticket._meta.get_field(name) for name in _LIVE_SESSION_FIELDS]
    fields += [SsoSession._meta.get_field("expires_at"), SsoSession._meta.get_field("last_used_at")]
    return [adapter(field, conn) or _as_is for field in fields]


def _as_is(value: Any) -> Any:
    return value


_param_adapters = per_connection(_live_session_adapters)


def _consumed_converters(conn: BaseDatabaseWrapper) -> Converters:
    """The ORM's converters of :data:`_CONSUMED_COLUMNS` on this connection."""
    columns = [
        cast("Field[Any, Any]", Ticket._meta.get_field(name)).get_col(Ticket._meta.db_table)
        for name in _CONSUMED_COLUMNS
    ]
    return converters_for(columns, conn)


_column_converters = per_connection(_consumed_converters)


def _converted(values: Sequence[Any], conn: BaseDatabaseWrapper) -> IssuedTicket:
    """A row of :data:`_CONSUMED_COLUMNS` read as the ORM would read it, outside any lock."""
    row = convert(values, _column_converters(conn), conn)
    return _issued_from(dict(zip(_CONSUMED_COLUMNS, row, strict=True)))


def _issued_from(row: Mapping[str, Any]) -> IssuedTicket:
    """The ticket of a row's values (:data:`_CONSUMED_COLUMNS`)."""
    return IssuedTicket(
        id=row["id"],
        person_id=row["person_id"],
        service_url=row["service_url"],
        service_id=row["service_id_ref"],
        session_id=row["session_id"],
        created_at=row["created_at"],
        from_new_login=row["from_new_login"],
        proxies=list(row["proxies"] or []),
        authenticated_at=row["authenticated_at"],
    )


def _issued(row: Ticket) -> IssuedTicket:
    return _issued_from({name: getattr(row, name) for name in _CONSUMED_COLUMNS})


class DatabaseStore:
    def __init__(self) -> None:
        # Sessions this process has seen; ``seen_at`` is when their ``last_used_at`` was last
        # known refreshed, so that a hop refreshes it at most every TOUCH_GRANULARITY.
        self._hints = SessionHints()

    def create_session(self, person_id: int, *, now: dt.datetime | None = None) -> Session:
        now = now or timezone.now()
        row = SsoSession.objects.create(
            id=new_ticket_id("TGC"),
            person_id=person_id,
            created_at=now,
            last_used_at=now,
            authenticated_at=now,
            expires_at=now + session_max(),
        )
        session = _session(row)
        self._hints.remember(session)
        return session

    def get_session(self, session_id: str) -> Session | None:
        if not plausible_id(session_id):
            return None
        now = timezone.now()
        row = SsoSession.objects.filter(
            id=session_id, expires_at__gt=now, last_used_at__gt=now - session_idle()
        ).first()
        if row is None:
            self._hints.forget(session_id)
            return None
        last_used = row.last_used_at
        if now - last_used > TOUCH_GRANULARITY:
            SsoSession.objects.filter(id=row.id).update(last_used_at=now)
            last_used = now
        session = _session(row)
        self._hints.remember(
            session, seen_at=time.monotonic() - max(0.0, (now - last_used).total_seconds())
        )
        return session

    def session_hint(self, session_id: str) -> Session | None:
        return self._hints.get(session_id)

    def _end(self, sessions: Q) -> list[IssuedTicket]:
        with transaction.atomic():
            ids = list(SsoSession.objects.filter(sessions).values_list("id", flat=True))
            if not ids:
                return []
            for session_id in ids:
                self._hints.forget(session_id)
            issued = [_issued(t) for t in Ticket.objects.filter(session_id__in=ids)]
            SsoSession.objects.filter(id__in=ids).delete()  # cascades to tickets and PGTs
        return issued

    def end_session(self, session_id: str) -> list[IssuedTicket]:
        if not plausible_id(session_id):
            return []
        return self._end(Q(id=session_id))

    def end_person_sessions(
        self, person_id: int, *, except_session: str | None = None
    ) -> list[IssuedTicket]:
        query = Q(person_id=person_id)
        if except_session:
            query &= ~Q(id=except_session)
        return self._end(query)

    def issue_ticket(
        self,
        *,
        prefix: str,
        person_id: int,
        service_url: str,
        service_id: int | None,
        session_id: str | None,
        from_new_login: bool,
        proxies: list[str] | None = None,
        authenticated_at: dt.datetime | None = None,
        live_session: bool = False,
    ) -> str:
        now = timezone.now()
        fields: dict[str, Any] = {
            "id": new_ticket_id(prefix),
            "session_id": session_id,
            "person_id": person_id,
            "service_id_ref": service_id,
            "service_url": service_url,
            "created_at": now,
            "expires_at": now + ticket_lifetime(prefix),
            "from_new_login": from_new_login,
            "proxies": proxies or [],
            "authenticated_at": authenticated_at,
        }
        if live_session and session_id:
            self._insert_in_live_session(fields, session_id, now)
        else:
            with write_turn():
                Ticket.objects.create(**fields)
        return str(fields["id"])

    def _insert_in_live_session(
        self, fields: dict[str, Any], session_id: str, now: dt.datetime
    ) -> None:
        """One ``INSERT … SELECT`` from the session row if it still lives, else ``SessionEnded``;
        the session's idle deadline is refreshed when this process has not done so for
        TOUCH_GRANULARITY."""
        conn = connections[DEFAULT_DB_ALIAS]  # this thread's, looked up once
        *ticket, expires, last_used = _param_adapters(conn)
        params = [
            adapt(fields[name]) for name, adapt in zip(_LIVE_SESSION_FIELDS, ticket, strict=True)
        ]
        params += [session_id, expires(now), last_used(now - session_idle())]
        with conn.cursor() as cursor, write_turn():
            cursor.execute(_ISSUE_IN_LIVE_SESSION_SQL, params)
            inserted = cursor.rowcount == 1
        if not inserted:
            self._hints.forget(session_id)
            raise SessionEnded(session_id)
        seen_at = self._hints.seen_at(session_id)
        if seen_at is None or time.monotonic() - seen_at > TOUCH_GRANULARITY.total_seconds():
            SsoSession.objects.filter(id=session_id).update(last_used_at=now)
            self._hints.touch(session_id)

    def consume_ticket(self, ticket_id: str) -> IssuedTicket | None:
        """§3.1.1 single use: one conditional ``UPDATE`` marks the ticket consumed; of two
        concurrent validations exactly one changes the row, and only that one gets the ticket.

        PostgreSQL: ``UPDATE … RETURNING`` marks and reads in one statement. SQLite: the
        unconsumed ticket is read first, outside the node's write turn (a reader never waits
        in WAL mode), then the same conditional ``UPDATE`` is run in the turn and its row count
        decides: the turn covers one step of SQLite instead of two and a reset (each gives up
        the GIL, which the worker's other threads may keep while every writer of the node
        waits: docs/benchmarks/analysis.md, "The write turn on SQLite"), and a ticket unknown,
        expired or already consumed takes no turn at all. The values read cannot have changed
        meanwhile: a ticket's fields are written once, and a ticket deleted with its session
        (logout) updates no row."""
        if not plausible_id(ticket_id):
            return None
        now = timezone.now()
        conn = connections[DEFAULT_DB_ALIAS]  # this thread's, looked up once
        at = conn.ops.adapt_datetimefield_value(now)  # as the ORM stores it
        if conn.vendor == "sqlite":
            return self._consume_on_sqlite(ticket_id, at, conn)
        with conn.cursor() as cursor:
            cursor.execute(_CONSUME_SQL, [at, ticket_id, at])
            rows = cursor.fetchall()
        return _converted(rows[0], conn) if rows else None

    @staticmethod
    def _consume_on_sqlite(
        ticket_id: str, at: Any, conn: BaseDatabaseWrapper
    ) -> IssuedTicket | None:
        with conn.cursor() as cursor:
            cursor.execute(_UNCONSUMED_SQL, [ticket_id, at])
            rows = cursor.fetchall()  # to the statement's end, which ends its read transaction
            if not rows:
                return None
            with write_turn():
                cursor.execute(_MARK_CONSUMED_SQL, [at, ticket_id, at])
            won = cursor.rowcount == 1
        return _converted(rows[0], conn) if won else None

    def create_pgt(
        self,
        *,
        person_id: int,
        session_id: str | None,
        service_id: int | None,
        callback_url: str,
        proxies: list[str],
        authenticated_at: dt.datetime | None = None,
    ) -> GrantingTicket:
        now = timezone.now()
        row = ProxyGrantingTicket.objects.create(
            id=new_ticket_id("PGT"),
            iou=new_ticket_id("PGTIOU"),
            session_id=session_id,
            person_id=person_id,
            service_id_ref=service_id,
            callback_url=callback_url,
            proxies=proxies,
            created_at=now,
            expires_at=now + pgt_lifetime(),
            authenticated_at=authenticated_at,
        )
        return GrantingTicket(
            id=row.id,
            iou=row.iou,
            person_id=person_id,
            session_id=session_id,
            service_id=service_id,
            callback_url=callback_url,
            proxies=list(proxies),
            authenticated_at=authenticated_at,
        )

    def get_pgt(self, pgt_id: str) -> GrantingTicket | None:
        if not plausible_id(pgt_id):
            return None
        row = ProxyGrantingTicket.objects.filter(id=pgt_id, expires_at__gt=timezone.now()).first()
        if row is None:
            return None
        return GrantingTicket(
            id=row.id,
            iou=row.iou,
            person_id=row.person_id,
            session_id=row.session_id,
            service_id=row.service_id_ref,
            callback_url=row.callback_url,
            proxies=list(row.proxies or []),
            authenticated_at=row.authenticated_at,
        )

    def purge_expired(self) -> int:
        now = timezone.now()
        # Consumed tickets stay while their session lives (single logout needs them).
        removed = Ticket.objects.filter(
            Q(session__isnull=True, expires_at__lte=now)
            | Q(consumed_at__isnull=True, expires_at__lte=now - dt.timedelta(minutes=5))
        ).delete()[0]
        removed += ProxyGrantingTicket.objects.filter(expires_at__lte=now).delete()[0]
        removed += SsoSession.objects.filter(
            Q(expires_at__lte=now) | Q(last_used_at__lte=now - session_idle())
        ).delete()[0]
        return removed
