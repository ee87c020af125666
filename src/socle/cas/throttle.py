"""Login throttling per account and per client address, in the shared Django cache.

A failure counter per key lives for ``WINDOW`` seconds; past the limit, attempts are refused
without checking the password. The same French message is shown for unknown and known accounts,
so the throttle tells nothing about which logins exist.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

WINDOW = 15 * 60


def _limits() -> tuple[int, int]:
    return (
        getattr(settings, "SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
        getattr(settings, "SOCLE_LOGIN_MAX_FAILURES_PER_ADDRESS", 100),
    )


def _keys(login: str, address: str) -> tuple[str, str]:
    digest = hashlib.sha256(login.strip().lower().encode()).hexdigest()[:32]
    return f"cas:fail:acct:{digest}", f"cas:fail:ip:{address}"


@dataclass(frozen=True)
class Check:
    throttled: bool
    account_failures: int  # failures of this login in the window, as read by the check


def check(login: str, address: str) -> Check:
    account_key, address_key = _keys(login, address)
    per_account, per_address = _limits()
    counts = cache.get_many([account_key, address_key])
    failures = counts.get(account_key, 0)
    return Check(failures >= per_account or counts.get(address_key, 0) >= per_address, failures)


def is_throttled(login: str, address: str) -> bool:
    return check(login, address).throttled


def record_failure(login: str, address: str) -> None:
    for key in _keys(login, address):
        if cache.add(key, 1, WINDOW):
            continue
        try:
            cache.incr(key)
            cache.touch(key, WINDOW)  # some backends' incr resets the timeout to the default
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW)


def record_success(login: str, checked: Check | None = None) -> None:
    """Forgets the login's failures; nothing to do (no round trip) when ``checked`` saw none."""
    if checked is not None and not checked.account_failures:
        return
    cache.delete(_keys(login, "")[0])
