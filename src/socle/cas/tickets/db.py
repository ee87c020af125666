"""Ticket store on the Django database (SQLite or PostgreSQL).

Service tickets are consumed by one conditional UPDATE (``consumed_at IS NULL AND
expires_at > now``): the database serialises two racing validations and only one sees a row
count of 1.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from socle.cas.models import ProxyGrantingTicket, SsoSession, Ticket
from socle.cas.tickets.base import (
    GrantingTicket,
    IssuedTicket,
    Session,
    SessionEnded,
    new_ticket_id,
)
from socle.cas.tickets.lifetimes import pgt_lifetime, session_idle, session_max, ticket_lifetime

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


_CONSUME_SQL = (
    "UPDATE cas_ticket SET consumed_at = %s"
    " WHERE id = %s AND consumed_at IS NULL AND expires_at > %s"
    " RETURNING id, session_id, person_id, service_id_ref, service_url, created_at, expires_at,"
    " consumed_at, from_new_login, proxies, authenticated_at"
)


def _update_returning() -> bool:
    if connection.vendor == "postgresql":
        return True
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version_info >= (3, 35)
    return False


def _issued(row: Ticket) -> IssuedTicket:
    return IssuedTicket(
        id=row.id,
        person_id=row.person_id,
        service_url=row.service_url,
        service_id=row.service_id_ref,
        session_id=row.session_id,
        created_at=row.created_at,
        from_new_login=row.from_new_login,
        proxies=list(row.proxies or []),
        authenticated_at=row.authenticated_at,
    )


class DatabaseStore:
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
        return _session(row)

    def get_session(self, session_id: str) -> Session | None:
        if not session_id or len(session_id) > 80:
            return None
        now = timezone.now()
        row = SsoSession.objects.filter(
            id=session_id, expires_at__gt=now, last_used_at__gt=now - session_idle()
        ).first()
        if row is None:
            return None
        if now - row.last_used_at > TOUCH_GRANULARITY:
            SsoSession.objects.filter(id=row.id).update(last_used_at=now)
        return _session(row)

    def session_hint(self, session_id: str) -> Session | None:
        """No hints: ``get_session`` is one indexed read, and the ticket is a write anyway."""
        return None

    def _end(self, sessions: Q) -> list[IssuedTicket]:
        with transaction.atomic():
            ids = list(SsoSession.objects.filter(sessions).values_list("id", flat=True))
            if not ids:
                return []
            issued = [_issued(t) for t in Ticket.objects.filter(session_id__in=ids)]
            SsoSession.objects.filter(id__in=ids).delete()  # cascades to tickets and PGTs
        return issued

    def end_session(self, session_id: str) -> list[IssuedTicket]:
        if not session_id:
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
        # ``live_session``: callers of this store read the session just before (no hints), and
        # the ticket's foreign key to its session row refuses a session deleted meanwhile.
        now = timezone.now()
        ticket = new_ticket_id(prefix)
        try:
            Ticket.objects.create(
                id=ticket,
                session_id=session_id,
                person_id=person_id,
                service_id_ref=service_id,
                service_url=service_url,
                created_at=now,
                expires_at=now + ticket_lifetime(prefix),
                from_new_login=from_new_login,
                proxies=proxies or [],
                authenticated_at=authenticated_at,
            )
        except IntegrityError:
            if live_session and session_id:
                raise SessionEnded(session_id) from None
            raise
        return ticket

    def consume_ticket(self, ticket_id: str) -> IssuedTicket | None:
        """§3.1.1 single use: one conditional ``UPDATE … RETURNING`` (PostgreSQL, SQLite ≥ 3.35)
        marks the ticket consumed and reads it in the same statement; of two concurrent
        validations exactly one gets the row. Older SQLite: the same ``UPDATE``, then a read."""
        if not ticket_id or len(ticket_id) > 80:
            return None
        now = timezone.now()
        if _update_returning():
            at = connection.ops.adapt_datetimefield_value(now)  # as the ORM stores it
            rows = list(Ticket.objects.raw(_CONSUME_SQL, [at, ticket_id, at]))
            return _issued(rows[0]) if rows else None
        won = Ticket.objects.filter(
            id=ticket_id, consumed_at__isnull=True, expires_at__gt=now
        ).update(consumed_at=now)
        if won != 1:
            return None
        row = Ticket.objects.filter(id=ticket_id).first()
        return _issued(row) if row is not None else None

    def create_pgt(
        self,
        *,
        person_id: int,
        session_id: str | None,
        service_id: int | None,
        callback_url: str,
        proxies: list[str],
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
        )
        return GrantingTicket(
            id=row.id,
            iou=row.iou,
            person_id=person_id,
            session_id=session_id,
            service_id=service_id,
            callback_url=callback_url,
            proxies=list(proxies),
        )

    def get_pgt(self, pgt_id: str) -> GrantingTicket | None:
        if not pgt_id or len(pgt_id) > 80:
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
