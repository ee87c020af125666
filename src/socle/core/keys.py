"""The secret keys that verify what Socle signed: the current one, then the former ones.

After a rotation (docs/deployment.md, "Rotating secrets") ``SECRET_KEY`` signs everything new
and ``SECRET_KEY_FALLBACKS`` (``SOCLE_SECRET_KEY_FALLBACKS``) still verifies what was signed
before. Django's signing, sessions and login hashes read both by themselves; Socle's own keyed
digests compared at a later request (activation codes, device cookies) go through
:func:`matches_under_any_key`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from django.conf import settings


def verifying_keys() -> tuple[str, ...]:
    """``SECRET_KEY`` first, then the fallbacks in their order."""
    return (str(settings.SECRET_KEY), *(str(key) for key in settings.SECRET_KEY_FALLBACKS))


def matches_under_any_key(stored: str, digest: Callable[[str], str]) -> bool:
    """Whether ``stored`` equals ``digest(key)`` for one of :func:`verifying_keys` (each compare
    in constant time; with no fallback, one digest as before)."""
    return any(hmac.compare_digest(stored, digest(key)) for key in verifying_keys())
