"""Device cookies (``socle.cas.device``): a browser where the account logged in before is
throttled on its own counter, so that a classmate at the school's NAT address, or anyone failing
20 times from anywhere, no longer locks the owner out of it; a stolen entry gives 5 guesses."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory

from socle.cas import device, throttle
from socle.cas.checks import check_cas_settings
from socle.cas.detail_forms import THROTTLED
from tests.cas.conftest import SERVICE_URL, cas_login
from tests.cas.test_throttle import HOME, SCHOOL, attempt, text
from tests.factories import DEFAULT_PASSWORD, make_person

QUARTER = "Trop de tentatives de connexion. Réessayez dans un quart d'heure."


def trusted_browser(person: Any, address: str = SCHOOL) -> Client:
    """The owner's browser after a login there (the device cookie set), logged out since."""
    browser = Client(REMOTE_ADDR=address)
    assert cas_login(browser, person, SERVICE_URL).status_code == 302
    assert browser.get("/cas/logout").status_code == 200  # a logout keeps the device cookie
    assert browser.cookies[device.COOKIE].value
    return browser


def logs_in(browser: Client, person: Any) -> bool:
    answer = cas_login(browser, person, SERVICE_URL)
    return answer.status_code == 302 and "ticket=ST-" in answer["Location"]


def with_cookie(address: str, value: str) -> Client:
    browser = Client(REMOTE_ADDR=address)
    browser.cookies[device.COOKIE] = value
    return browser


def test_it_lets_the_owner_in_on_their_device_after_a_classmates_failures_at_the_school(
    pupil, service
):
    owner = trusted_browser(pupil)
    for _ in range(5):  # a classmate, behind the same NAT address, without the cookie
        attempt(SCHOOL, pupil.login)
    assert QUARTER in text(attempt(SCHOOL, pupil.login, DEFAULT_PASSWORD, service=SERVICE_URL))
    assert logs_in(owner, pupil)


def test_it_locks_the_owner_without_a_device_cookie_as_before(pupil, service):
    trusted_browser(pupil)  # the owner's device exists, but this is another browser
    for _ in range(5):
        attempt(SCHOOL, pupil.login)
    assert QUARTER in text(cas_login(Client(REMOTE_ADDR=SCHOOL), pupil, SERVICE_URL))


def test_it_lets_the_owners_device_in_after_twenty_failures_from_many_addresses(pupil, service):
    owner = trusted_browser(pupil, HOME)
    for index in range(20):
        attempt(f"192.0.2.{index % 4}", pupil.login)
    assert "une heure" in text(cas_login(Client(REMOTE_ADDR=HOME), pupil, SERVICE_URL))
    assert logs_in(owner, pupil)


def test_it_locks_a_stolen_entry_after_five_failures_without_checking_the_password(
    pupil, service, monkeypatch
):
    owner = trusted_browser(pupil, HOME)
    thief = with_cookie("192.0.2.66", owner.cookies[device.COOKIE].value)
    for _ in range(5):
        assert "Identifiant ou mot de passe incorrect." in text(
            thief.post("/cas/login", {"username": pupil.login, "password": "wrong"})
        )
    checked: list[str] = []
    monkeypatch.setattr(type(pupil), "check_password", lambda self, raw: checked.append(raw))
    locked = thief.post("/cas/login", {"username": pupil.login, "password": DEFAULT_PASSWORD})
    assert QUARTER in text(locked) and not checked
    # The entry is locked wherever it is; the owner's other browsers are not.
    monkeypatch.undo()
    assert not logs_in(owner, pupil)
    assert logs_in(Client(REMOTE_ADDR=HOME), pupil)


def test_failures_on_a_trusted_device_count_towards_the_bound_over_all_addresses(pupil, service):
    owner = trusted_browser(pupil, HOME)
    for _ in range(4):
        owner.post("/cas/login", {"username": pupil.login, "password": "wrong"})
    for index in range(16):
        attempt(f"192.0.2.{index % 4}", pupil.login)
    assert "une heure" in text(cas_login(Client(REMOTE_ADDR=SCHOOL), pupil, SERVICE_URL))
    assert logs_in(owner, pupil)  # the device itself is not blocked by the account's lock


def test_a_success_on_the_device_gives_it_a_new_entry_and_a_fresh_count(pupil, service):
    owner = trusted_browser(pupil, HOME)
    first = owner.cookies[device.COOKIE].value
    for _ in range(4):
        owner.post("/cas/login", {"username": pupil.login, "password": "wrong"})
    assert logs_in(owner, pupil)
    assert owner.cookies[device.COOKIE].value != first
    for _ in range(4):
        owner.post("/cas/login", {"username": pupil.login, "password": "wrong"})
    assert logs_in(owner, pupil)


def _past_entry(person: Any, days_ago: int) -> str:
    class Past(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - days_ago * device.DAY)

    value = f"{throttle.login_digest(person.login)}.{device.fingerprint(person.password)}.nonce"
    return Past(salt=device.SALT).sign(value)


def _tampered(value: str) -> str:
    last = value[-1]
    return value[:-1] + ("A" if last != "A" else "B")


@pytest.mark.parametrize("kind", ["tampered", "forged", "other_login", "expired", "garbage"])
def test_it_ignores_an_invalid_device_cookie(pupil, service, school, kind):
    valid = trusted_browser(pupil).cookies[device.COOKIE].value
    digest = throttle.login_digest(pupil.login)
    if kind == "tampered":
        value = _tampered(valid)
    elif kind == "forged":  # the right shape, signed with another key
        signer = signing.TimestampSigner(key="not-the-secret-key-" + "y" * 40, salt=device.SALT)
        value = signer.sign(f"{digest}.a-nonce-of-my-own")
    elif kind == "other_login":
        other = make_person("Lucas", "Bernard", establishment=school, class_name="4A")
        value = trusted_browser(other).cookies[device.COOKIE].value
    elif kind == "expired":
        value = _past_entry(pupil, 181)
    else:
        value = f"{digest}.x|" + "z" * 2000
    for _ in range(5):
        attempt(SCHOOL, pupil.login)
    assert QUARTER in text(cas_login(with_cookie(SCHOOL, value), pupil, SERVICE_URL))


def test_an_entry_younger_than_the_lifetime_is_trusted(pupil, service):
    for _ in range(5):
        attempt(SCHOOL, pupil.login)
    assert logs_in(with_cookie(SCHOOL, _past_entry(pupil, 179)), pupil)


def test_it_sets_the_cookie_on_success_with_its_flags_and_not_on_failure(pupil, service):
    browser = Client(REMOTE_ADDR=SCHOOL)
    failed = browser.post("/cas/login", {"username": pupil.login, "password": "wrong"})
    assert device.COOKIE not in failed.cookies
    cookie = cas_login(browser, pupil, SERVICE_URL).cookies[device.COOKIE]  # type: ignore[attr-defined]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/cas/" and cookie["max-age"] == 180 * 24 * 60 * 60
    assert not cookie["secure"]  # the session cookie is not Secure over http
    assert pupil.login not in cookie.value and pupil.login.encode().hex() not in cookie.value


def test_the_cookie_is_secure_when_the_session_cookie_is(pupil, service, settings):
    settings.SESSION_COOKIE_SECURE = True
    answer = cas_login(Client(REMOTE_ADDR=SCHOOL), pupil, SERVICE_URL)
    assert answer.cookies[device.COOKIE]["secure"] is True  # type: ignore[attr-defined]


def test_the_admin_login_goes_through_the_cas_and_gets_the_cookie_too(service):
    admin = make_person("Alex", "Admin", is_staff=True, is_superuser=True)
    browser = Client(REMOTE_ADDR=SCHOOL)
    answer = cas_login(browser, admin, next="/django-admin/")
    assert answer["Location"] == "/django-admin/" and browser.cookies[device.COOKIE].value
    for _ in range(5):
        attempt(SCHOOL, admin.login)
    browser.get("/cas/logout")
    assert cas_login(browser, admin, next="/django-admin/")["Location"] == "/django-admin/"


def test_zero_days_sets_no_cookie_and_ignores_existing_ones(pupil, service, settings):
    owner = trusted_browser(pupil)
    settings.SOCLE_LOGIN_DEVICE_COOKIE_DAYS = 0
    assert device.COOKIE not in cas_login(Client(), pupil, SERVICE_URL).cookies  # type: ignore[attr-defined]
    for _ in range(5):
        attempt(SCHOOL, pupil.login)
    assert QUARTER in text(cas_login(owner, pupil, SERVICE_URL))


def test_zero_days_deletes_the_cookie_of_a_browser_at_its_next_login(pupil, service, settings):
    owner = trusted_browser(pupil)
    settings.SOCLE_LOGIN_DEVICE_COOKIE_DAYS = 0
    answer = cas_login(owner, pupil, SERVICE_URL)
    assert answer.status_code == 302
    cookie = answer.cookies[device.COOKIE]  # type: ignore[attr-defined]
    assert cookie.value == "" and cookie["path"] == "/cas/" and cookie["max-age"] == 0
    assert device.COOKIE not in owner.cookies or not owner.cookies[device.COOKIE].value


HASH = "argon2$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"  # any stored hash


def _remembered(logins: list[str], cookie: str = "") -> str:
    response = HttpResponse()
    for login in logins:
        request = RequestFactory().post("/cas/login")
        if cookie:
            request.COOKIES[device.COOKIE] = cookie
        device.remember(request, response, login, HASH)
        cookie = response.cookies[device.COOKIE].value
    return cookie


def test_one_cookie_keeps_the_five_newest_accounts_of_a_family_computer():
    logins = [f"enfant{index}.martin" for index in range(6)]
    cookie = _remembered(logins)
    entries = cookie.split(device.SEPARATOR)
    assert len(entries) == 5
    assert entries[0].startswith(throttle.login_digest("enfant5.martin") + ".")
    request = RequestFactory().post("/cas/login")
    request.COOKIES[device.COOKIE] = cookie
    assert device.trusted_nonce(request, "enfant0.martin", HASH) is None  # the oldest, dropped
    assert all(device.trusted_nonce(request, login, HASH) for login in logins[1:])
    assert device.trusted_nonce(request, " Enfant3.MARTIN ", HASH)  # the throttle's normalisation
    assert device.trusted_nonce(request, "enfant3.martin", HASH + "x") is None  # new password


def test_a_new_login_drops_invalid_entries_and_the_old_entry_of_its_account():
    lucas, camille = _remembered(["camille.martin", "lucas.bernard"]).split(device.SEPARATOR)
    cookie = device.SEPARATOR.join([_tampered(lucas), camille, "garbage"])
    entries = _remembered(["nathalie.martin"], cookie).split(device.SEPARATOR)
    assert [entry[:32] for entry in entries] == [
        throttle.login_digest("nathalie.martin"),
        throttle.login_digest("camille.martin"),
    ]
    assert entries[1] == camille  # kept as it was, with its own date
    again = _remembered(["camille.martin"], device.SEPARATOR.join(entries))
    assert [entry[:32] for entry in again.split(device.SEPARATOR)] == [
        throttle.login_digest("camille.martin"),
        throttle.login_digest("nathalie.martin"),
    ]
    assert camille not in again


def test_a_login_reads_the_other_counters_in_one_call_with_or_without_a_device_cookie(
    pupil, service, monkeypatch
):
    owner = trusted_browser(pupil)
    reads: list[list[str]] = []
    real_get_many = cache.get_many

    def get_many(keys: list[str], *args: Any, **kwargs: Any) -> dict[str, Any]:
        reads.append([key.split(":")[2] for key in keys])
        return real_get_many(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", get_many)
    attempt(HOME, pupil.login)
    owner.post("/cas/login", {"username": pupil.login, "password": "wrong"})
    # The untrusted check reads its three counters in one call, the trusted one the account;
    # the device entry's counter is taken in advance (incremented), never read first.
    # (The test settings' database cache reads a key inside its ``incr`` too: ['account'].)
    assert reads[0] == ["pair", "account", "ip"] and ["account"] in reads[1:]
    assert not any("device" in keys for keys in reads)


@pytest.mark.parametrize(
    ("days", "warned"),
    [(0, False), (180, False), (395, False), (396, True), (-1, True), ("90", True)],
)
def test_it_warns_when_the_device_cookie_lifetime_is_out_of_range(settings, days, warned):
    settings.SOCLE_LOGIN_DEVICE_COOKIE_DAYS = days
    ids = [problem.id for problem in check_cas_settings()]
    assert ("socle.W012" in ids) is warned


def test_a_new_password_voids_the_entries_gathered_under_the_old_one(pupil, service):
    """Someone who knew the old password and kept device entries gets no guesses from them
    once the owner has a new one."""
    from socle.directory.passwords import set_password

    kept = trusted_browser(pupil, HOME).cookies[device.COOKIE].value
    set_password(pupil, "une toute nouvelle phrase de passe")
    pupil.refresh_from_db()
    for _ in range(5):
        attempt(SCHOOL, pupil.login)  # the school's address is locked for the account
    guesser = with_cookie(SCHOOL, kept)
    page = guesser.post(
        "/cas/login", {"username": pupil.login, "password": "une toute nouvelle phrase de passe"}
    )
    assert QUARTER in text(page)  # untrusted now: the lock of the address applies


def test_trusted_attempts_stop_at_twice_the_accounts_bound(pupil, service, settings):
    """Entries do not multiply the account's guesses: their failures add up over all addresses,
    and past twice the bound (here 2 × 4) every trusted attempt stops too."""
    settings.SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES = 4
    first, second, owner = (trusted_browser(pupil, f"198.51.100.{n}") for n in (31, 32, 33))
    for browser in (first, second):
        for _ in range(4):
            browser.post("/cas/login", {"username": pupil.login, "password": "wrong"})
    page = owner.post("/cas/login", {"username": pupil.login, "password": DEFAULT_PASSWORD})
    assert "Réessayez dans une heure" in text(page)


def test_simultaneous_attempts_with_one_entry_get_no_more_than_the_bound(pupil, service):
    """A trusted attempt is counted before its hash: five places, the sixth refused unhashed."""
    checks = [throttle.check(pupil.login, SCHOOL, "a-nonce") for _ in range(7)]  # none recorded
    assert [c.throttled for c in checks] == [False] * 5 + [True] * 2
    for c in checks[:5]:
        throttle.record_failure(pupil.login, SCHOOL, c)
    assert throttle.is_throttled(pupil.login, SCHOOL, "a-nonce")


def test_simultaneous_untrusted_logins_of_one_account_are_not_refused(pupil, service):
    """A shared account logging in at once from one school address: the attempts in flight are
    not failures (the surge test of tests/scale covers it under gunicorn)."""
    checks = [throttle.check(pupil.login, SCHOOL) for _ in range(12)]
    assert not any(c.throttled for c in checks)


def test_an_attempt_not_hashed_gives_its_place_back(pupil, service):
    first = throttle.check(pupil.login, SCHOOL, "a-nonce")
    throttle.release(first)  # the queue was full, say
    for _ in range(5):
        assert not throttle.check(pupil.login, SCHOOL, "a-nonce").throttled


def test_it_traces_a_locked_device_entry_under_its_account(pupil, service):
    # The attempt read the account for the device entry: the trace reuses it.
    from socle.portal.models import Trace

    owner = trusted_browser(pupil, HOME)
    thief = with_cookie("192.0.2.66", owner.cookies[device.COOKIE].value)
    for _ in range(6):
        thief.post("/cas/login", {"username": pupil.login, "password": "wrong"})
    last = Trace.objects.filter(event="login_failed").latest("pk")
    assert (last.detail, last.person_id, last.actor_login) == (THROTTLED, pupil.pk, pupil.login)
    stranger = with_cookie("192.0.2.67", owner.cookies[device.COOKIE].value)
    for _ in range(6):
        stranger.post("/cas/login", {"username": "personne.inconnue", "password": "wrong"})
    unknown = Trace.objects.filter(event="login_failed").latest("pk")
    assert (unknown.person_id, unknown.actor_login) == (None, "")
