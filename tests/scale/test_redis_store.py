import datetime as dt
import threading

import pytest

from socle.cas.tickets.redis_store import RedisStore


@pytest.fixture
def store(redis_client, redis_url) -> RedisStore:
    return RedisStore(redis_url)


def issue(store: RedisStore, session_id: str | None, person_id: int = 7, prefix: str = "ST") -> str:
    return store.issue_ticket(
        prefix=prefix,
        person_id=person_id,
        service_url="https://appli.example.org/accueil",
        service_id=3,
        session_id=session_id,
        from_new_login=True,
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


def test_a_person_set_is_pruned_of_dead_sessions(store, redis_client):
    from socle.cas.tickets.redis_store import PERSON_SET_PRUNE_AT

    sessions = [store.create_session(9) for _ in range(2 * PERSON_SET_PRUNE_AT - 1)]
    for session in sessions[2:]:
        redis_client.delete(f"socle:s:{{{session.id}}}")
    store.create_session(9)  # the set reaches a multiple of PERSON_SET_PRUNE_AT: pruned
    assert redis_client.scard("socle:p:9") == 3


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
