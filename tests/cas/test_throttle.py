"""Login throttling (``socle.cas.throttle``): a short lock per account and address, a higher
bound per account over all addresses, and a bound per address; nobody locks a known account
everywhere with five wrong passwords."""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from socle.cas import throttle
from socle.cas.checks import check_cas_settings
from socle.directory.activation import issue_code
from tests.cas.conftest import SERVICE_URL, cas_login
from tests.factories import DEFAULT_PASSWORD, make_person

HOME = "198.51.100.20"  # the pupil, at home
SCHOOL = "203.0.113.1"  # the school's NAT address


def attempt(address: str, login: str, password: str = "wrong", **data: str) -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/cas/login", {"username": login, "password": password, **data}
    )


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_five_wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(pupil, service):
    for _ in range(5):
        attempt(SCHOOL, pupil.login)
    locked = attempt(SCHOOL, pupil.login, DEFAULT_PASSWORD, service=SERVICE_URL)
    assert "Trop de tentatives de connexion. Réessayez dans un quart d'heure." in text(locked)
    owner = attempt(HOME, pupil.login, DEFAULT_PASSWORD, service=SERVICE_URL)
    assert owner.status_code == 302 and "ticket=ST-" in owner["Location"]


def test_guessing_from_many_addresses_meets_the_bound_per_account(pupil, service, settings):
    assert settings.SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES == 20
    for index in range(20):  # four addresses, never five failures from one of them
        attempt(f"192.0.2.{index % 4}", pupil.login)
    for address in ("192.0.2.0", HOME):
        refused = attempt(address, pupil.login, DEFAULT_PASSWORD, service=SERVICE_URL)
        assert "Réessayez dans une heure." in text(refused)


def test_unknown_logins_are_throttled_alike(service):
    for index in range(20):
        attempt(f"192.0.2.{index % 4}", "personne.inconnue")
    assert "Réessayez dans une heure." in text(attempt(HOME, "personne.inconnue"))


def test_a_success_forgets_only_the_failures_from_its_address(pupil, service, settings):
    settings.SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES = 8
    for _ in range(4):
        attempt(SCHOOL, pupil.login)
    assert cas_login(Client(REMOTE_ADDR=SCHOOL), pupil, SERVICE_URL).status_code == 302
    for _ in range(4):  # counting starts again from zero for this address…
        attempt(SCHOOL, pupil.login)
    # …but the account's failures over all addresses (8) are kept until they expire.
    assert "une heure" in text(attempt(HOME, pupil.login, DEFAULT_PASSWORD, service=SERVICE_URL))


def test_a_new_password_lifts_the_lock_over_all_addresses(pupil, service) -> None:
    from socle.directory.passwords import reset_password, set_password

    for index in range(20):
        attempt(f"192.0.2.{index % 4}", pupil.login)
    assert "une heure" in text(attempt(HOME, pupil.login, DEFAULT_PASSWORD, service=SERVICE_URL))
    reset_password(pupil)  # the administrator's reset; then the owner chooses a password
    set_password(pupil, "un tout nouveau mot de passe")
    owner = attempt(HOME, pupil.login, "un tout nouveau mot de passe", service=SERVICE_URL)
    assert owner.status_code == 302 and "ticket=ST-" in owner["Location"]
    # The per-address counts cannot be listed: those 15-minute locks expire on their own.
    assert "quart d'heure" in text(attempt("192.0.2.0", pupil.login))


def test_the_address_bound_still_stops_one_address_trying_many_accounts(service, settings):
    settings.SOCLE_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for index in range(3):
        attempt(SCHOOL, f"user{index}")
    assert "quart d'heure" in text(attempt(SCHOOL, "someone.else"))
    assert "quart d'heure" not in text(attempt(HOME, "someone.else"))


def test_the_counters_live_their_window_after_the_last_failure(monkeypatch):
    windows: dict[str, int] = {}
    real_add, real_touch = cache.add, cache.touch

    def add(key: str, value: int, timeout: int) -> bool:
        windows[key.split(":")[2]] = timeout
        return real_add(key, value, timeout)

    def touch(key: str, timeout: int) -> bool:
        assert windows[key.split(":")[2]] == timeout
        return real_touch(key, timeout)

    monkeypatch.setattr(cache, "add", add)
    monkeypatch.setattr(cache, "touch", touch)
    throttle.record_failure("camille.martin", SCHOOL)
    throttle.record_failure("camille.martin", SCHOOL)
    assert windows == {"pair": 15 * 60, "account": 60 * 60, "ip": 15 * 60}


@pytest.mark.parametrize(
    ("pair", "account", "warned"), [(5, 20, False), (5, 5, False), (5, 4, True)]
)
def test_it_warns_when_the_bound_over_all_addresses_is_below_the_short_lock(
    settings, pair, account, warned
):
    settings.SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT = pair
    settings.SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES = account
    ids = [problem.id for problem in check_cas_settings()]
    assert ("socle.W011" in ids) is warned


def test_an_activation_code_typed_as_the_password_counts_no_failure(service):
    newcomer = make_person("Léo", "Nouveau", password=None)
    issued = issue_code(newcomer)
    for _ in range(6):  # back and forth between the letter and the first-connection page
        sent = attempt(SCHOOL, newcomer.login, issued.display)
        assert sent.status_code == 302 and sent["Location"].startswith("/compte/activation/")
    assert not throttle.is_throttled(newcomer.login, SCHOOL)


def test_wrong_activation_codes_count_as_wrong_passwords(service):
    newcomer = make_person("Léo", "Nouveau", password=None)
    issued = issue_code(newcomer)
    for _ in range(5):
        assert attempt(SCHOOL, newcomer.login, "ABCD-EFGH-JKLM").status_code == 200
    locked = attempt(SCHOOL, newcomer.login, issued.display)
    assert "Trop de tentatives de connexion. Réessayez dans un quart d'heure." in text(locked)


SLOT = "socle.cas.authentication.password_hash_slot"


def slot_after_a_wait(login: str, failures: int = 0) -> Any:
    """A hash slot that comes after a wait, during which ``failures`` other attempts of
    ``login`` from the school failed (the stand-in for ``password_hash_slot``)."""

    @contextmanager
    def slot(*args: Any, **kwargs: Any) -> Iterator[None]:
        time.sleep(0.01)
        for _ in range(failures):
            throttle.record_failure(login, SCHOOL)
        yield

    return slot


def test_an_attempt_that_queued_reads_the_failures_counted_meanwhile(pupil, service, monkeypatch):
    """Attempts sent at once all read the counts before any is hashed; one that had to wait
    for a hash slot reads them again there, and is refused unhashed if the others' failures
    reached the bound meanwhile."""
    from socle.directory.models import Person

    def never(*args: Any, **kwargs: Any) -> bool:
        raise AssertionError("hashed")

    # the attempts hashed while this one waited
    monkeypatch.setattr(SLOT, slot_after_a_wait(pupil.login, failures=5))
    monkeypatch.setattr(Person, "check_password", never)
    refused = attempt(SCHOOL, pupil.login)
    assert "Trop de tentatives de connexion. Réessayez dans un quart d'heure." in text(refused)


def test_an_attempt_that_queued_without_failures_meanwhile_is_checked(pupil, service, monkeypatch):
    """A shared account logging in at once: the attempts in flight are no failures."""
    monkeypatch.setattr(SLOT, slot_after_a_wait(pupil.login))
    for _ in range(8):
        answer = attempt(SCHOOL, pupil.login, DEFAULT_PASSWORD, service=SERVICE_URL)
        assert answer.status_code == 302 and "ticket=ST-" in answer["Location"]


def test_a_success_after_a_wait_forgets_the_failures_counted_meanwhile(pupil, service, monkeypatch):
    # the owner's own typos, hashed while this attempt waited
    monkeypatch.setattr(SLOT, slot_after_a_wait(pupil.login, failures=3))
    answer = attempt(SCHOOL, pupil.login, DEFAULT_PASSWORD, service=SERVICE_URL)
    assert answer.status_code == 302
    assert throttle.check(pupil.login, SCHOOL).pair_failures == 0  # forgotten, as without a wait


def test_it_keeps_the_counters_of_the_database_cache_through_a_spray_of_failures(
    settings, db
) -> None:
    """Without Redis the throttle counts in a table, which Django culls past ``MAX_ENTRIES``
    (300 by default): some 150 failures on other logins from two addresses wiped every
    per-account counter (``cas:fail:account:…`` sorts first), the lock over all addresses with
    them."""
    from django.core.management import call_command

    from socle import settings as socle_settings

    settings.CACHES = {"default": socle_settings.DATABASE_CACHE}
    call_command("createcachetable", verbosity=0)
    cache.clear()
    for address in range(20):
        throttle.record_failure("victim", f"203.0.113.{address}")
    assert throttle.is_throttled("victim", "198.51.100.1")
    for attempt in range(200):
        throttle.record_failure(f"spray{attempt}", f"192.0.2.{attempt % 2}")
    assert throttle.is_throttled("victim", "198.51.100.1")
    cache.clear()


def test_it_never_culls_a_live_counter_of_the_database_cache_past_its_bound(settings, db) -> None:
    """Past ``MAX_ENTRIES`` Django deletes a third of the live entries, lowest keys first: the
    per-account counters. A spray of failures from many addresses (IPv6 gives plenty) past the
    bound wiped the lock over all addresses again. Only expired entries are deleted now."""
    from django.core.management import call_command
    from django.db import connection

    from socle import settings as socle_settings

    small = {**socle_settings.DATABASE_CACHE, "OPTIONS": {"MAX_ENTRIES": 50}}
    settings.CACHES = {"default": small}
    call_command("createcachetable", verbosity=0)
    cache.clear()
    for address in range(20):
        throttle.record_failure("victim", f"203.0.113.{address}")
    cache.set("gone", 1, 0)  # expired at once: deleted once past the bound
    for attempt in range(100):
        throttle.record_failure(f"spray{attempt}", f"2001:db8::{attempt:x}")
    assert throttle.is_throttled("victim", "198.51.100.1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM socle_cache WHERE cache_key LIKE '%gone'")
        assert cursor.fetchone()[0] == 0
    cache.clear()
