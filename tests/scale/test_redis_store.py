import datetime as dt
import threading

import pytest

from socle.cas.tickets.redis_scripts import _SHAS, ISSUE_IN_SESSION
from socle.cas.tickets.redis_store import RedisStore


@pytest.fixture
def store(redis_client, redis_url) -> RedisStore:
    return RedisStore(redis_url)


def issue(
    store: RedisStore, session_id: str | None, person_id: int = 7, prefix: str = "ST", **extra
) -> str:
    return store.issue_ticket(
        prefix=prefix,
        person_id=person_id,
        service_url="https://appli.example.org/accueil",
        service_id=3,
        session_id=session_id,
        from_new_login=extra.pop("from_new_login", True),
        **extra,
    )


def test_a_session_lives_in_redis_with_the_idle_timeout_as_ttl(store, redis_client, settings):
    settings.SOCLE_CAS_SESSION_IDLE = 600
    session = store.create_session(7)
    assert session.id.startswith("TGC-")
    key = f"socle:s:{{{session.id}}}"
    assert 0 < redis_client.pttl(key) <= 600_000
    found = store.get_session(session.id)
    assert found is not None and found.person_id == 7
    assert found.expires_at == session.expires_at.replace(
        microsecond=session.expires_at.microsecond // 1000 * 1000
    )


def test_reading_a_session_refreshes_its_idle_deadline(store, redis_client):
    session = store.create_session(7)
    key = f"socle:s:{{{session.id}}}"
    redis_client.pexpire(key, 5000)
    assert store.get_session(session.id) is not None
    assert redis_client.pttl(key) > 5000


def test_a_session_past_its_hard_limit_is_gone(store, redis_client):
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    session = store.create_session(7, now=old)
    redis_client.pexpire(f"socle:s:{{{session.id}}}", 60_000)  # idle deadline still ahead
    assert store.get_session(session.id) is None
    assert not redis_client.exists(f"socle:s:{{{session.id}}}")


def test_unknown_or_absurd_session_ids_are_refused(store):
    assert store.get_session("TGC-nope") is None
    assert store.get_session("") is None
    assert store.get_session("TGC-" + "x" * 500) is None


def test_a_service_ticket_is_consumed_once_and_expires_with_its_lifetime(
    store, redis_client, settings
):
    settings.SOCLE_CAS_ST_LIFETIME = 10
    session = store.create_session(7)
    ticket = issue(store, session.id)
    assert 0 < redis_client.pttl(f"socle:t:{ticket}") <= 10_000
    issued = store.consume_ticket(ticket)
    assert issued is not None
    assert issued.person_id == 7 and issued.session_id == session.id and issued.from_new_login
    assert issued.service_url == "https://appli.example.org/accueil"
    assert store.consume_ticket(ticket) is None


def test_two_racing_validations_get_the_ticket_once(store):
    ticket = issue(store, store.create_session(7).id)
    winners: list[object] = []
    barrier = threading.Barrier(20)

    def validate() -> None:
        barrier.wait()
        result = store.consume_ticket(ticket)
        if result is not None:
            winners.append(result)

    threads = [threading.Thread(target=validate) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1


def test_ending_a_session_returns_its_tickets_and_kills_the_unused_ones(store):
    session = store.create_session(7)
    used = issue(store, session.id)
    unused = issue(store, session.id)
    assert store.consume_ticket(used) is not None
    pgt = store.create_pgt(
        person_id=7,
        session_id=session.id,
        service_id=3,
        callback_url="https://appli.example.org/pgt",
        proxies=[],
    )
    assert store.get_pgt(pgt.id) == pgt

    ended = store.end_session(session.id)

    assert sorted(t.id for t in ended) == sorted([used, unused])
    assert store.get_session(session.id) is None
    assert store.consume_ticket(unused) is None
    assert store.get_pgt(pgt.id) is None
    assert store.end_session(session.id) == []


def test_ending_a_persons_sessions_spares_the_one_asked(store):
    keep = store.create_session(7)
    others = [store.create_session(7) for _ in range(3)]
    stranger = store.create_session(8)
    tickets = [issue(store, s.id) for s in others]

    ended = store.end_person_sessions(7, except_session=keep.id)

    assert sorted(t.id for t in ended) == sorted(tickets)
    assert store.get_session(keep.id) is not None
    assert store.get_session(stranger.id) is not None
    assert all(store.get_session(s.id) is None for s in others)


def test_a_persons_sessions_past_their_hard_limit_leave_at_the_next_login(store, redis_client):
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    for _ in range(3):
        store.create_session(9, now=old)
    alive = store.create_session(9)
    assert [m.decode() for m in redis_client.zrange("socle:ps:9", 0, -1)] == [alive.id]


def test_sessions_recorded_in_the_former_set_are_ended_too(store, redis_client):
    session = store.create_session(9)
    redis_client.delete("socle:ps:9")
    redis_client.sadd("socle:p:9", session.id)  # as stored before the sorted set
    store.end_person_sessions(9)
    assert store.get_session(session.id) is None


def test_proxy_tickets_work_without_a_session(store):
    ticket = issue(store, None, prefix="PT")
    assert ticket.startswith("PT-")
    assert store.consume_ticket(ticket).session_id is None
    assert store.purge_expired() == 0


def test_the_cas_uses_the_redis_store_when_redis_is_configured(redis_client, settings):
    from socle.cas.tickets import _store_for, get_store

    _store_for.cache_clear()
    try:
        assert isinstance(get_store(), RedisStore)
    finally:
        _store_for.cache_clear()


def hop_commands(store: RedisStore, session_id: str) -> tuple[str, list[str]]:
    """Issues a hop's ticket in a hinted session; returns it with the Redis commands sent."""
    hint = store.session_hint(session_id)
    assert hint is not None
    calls: list[str] = []
    client = store._client()
    original = client.execute_command
    client.execute_command = lambda *a, **k: calls.append(a[0]) or original(*a, **k)
    try:
        ticket = issue(
            store,
            hint.id,
            from_new_login=False,
            authenticated_at=hint.authenticated_at,
            live_session=True,
        )
    finally:
        del client.execute_command
    return ticket, calls


def test_a_hop_ticket_is_stored_with_one_round_trip_on_a_hinted_session(store, redis_client):
    session = store.create_session(7)
    assert store.session_hint(session.id) == session  # a session this process created is hinted
    key = f"socle:s:{{{session.id}}}"
    redis_client.pexpire(key, 5000)
    redis_client.script_load(ISSUE_IN_SESSION)
    ticket, calls = hop_commands(store, session.id)
    assert calls == ["EVALSHA"]  # the script's digest, not its text
    assert redis_client.pttl(key) > 5000  # the idle deadline was refreshed by the same script
    assert [t.id for t in store.end_session(session.id)] == [ticket]


def test_it_sends_the_scripts_text_again_when_redis_forgot_it(store, redis_client):
    session = store.create_session(7)
    redis_client.script_flush()  # as after a restart or a failover
    ticket, calls = hop_commands(store, session.id)
    assert calls == ["EVALSHA", "EVAL"]
    assert redis_client.script_exists(_SHAS[ISSUE_IN_SESSION]) == [True]
    assert store.get_session(session.id) is not None  # GET_SESSION recovers the same way
    assert [t.id for t in store.end_session(session.id)] == [ticket]


def test_a_ticket_is_refused_for_a_session_ended_on_another_node(store, redis_client):
    from socle.cas.tickets.base import SessionEnded

    session = store.create_session(7)
    other_node = RedisStore(store.url)
    other_node.end_session(session.id)
    assert store.session_hint(session.id) is not None  # this process does not know yet

    with pytest.raises(SessionEnded):
        issue(store, session.id, from_new_login=False, live_session=True)
    assert store.session_hint(session.id) is None
    assert not redis_client.keys("socle:t:*")
    assert not redis_client.exists(f"socle:s:{{{session.id}}}:t")


def test_a_hint_past_the_sessions_hard_limit_is_dropped(store):
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    session = store.create_session(7, now=old)
    assert store.session_hint(session.id) is None


def test_hints_are_bounded(store, monkeypatch):
    from socle.cas.tickets import hints

    monkeypatch.setattr(hints, "MAX_HINTS", 20)
    sessions = [store.create_session(7) for _ in range(45)]
    assert len(store._hints) <= 20
    assert store.session_hint(sessions[-1].id) is not None


def test_no_hints_on_a_cluster(store, settings):
    settings.SOCLE_REDIS_CLUSTER = True
    session = store.create_session(7)
    assert store.session_hint(session.id) is None


def pgt_of(store: RedisStore, session_id: str | None):
    return store.create_pgt(
        person_id=7,
        session_id=session_id,
        service_id=3,
        callback_url="https://appli.example.org/pgt",
        proxies=[],
    )


@pytest.mark.parametrize("cluster", [False, True])
def test_a_pgt_is_refused_for_a_session_ended_before_it(store, redis_client, settings, cluster):
    """Service ticket validated, logout, then the PGT: nothing is stored, as the database
    store's foreign key refuses it, and the dead session's keys are not written again."""
    from socle.cas.tickets.base import SessionEnded

    settings.SOCLE_REDIS_CLUSTER = cluster
    session = store.create_session(7)
    issued = store.consume_ticket(issue(store, session.id))
    assert issued is not None
    store.end_session(session.id)

    with pytest.raises(SessionEnded):
        pgt_of(store, issued.session_id)
    assert not redis_client.keys("socle:g:*")
    assert not redis_client.keys(f"socle:s:{{{session.id}}}*")


def test_a_pgt_of_a_live_session_dies_with_it(store, redis_client):
    session = store.create_session(7)
    pgt = pgt_of(store, session.id)
    assert store.get_pgt(pgt.id) == pgt
    assert redis_client.pttl(f"socle:g:{pgt.id}") > 0
    assert redis_client.smembers(f"socle:s:{{{session.id}}}:g") == {pgt.id.encode()}
    store.end_session(session.id)
    assert store.get_pgt(pgt.id) is None


def test_a_pgt_without_a_session_is_stored(store):
    pgt = pgt_of(store, None)
    assert store.get_pgt(pgt.id) == pgt


def test_a_pgt_keeps_when_the_password_was_typed_for_its_proxy_tickets(store):
    typed = dt.datetime(2026, 12, 4, 8, 30, 15, 123000, tzinfo=dt.UTC)  # Redis keeps milliseconds
    session = store.create_session(7)
    pgt = store.create_pgt(
        person_id=7,
        session_id=session.id,
        service_id=3,
        callback_url="https://appli.example.org/pgt",
        proxies=[],
        authenticated_at=typed,
    )
    assert store.get_pgt(pgt.id).authenticated_at == typed
    assert pgt_of(store, session.id).authenticated_at is None
