"""socle.core.sessions (cache) and socle.core.db_sessions (database): a new Django session costs
one write, and otherwise behaves as Django's."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from socle.core import db_sessions
from socle.core.sessions import CYCLE_GRACE, SessionStore, new_session_key


@pytest.fixture(autouse=True)
def locmem_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture(params=["cache", "database"])
def store(request):
    """Each of the two stores, for the behaviour they share."""
    if request.param == "database":
        request.getfixturevalue("db")
        return db_sessions.SessionStore
    return SessionStore


class Counting:
    def __init__(self, monkeypatch) -> None:
        self.calls: list[str] = []
        backend = SessionStore()._cache  # the sessions' cache backend of this thread
        for name in ("get", "set", "add", "has_key", "delete"):
            original = getattr(backend, name)
            monkeypatch.setattr(backend, name, self._wrap(name, original))

    def _wrap(self, name, original):
        def call(*args, **kwargs):
            self.calls.append(name)
            return original(*args, **kwargs)

        return call


def test_it_writes_a_new_session_once(monkeypatch):
    counting = Counting(monkeypatch)
    session = SessionStore()
    session.cycle_key()  # what django.contrib.auth.login does
    session["cas_session"] = "TGC-x"
    session.save()  # what SessionMiddleware does at the end of the request
    assert counting.calls == ["add"]
    assert SessionStore(session.session_key)["cas_session"] == "TGC-x"


@pytest.mark.django_db
def test_the_database_store_inserts_a_new_session_with_one_statement():
    session = db_sessions.SessionStore()
    with CaptureQueriesContext(connection) as queries:
        session.cycle_key()
        session["cas_session"] = "TGC-x"
        session.save()
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert [s for s in statements if s in {"SELECT", "INSERT", "UPDATE"}] == ["INSERT"]
    assert db_sessions.SessionStore(session.session_key)["cas_session"] == "TGC-x"


def test_it_saves_data_put_in_a_session_without_a_key(store):
    session = store()
    session["next"] = "/mon-espace/"
    session.save()
    assert session.session_key
    assert store(session.session_key)["next"] == "/mon-espace/"


def test_it_takes_another_key_when_the_new_one_is_taken(store, monkeypatch):
    taken = store()
    taken["who"] = "someone else"
    taken.save()
    keys = iter([taken.session_key, taken.session_key, "b" * 32])
    session = store()
    monkeypatch.setattr(session, "_get_new_session_key", lambda: next(keys))
    session.create()
    session["who"] = "me"
    session.save()
    assert session.session_key == "b" * 32
    assert store(taken.session_key)["who"] == "someone else"


def test_cycling_the_key_of_an_existing_session_keeps_its_data_and_drops_the_old_key(
    store, monkeypatch
):
    session = store()
    session["a"] = 1
    session.save()
    old = session.session_key
    session.cycle_key()
    session["a"] = 2
    session.save()
    assert session.session_key != old
    assert store(session.session_key)["a"] == 2
    assert store(old)["a"] == 1  # CYCLE_GRACE: a request sent at once still finds it, as it was
    later = time.time() + CYCLE_GRACE + 1
    monkeypatch.setattr(time, "time", lambda: later)  # the cache's clock
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime.fromtimestamp(later, dt.UTC))
    assert "a" not in store(old)


def test_a_session_deleted_elsewhere_is_not_brought_back(store):
    from django.contrib.sessions.backends.base import UpdateError

    session = store()
    session["a"] = 1
    session.save()
    store().delete(session.session_key)
    session["a"] = 2
    with pytest.raises(UpdateError):
        session.save()


def test_new_session_keys_are_32_of_djangos_key_characters_and_differ():
    keys = {new_session_key() for _ in range(500)}
    assert len(keys) == 500
    assert all(len(key) == 32 and set(key) <= set(VALID_KEY_CHARS) for key in keys)
    seen = set("".join(keys))
    assert seen == set(VALID_KEY_CHARS)  # 16,000 characters drawn: every one of the 36 appears
