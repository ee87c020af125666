"""``socle serve`` says at start when the previous start signed with another secret key
(``socle.core.node_key``): two nodes given different keys otherwise empty each other's portal
sessions without a word in any log."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from socle.core.node_key import CACHE_KEY, another_key_at_start, fingerprint

KEY_A = "node-key-a-" + "aZ9" * 20
KEY_B = "node-key-b-" + "bY8" * 20


@pytest.fixture(autouse=True)
def _no_previous_start(db):
    cache.delete(CACHE_KEY)
    yield
    cache.delete(CACHE_KEY)


def _start(settings, key: str, *former: str) -> bool:
    settings.SECRET_KEY = key
    settings.SECRET_KEY_FALLBACKS = list(former)
    return another_key_at_start()


def test_it_says_nothing_at_the_first_start_nor_when_the_key_is_the_same(settings):
    assert _start(settings, KEY_A) is False
    assert _start(settings, KEY_A) is False


def test_it_says_when_the_previous_start_signed_with_another_key(settings):
    assert _start(settings, KEY_A) is False
    assert _start(settings, KEY_B) is True  # the second node, given its own key
    assert _start(settings, KEY_A) is True  # the first one restarted: it says so too


def test_it_says_nothing_during_a_rotation_done_as_the_docs_say(settings):
    assert _start(settings, KEY_A) is False
    assert _start(settings, KEY_A, KEY_B) is False  # round 1: the new key as former only
    assert _start(settings, KEY_B, KEY_A) is False  # round 2 on one node
    assert _start(settings, KEY_A, KEY_B) is False  # a node still in round 1 restarted
    assert _start(settings, KEY_B, KEY_A) is False  # round 2 on that node
    assert _start(settings, KEY_B) is False  # the former key removed at last


def test_it_says_nothing_when_the_cache_cannot_be_reached(settings, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(cache, "get", unreachable)
    assert _start(settings, KEY_B) is False


def test_the_fingerprint_is_not_the_key_and_differs_between_keys():
    assert KEY_A not in fingerprint(KEY_A) and len(fingerprint(KEY_A)) == 32
    assert fingerprint(KEY_A) != fingerprint(KEY_B)


def test_serve_says_it_once_in_its_log_and_starts(settings, monkeypatch, caplog):
    from django.core.management import call_command

    _start(settings, KEY_A)  # the other node
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = KEY_B, []
    monkeypatch.setattr("socle.core.management.commands.serve.prepare_node", lambda **_: None)
    served = []
    monkeypatch.setattr("socle.core.management.commands.serve.run", served.append)
    with caplog.at_level("WARNING", logger="socle.core"):
        call_command("serve", "--workers", "1")
    assert len(served) == 1
    (line,) = [r.getMessage() for r in caplog.records if "another secret key" in r.getMessage()]
    assert "give every node the same SOCLE_SECRET_KEY" in line
    assert cache.get(CACHE_KEY) == fingerprint(KEY_B)
