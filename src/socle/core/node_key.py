"""Do the nodes sign with the same secret key? Said once at each ``socle serve`` start.

Two nodes given different ``SOCLE_SECRET_KEY`` values (a key drawn on each node, a file copied
to one node only) serve without an error anywhere: each node empties the portal sessions the
other opened and refuses its first-connection links, and nothing said why (tried on two nodes:
« Mon espace » on one, the home page of a visitor on the other, no log line). Each start
records a fingerprint of its key in the shared cache (Redis, or the database cache table) and
compares it first with the one the previous start left: one that is neither this node's key nor
one of its former keys (``SOCLE_SECRET_KEY_FALLBACKS``…) is another key. The fingerprint is an
HMAC of a constant under the key: it does not let anyone find or test the key. A rotation done
as docs/deployment.md says ("Rotating secrets") keeps each key among the other nodes' keys or
former keys, and says nothing.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

CACHE_KEY = "socle:secret-key-fingerprint"


def fingerprint(key: str) -> str:
    return hmac.new(key.encode(), b"socle: the nodes' secret key", hashlib.sha256).hexdigest()[:32]


def another_key_at_start() -> bool:
    """Whether the previous start recorded a key this node neither signs with nor keeps as a
    former key; records this node's key. ``False`` when the cache cannot be reached (the
    node's other start lines say so)."""
    from django.core.cache import cache

    mine = fingerprint(str(settings.SECRET_KEY))
    known = {mine, *(fingerprint(str(key)) for key in settings.SECRET_KEY_FALLBACKS)}
    try:
        previous = cache.get(CACHE_KEY)
        cache.set(CACHE_KEY, mine, timeout=None)
    except Exception:  # noqa: BLE001 - Redis or the cache table unreachable: not this check's to say
        return False
    return isinstance(previous, str) and previous not in known
