"""The ticket store interface: every ticket and SSO session goes through it.

Two implementations: ``db.DatabaseStore`` (default) and ``redis_store.RedisStore`` (when
``SOCLE_REDIS_URL`` is set). Ticket ids are generated here (``new_ticket_id``) so that every
store uses the same format: a prefix and 40 random letters and digits (CAS 3.0 §3.7).

Contract every implementation must honour:

- ``consume_service_ticket`` is atomic: of two concurrent calls with the same id, at most one
  returns the ticket (a conditional UPDATE, GETDEL or a Lua script — never read-then-write).
  A consumed, expired or unknown ticket returns ``None``.
- ``get_session`` returns ``None`` for an unknown, idle-expired or hard-expired session and
  refreshes the idle deadline of a live one.
- ``end_session`` and ``end_person_sessions`` return the service tickets issued in the ended
  sessions (for single logout) and make every PGT of those sessions unusable.
- ``session_hint`` may return a session this process saw alive before, without asking anyone:
  its fields never change, but it may have ended since. It is only good for a ticket issued with
  ``live_session=True``, which checks that the session still lives and refreshes its idle
  deadline in the same atomic step as the ticket is stored, and raises :class:`SessionEnded`
  otherwise. (The Redis store: one Lua script, one round trip per SSO hop. A store that keeps no
  hints returns ``None`` and the caller reads the session with ``get_session``.)
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Protocol

TICKET_RANDOM_LENGTH = 40
# CAS 3.0 §3.7: tickets and the ticket-granting cookie hold only A-Z, a-z, 0-9 and "-".
_NOT_ALPHANUMERIC = str.maketrans("", "", "-_")


def new_ticket_id(prefix: str) -> str:
    """``prefix-`` then 40 random letters and digits (≈238 bits).

    ``secrets.token_urlsafe`` of a multiple of 3 bytes gives independent, uniform characters of
    64; dropping its ``-`` and ``_`` leaves independent, uniform letters and digits (about 58
    of 60: a second draw is rare)."""
    random_part = ""
    while len(random_part) < TICKET_RANDOM_LENGTH:
        random_part += secrets.token_urlsafe(45).translate(_NOT_ALPHANUMERIC)
    return f"{prefix}-{random_part[:TICKET_RANDOM_LENGTH]}"


MAX_ID_LENGTH = 80


def plausible_id(value: str | None) -> bool:
    """Whether ``value`` may be a ticket's or a session's id at all: not empty, at most
    :data:`MAX_ID_LENGTH` characters of printable ASCII. Anything else cannot have been issued
    and is refused before a store reads it: PostgreSQL rejects a string parameter holding a NUL
    with an error, and the database store answered ``INTERNAL_ERROR`` to ``ticket=ST-%00…``
    instead of ``INVALID_TICKET``."""
    if not value:
        return False
    return len(value) <= MAX_ID_LENGTH and value.isascii() and value.isprintable()


def redact(ticket: str | None) -> str:
    """What may appear in a log or an error message: the prefix and 6 characters."""
    if not ticket:
        return "-"
    return ticket[:9] + "…" if len(ticket) > 9 else ticket


class SessionEnded(Exception):
    """The SSO session a ticket was asked for has ended (logout elsewhere, expiry)."""


@dataclass(frozen=True)
class Session:
    id: str
    person_id: int
    created_at: dt.datetime
    authenticated_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class IssuedTicket:
    id: str
    person_id: int
    service_url: str
    service_id: int | None
    session_id: str | None
    created_at: dt.datetime
    from_new_login: bool
    proxies: list[str] = field(default_factory=list)
    # When the person typed their password (the SSO session's login), for CAS 3
    # ``authenticationDate`` and SAML ``AuthenticationInstant``; a proxy ticket carries that of
    # its proxy-granting ticket.
    authenticated_at: dt.datetime | None = None

    @property
    def authentication_date(self) -> dt.datetime:
        return self.authenticated_at or self.created_at


@dataclass(frozen=True)
class GrantingTicket:
    id: str
    iou: str
    person_id: int
    session_id: str | None
    service_id: int | None
    callback_url: str
    proxies: list[str] = field(default_factory=list)
    # When the person typed their password: that of the ticket whose validation granted it,
    # handed on to its proxy tickets (None for a PGT stored before it was kept).
    authenticated_at: dt.datetime | None = None


class TicketStore(Protocol):
    def create_session(self, person_id: int, *, now: dt.datetime | None = None) -> Session: ...

    def get_session(self, session_id: str) -> Session | None: ...

    def session_hint(self, session_id: str) -> Session | None: ...

    def end_session(self, session_id: str) -> list[IssuedTicket]: ...

    def end_person_sessions(
        self, person_id: int, *, except_session: str | None = None
    ) -> list[IssuedTicket]: ...

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
    ) -> str: ...

    def consume_ticket(self, ticket_id: str) -> IssuedTicket | None: ...

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
        """A PGT of ``session_id`` (if given), which must still live: the database store's
        foreign key refuses it otherwise (``IntegrityError``), the Redis store raises
        :class:`SessionEnded`; either way nothing is stored and the validation answers
        ``INTERNAL_ERROR``."""
        ...

    def get_pgt(self, pgt_id: str) -> GrantingTicket | None: ...

    def purge_expired(self) -> int: ...
