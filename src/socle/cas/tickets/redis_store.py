"""Ticket store on Redis (selected when ``SOCLE_REDIS_URL`` is set): same contract as ``db``.

Keys (``{…}`` is a Redis Cluster hash tag: a session's keys live in one slot):

- ``socle:s:{TGC-…}`` — hash of one SSO session: ``p`` person id, ``c`` created, ``a``
  authenticated, ``e`` hard expiry (epoch milliseconds). Its TTL is the idle timeout, capped by
  the hard expiry; every read refreshes it (one Lua script: read + refresh, one round trip).
- ``socle:s:{TGC-…}:t`` — list of the tickets issued in the session (JSON), for single logout;
  ``socle:s:{TGC-…}:g`` — set of its proxy-granting tickets. Both expire with the session's
  hard limit.
- ``socle:t:ST-…`` / ``socle:t:PT-…`` — one ticket (JSON), TTL = ticket lifetime. Consumed with
  ``GETDEL``: of two racing validations exactly one gets the value, the other ``nil``.
- ``socle:g:PGT-…`` — one proxy-granting ticket (JSON), TTL = PGT lifetime.
- ``socle:ps:<person id>`` — sorted set of the person's session ids scored by their hard limit
  (to end them all; those past it are removed at each of the person's logins).

Nothing needs purging: Redis expires every key itself. Works with plain Redis, Sentinel and
Cluster (``socle.core.redis``).

An SSO hop costs one round trip: the process keeps the (immutable) fields of the sessions it has
read (``session_hint``, ``hints.py``), decides access locally, then one Lua script checks
that the session still lives, refreshes its idle deadline and stores the ticket. On a cluster the
ticket's key is in another slot than the session's, so the hop reads the session first (two round
trips) as before.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from django.conf import settings

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
from socle.cas.tickets.redis_scripts import (
    GET_SESSION,
    ISSUE_IN_SESSION,
    PGT_IN_SESSION,
    run_script,
)


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _when(ms: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def _ttl_ms(delta: dt.timedelta) -> int:
    return max(1, int(delta.total_seconds() * 1000))


def _session_key(session_id: str) -> str:
    return f"socle:s:{{{session_id}}}"


def _person_key(person_id: int) -> str:
    return f"socle:ps:{person_id}"


def _issued_to_json(ticket: IssuedTicket) -> str:
    return json.dumps(
        {
            "i": ticket.id,
            "p": ticket.person_id,
            "u": ticket.service_url,
            "v": ticket.service_id,
            "s": ticket.session_id,
            "c": _ms(ticket.created_at),
            "n": ticket.from_new_login,
            "x": ticket.proxies,
            "a": _ms(ticket.authenticated_at) if ticket.authenticated_at else None,
        },
        separators=(",", ":"),
    )


def _issued_from_json(raw: bytes | str) -> IssuedTicket:
    data = json.loads(raw)
    return IssuedTicket(
        id=data["i"],
        person_id=int(data["p"]),
        service_url=data["u"],
        service_id=data["v"],
        session_id=data["s"],
        created_at=_when(data["c"]),
        from_new_login=bool(data["n"]),
        proxies=list(data["x"]),
        authenticated_at=_when(data["a"]) if data.get("a") else None,
    )


def _pgt_from_json(raw: bytes | str) -> GrantingTicket:
    data = json.loads(raw)
    return GrantingTicket(
        id=data["i"],
        iou=data["o"],
        person_id=int(data["p"]),
        session_id=data["s"],
        service_id=data["v"],
        callback_url=data["u"],
        proxies=list(data["x"]),
        authenticated_at=_when(data["a"]) if data.get("a") else None,
    )


class RedisStore:
    """Implements ``socle.cas.tickets.base.TicketStore`` on Redis."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._hints = SessionHints()

    def _cluster(self) -> bool:
        return bool(getattr(settings, "SOCLE_REDIS_CLUSTER", False))

    def session_hint(self, session_id: str) -> Session | None:
        return None if self._cluster() else self._hints.get(session_id)

    # One client per process (fork-aware), shared with the cache when the URL is the same.
    def _client(self) -> Any:
        from socle.core import redis as socle_redis

        if self.url == settings.SOCLE_REDIS_URL:
            return socle_redis.get_client()
        return socle_redis.get_client_for(self.url)

    # --- sessions ------------------------------------------------------------------------------
    def create_session(self, person_id: int, *, now: dt.datetime | None = None) -> Session:
        now = now or dt.datetime.now(dt.UTC)
        session_id = new_ticket_id("TGC")
        hard = now + session_max()
        key = _session_key(session_id)
        person_key = _person_key(person_id)
        client = self._client()
        pipe = client.pipeline(transaction=False)
        pipe.hset(key, mapping={"p": person_id, "c": _ms(now), "a": _ms(now), "e": _ms(hard)})
        pipe.pexpire(key, min(_ttl_ms(session_idle()), _ttl_ms(hard - now)))
        # The person's sessions, scored by their hard limit: those past it leave at every login,
        # for O(log n) whatever the number of sessions (a shared account, a benchmark).
        pipe.zadd(person_key, {session_id: _ms(hard)})
        pipe.zremrangebyscore(person_key, "-inf", _ms(now))
        pipe.pexpire(person_key, _ttl_ms(session_max()))
        pipe.execute()
        session = Session(
            id=session_id,
            person_id=person_id,
            created_at=now,
            authenticated_at=now,
            expires_at=hard,
        )
        self._hints.remember(session)
        return session

    def get_session(self, session_id: str) -> Session | None:
        if not plausible_id(session_id):
            return None
        now_ms = int(time.time() * 1000)
        fields = run_script(
            self._client(),
            GET_SESSION,
            1,
            _session_key(session_id),
            now_ms,
            _ttl_ms(session_idle()),
        )
        if not fields:
            self._hints.forget(session_id)
            return None
        data = {
            (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in zip(fields[::2], fields[1::2], strict=True)
        }
        session = Session(
            id=session_id,
            person_id=int(data["p"]),
            created_at=_when(float(data["c"])),
            authenticated_at=_when(float(data["a"])),
            expires_at=_when(float(data["e"])),
        )
        self._hints.remember(session)
        return session

    def end_session(self, session_id: str) -> list[IssuedTicket]:
        if not plausible_id(session_id):
            return []
        self._hints.forget(session_id)
        client = self._client()
        key = _session_key(session_id)
        pipe = client.pipeline(transaction=True)  # one slot: MULTI works on a cluster too
        pipe.hget(key, "p")
        pipe.lrange(f"{key}:t", 0, -1)
        pipe.smembers(f"{key}:g")
        pipe.delete(key, f"{key}:t", f"{key}:g")
        person_id, raw_tickets, pgts, _ = pipe.execute()
        issued = [_issued_from_json(raw) for raw in raw_tickets]
        doomed = [f"socle:t:{t.id}" for t in issued]
        doomed += [f"socle:g:{p.decode() if isinstance(p, bytes) else p}" for p in pgts]
        cleanup = client.pipeline(transaction=False)
        for name in doomed:  # tickets not validated yet die with the session, like PGTs
            cleanup.delete(name)
        if person_id is not None:
            cleanup.zrem(_person_key(int(person_id)), session_id)
        if doomed or person_id is not None:
            cleanup.execute()
        return issued

    def end_person_sessions(
        self, person_id: int, *, except_session: str | None = None
    ) -> list[IssuedTicket]:
        client = self._client()
        members = [m for m, _ in client.zscan_iter(_person_key(person_id))]
        members += list(client.smembers(f"socle:p:{person_id}"))  # a set before 2026-11-24
        issued: list[IssuedTicket] = []
        for member in members:
            session_id = member.decode() if isinstance(member, bytes) else member
            if session_id != except_session:
                issued += self.end_session(session_id)
        return issued

    # --- tickets -------------------------------------------------------------------------------
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
        now = dt.datetime.now(dt.UTC)
        ticket = IssuedTicket(
            id=new_ticket_id(prefix),
            person_id=person_id,
            service_url=service_url,
            service_id=service_id,
            session_id=session_id,
            created_at=now,
            from_new_login=from_new_login,
            proxies=list(proxies or []),
            authenticated_at=authenticated_at,
        )
        value = _issued_to_json(ticket)
        if live_session and session_id and not self._cluster():
            stored = run_script(
                self._client(),
                ISSUE_IN_SESSION,
                3,
                _session_key(session_id),
                f"socle:t:{ticket.id}",
                f"{_session_key(session_id)}:t",
                _ms(now),
                _ttl_ms(session_idle()),
                _ttl_ms(ticket_lifetime(prefix)),
                value,
                _ttl_ms(session_max()),
            )
            if not stored:
                self._hints.forget(session_id)
                raise SessionEnded(session_id)
            return ticket.id
        pipe = self._client().pipeline(transaction=False)
        pipe.set(f"socle:t:{ticket.id}", value, px=_ttl_ms(ticket_lifetime(prefix)))
        if session_id:
            list_key = f"{_session_key(session_id)}:t"
            pipe.rpush(list_key, value)
            pipe.pexpire(list_key, _ttl_ms(session_max()))
        pipe.execute()
        return ticket.id

    def consume_ticket(self, ticket_id: str) -> IssuedTicket | None:
        if not plausible_id(ticket_id):
            return None
        raw = self._client().getdel(f"socle:t:{ticket_id}")
        return _issued_from_json(raw) if raw is not None else None

    # --- proxy-granting tickets ----------------------------------------------------------------
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
        granting = GrantingTicket(
            id=new_ticket_id("PGT"),
            iou=new_ticket_id("PGTIOU"),
            person_id=person_id,
            session_id=session_id,
            service_id=service_id,
            callback_url=callback_url,
            proxies=list(proxies),
            authenticated_at=authenticated_at,
        )
        value = json.dumps(
            {
                "i": granting.id,
                "o": granting.iou,
                "p": person_id,
                "s": session_id,
                "v": service_id,
                "u": callback_url,
                "x": granting.proxies,
                "a": _ms(authenticated_at) if authenticated_at else None,
            },
            separators=(",", ":"),
        )
        pgt_key = f"socle:g:{granting.id}"
        if not session_id:
            self._client().set(pgt_key, value, px=_ttl_ms(pgt_lifetime()))
            return granting
        set_key = f"{_session_key(session_id)}:g"
        if self._cluster():
            # The PGT's key is in another slot than the session's: checked first (a logout in
            # between leaves a PGT of a dead session, which its session's end cannot find).
            if not self.get_session(session_id):
                raise SessionEnded(session_id)
            pipe = self._client().pipeline(transaction=False)
            pipe.set(pgt_key, value, px=_ttl_ms(pgt_lifetime()))
            pipe.sadd(set_key, granting.id)
            pipe.pexpire(set_key, _ttl_ms(session_max()))
            pipe.execute()
            return granting
        stored = run_script(
            self._client(),
            PGT_IN_SESSION,
            3,
            _session_key(session_id),
            pgt_key,
            set_key,
            int(time.time() * 1000),
            value,
            _ttl_ms(pgt_lifetime()),
            granting.id,
            _ttl_ms(session_max()),
        )
        if not stored:
            self._hints.forget(session_id)
            raise SessionEnded(session_id)
        return granting

    def get_pgt(self, pgt_id: str) -> GrantingTicket | None:
        if not plausible_id(pgt_id):
            return None
        raw = self._client().get(f"socle:g:{pgt_id}")
        return _pgt_from_json(raw) if raw is not None else None

    def purge_expired(self) -> int:
        """Nothing to do: Redis expires tickets and sessions itself, and a person's set of
        session ids is pruned when it grows (``create_session``) and expires on its own."""
        return 0
