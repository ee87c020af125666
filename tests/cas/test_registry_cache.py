"""The per-process registry copy: fast, and never stale beyond one check interval."""

from __future__ import annotations

from django.core.cache import cache

from socle.cas import registry_cache
from socle.cas.services import find_service
from socle.core import versioned
from socle.portal.models import Service
from tests.factories import make_service

URL = "https://cached.example.org/page"


def test_it_sees_a_change_made_in_this_process_at_once() -> None:
    service = make_service("cached", patterns=("https://cached.example.org/**",))
    assert find_service(URL) == service
    service.patterns.all().delete()
    assert find_service(URL) is None


def test_it_answers_from_memory_until_the_shared_version_changes(monkeypatch) -> None:
    make_service("cached", patterns=("https://cached.example.org/**",))
    assert find_service(URL) is not None
    # Another node disables the service with a raw UPDATE (no signal in this process).
    Service.objects.filter(code="cached").update(enabled=False)
    assert find_service(URL) is not None  # still the local copy
    cache.set(registry_cache.VERSION_KEY, "changed-elsewhere", None)
    monkeypatch.setattr(registry_cache.VERSION, "check_every", 0.0)
    assert find_service(URL) is None


def test_it_reads_the_database_every_time_when_the_cache_is_broken(monkeypatch) -> None:
    make_service("cached", patterns=("https://cached.example.org/**",))

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(versioned.cache, "get", broken)
    versioned.forget_all()
    assert find_service(URL) is not None
    Service.objects.filter(code="cached").update(enabled=False)
    assert find_service(URL) is None
