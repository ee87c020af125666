"""``no_store``: Django's ``never_cache`` with the final headers written at once.

``never_cache`` reaches its headers through ``patch_response_headers`` and two
``patch_cache_control`` calls, each parsing and re-joining ``Cache-Control``, and formats the
current date for ``Expires``: about 4 % of a validation's CPU in-process
(docs/benchmarks/analysis.md). On a response that has no ``Cache-Control`` yet (every CAS
answer), :func:`no_store` sets the value ``never_cache`` would end with, and an ``Expires`` in the
past (RFC 9111 §5.3: any past date means already stale). A response that already carries
``Cache-Control`` goes through Django's ``add_never_cache_headers``, which merges.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

CACHE_CONTROL = "max-age=0, no-cache, no-store, must-revalidate, private"
EXPIRED = "Thu, 01 Jan 1970 00:00:00 GMT"

View = Callable[..., HttpResponseBase]


def no_store(view: View) -> View:
    """Marks every answer of ``view`` as never to be cached (same headers as ``never_cache``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        headers = response.headers
        if "Cache-Control" in headers:
            add_never_cache_headers(response)
        else:
            headers["Cache-Control"] = CACHE_CONTROL
            if "Expires" not in headers:
                headers["Expires"] = EXPIRED
        return response

    return wrapper
