"""Login throttling in the shared Django cache: three failure counters, read in one call.

- **one account from one client address** (``SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT``, 5): the
  short lock, :data:`WINDOW` (15 minutes after the last failure it counts). Someone guessing
  a classmate's password (logins are ``prenom.nom``) is stopped after 5 tries, and the account
  stays open to its owner at any other address;
- **one account from all addresses together**
  (``SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES``, 20): the bound against guessing from
  many addresses, :data:`ACCOUNT_WINDOW` (one hour after the last failure it counts). 20 per
  hour is the ceiling the former per-account lock (5 per quarter of an hour) gave: however
  many addresses an attacker uses, an account gets no more guesses than before;
- **one client address** (``SOCLE_LOGIN_MAX_FAILURES_PER_ADDRESS``, 100): one address trying
  many accounts, :data:`WINDOW`. A whole school may share one NAT address: keep it high.

Past a limit, attempts are refused without checking the password, and refused attempts count
nothing (so a lock lasts its window after the last failure counted). A success forgets the
failures of its account from its address; the account's count over all addresses expires on
its own (a success of the owner must not give a guesser 20 more tries). A new password (an
administrator's reset, a change) forgets the account's count over all addresses
(:func:`forget_account`): the guessing it bounded was aimed at the old password. The counts of
the account from each address cannot be listed without scanning the cache: those 15-minute locks
expire on their own. Counters are kept for
unknown logins too, and the message is the same for every login, so the throttle tells nothing
about which logins exist.

**Trusted devices** (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser
where the account has logged in before carries a signed device cookie entry for it
(``socle.cas.device``, ``SOCLE_LOGIN_DEVICE_COOKIE_DAYS``). An attempt with a valid entry for the
login tried passes the three locks above: a classmate behind the school's NAT address, or anyone
failing 20 times from anywhere, no longer locks the owner out of their own browser. Its own
counter, **one device entry** (keyed on a digest of the entry's random nonce,
``SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT``, 5, :data:`WINDOW`), refuses it instead, so a stolen
entry gives no more than 5 guesses a quarter of an hour. Its failures count on the device and on
the account over all addresses (which keeps bounding the untrusted guessing), not on the account
from the address nor on the address. Trusted attempts stop too when the account's count over all
addresses reaches :data:`TRUSTED_FACTOR` times its bound (40 an hour): however many entries
someone gathered, the account gets no more guesses than that. An entry is bound to the password
it was issued under (``socle.cas.device``): a new password voids every entry. A success issues a
new nonce (``socle.cas.device.remember``): the owner's own mistakes are forgotten, a stolen copy
of the old entry keeps its count. The cookie is no authentication factor: the password is always
checked.

**Simultaneous attempts.** A trusted attempt is counted *before* its hash, as a failure, on its
entry's atomic counter (``add``/``incr``), and gives its count back when refused or not hashed
after all (:func:`release`): attempts sent at once with one entry get 5 hashes, not as many as
read the count before any failure was recorded. Untrusted attempts are read, then counted after
their hash: several people logging in at once to one shared account from one school address
(a surge, a class account) must not be refused for the attempts still in flight. An untrusted
attempt that queued for a hash slot reads the counts again once it holds one
(``socle.cas.authentication``): attempts sent at the same instant by one address get at most
the bound plus the machine's hash slots (``socle.core.admission``; measured on 2 cores, 40 at
once: 7 checks, against about 16 before that second reading).
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

WINDOW = 15 * 60  # one account from one address; one address; one device entry
ACCOUNT_WINDOW = 60 * 60  # one account from all addresses


@dataclass(frozen=True)
class Limits:
    per_account_and_address: int
    per_account: int  # all addresses together
    per_address: int


def limits() -> Limits:
    return Limits(
        getattr(settings, "SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
        getattr(settings, "SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES", 20),
        getattr(settings, "SOCLE_LOGIN_MAX_FAILURES_PER_ADDRESS", 100),
    )


@dataclass(frozen=True)
class _Keys:
    pair: str
    account: str
    address: str


def login_digest(login: str) -> str:
    """The normalised login's digest: the counters' keys, and the device cookie's entries,
    never hold the login in clear."""
    return hashlib.sha256(login.strip().lower().encode()).hexdigest()[:32]


def _keys(login: str, address: str) -> _Keys:
    digest = login_digest(login)
    return _Keys(
        f"cas:fail:pair:{digest}:{address}", f"cas:fail:account:{digest}", f"cas:fail:ip:{address}"
    )


def _device_key(nonce: str) -> str:
    """The counter of one device cookie entry; the nonce itself never reaches the cache."""
    return f"cas:fail:device:{hashlib.sha256(nonce.encode()).hexdigest()[:32]}"


TRUSTED_FACTOR = 2  # trusted attempts stop at twice the account's bound over all addresses


@dataclass(frozen=True)
class Check:
    throttled: bool
    pair_failures: int  # failures of this login from this address before this attempt
    seconds: int = 0  # when throttled: how long the lock lasts after the last failure counted
    trusted: bool = False  # a valid device cookie entry for this login came with the attempt
    taken: str = ""  # the counter this attempt was counted on in advance ("": none)


def _increment(key: str, window: int) -> int:
    """Adds one to ``key`` (created for ``window`` seconds) and returns the new value, atomically
    in the shared cache (``add`` then ``incr``)."""
    if cache.add(key, 1, window):
        return 1
    try:
        value = int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1
    cache.touch(key, window)  # some backends' incr resets the timeout to the default
    return value


def check(login: str, address: str, device: str | None = None) -> Check:
    """Whether this attempt may be checked (its password hashed) or is throttled.

    ``device``: the nonce of the request's valid device cookie entry for ``login``
    (``socle.cas.device.trusted_nonce``), or None. A trusted attempt is counted in advance on its
    entry (module docstring); :func:`release` gives that back if it is not hashed after all."""
    keys = _keys(login, address)
    bound = limits()
    if device is not None:
        own = _device_key(device)
        counted = _increment(own, WINDOW)
        account = cache.get_many([keys.account]).get(keys.account, 0)
        if counted > bound.per_account_and_address:
            _give_back(own)
            return Check(True, 0, WINDOW, trusted=True)
        if account >= TRUSTED_FACTOR * bound.per_account:
            _give_back(own)
            return Check(True, 0, ACCOUNT_WINDOW, trusted=True)
        return Check(False, 0, trusted=True, taken=own)
    counts = cache.get_many([keys.pair, keys.account, keys.address])
    pair = counts.get(keys.pair, 0)
    if counts.get(keys.account, 0) >= bound.per_account:
        return Check(True, pair, ACCOUNT_WINDOW)
    if pair >= bound.per_account_and_address or counts.get(keys.address, 0) >= bound.per_address:
        return Check(True, pair, WINDOW)
    return Check(False, pair)


def is_throttled(login: str, address: str, device: str | None = None) -> bool:
    """Whether an attempt now would be refused (reads only: nothing is taken)."""
    keys = _keys(login, address)
    bound = limits()
    counts = cache.get_many([keys.pair, keys.account, keys.address])
    if device is not None:
        own = cache.get_many([_device_key(device)]).get(_device_key(device), 0)
        return (
            own >= bound.per_account_and_address
            or counts.get(keys.account, 0) >= TRUSTED_FACTOR * bound.per_account
        )
    return (
        counts.get(keys.account, 0) >= bound.per_account
        or counts.get(keys.pair, 0) >= bound.per_account_and_address
        or counts.get(keys.address, 0) >= bound.per_address
    )


def _give_back(key: str) -> None:
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
        cache.decr(key)


def release(checked: Check) -> None:
    """Gives back the place :func:`check` took for an attempt that was not hashed after all."""
    if checked.taken:
        _give_back(checked.taken)


def _count(key: str, window: int) -> None:
    _increment(key, window)


def record_failure(login: str, address: str, checked: Check | None = None) -> None:
    """Counts a failure. A trusted attempt's own counter (``checked.taken``) already holds it:
    only the account over all addresses is added."""
    keys = _keys(login, address)
    if checked is not None and checked.trusted:
        _count(keys.account, ACCOUNT_WINDOW)
        return
    _count(keys.pair, WINDOW)
    _count(keys.account, ACCOUNT_WINDOW)
    _count(keys.address, WINDOW)


def record_success(login: str, address: str, checked: Check | None = None) -> None:
    """Forgets the login's failures from this address; nothing to do (no round trip) when
    ``checked`` saw none. A trusted attempt's count stays on its entry, which the success
    replaces by a new one."""
    if checked is not None and (checked.trusted or not checked.pair_failures):
        return
    cache.delete(_keys(login, address).pair)


def forget_account(login: str) -> None:
    """Forgets the failures of ``login`` over all addresses (after a new password). The per-address
    counts stay: their keys cannot be found without the address, and they expire within
    :data:`WINDOW`."""
    cache.delete(f"cas:fail:account:{login_digest(login)}")
