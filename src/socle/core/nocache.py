"""``no_store``: Django's ``never_cache`` with the final headers written at once; and
:class:`LoggedInNoStoreMiddleware`, which gives the same headers to every answer to a logged-in
person whose view did not choose its caching.

``never_cache`` reaches its headers through ``patch_response_headers`` and two
``patch_cache_control`` calls, each parsing and re-joining ``Cache-Control``, and formats the
current date for ``Expires``: about 4 % of a validation's CPU in-process
(docs/benchmarks/analysis.md). On a response that has no ``Cache-Control`` yet (every CAS
answer), :func:`no_store` sets the value ``never_cache`` would end with, and an ``Expires`` in the
past (RFC 9111 §5.3: any past date means already stale). A response that already carries
``Cache-Control`` goes through Django's ``add_never_cache_headers``, which merges.

Every answer marked so also gets ``Pragma: no-cache``: the CAS 3.0 specification (Appendix B)
lists it with ``Cache-Control: no-store`` and a past ``Expires``, for HTTP/1.0 caches that read
nothing else (RFC 9111 §5.4 keeps it for them). A cached validation answer replayed by such a
proxy would hand a spent ticket's user name and attributes to whoever asks again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

CACHE_CONTROL = "max-age=0, no-cache, no-store, must-revalidate, private"
EXPIRED = "Thu, 01 Jan 1970 00:00:00 GMT"
PRAGMA = "no-cache"

View = Callable[..., HttpResponseBase]


def mark_no_store(response: HttpResponseBase) -> HttpResponseBase:
    """Marks ``response`` as never to be cached (``never_cache``'s headers and ``Pragma``)."""
    headers = response.headers
    if "Cache-Control" in headers:
        add_never_cache_headers(response)
    else:
        headers["Cache-Control"] = CACHE_CONTROL
        if "Expires" not in headers:
            headers["Expires"] = EXPIRED
    headers["Pragma"] = PRAGMA
    return response


def no_store(view: View) -> View:
    """Marks every answer of ``view`` as never to be cached (same headers as ``never_cache``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return mark_no_store(view(request, *args, **kwargs))

    return wrapper


class LoggedInNoStoreMiddleware:
    """Every answer to a logged-in person is ``no-store`` unless its view chose its own
    ``Cache-Control`` (an icon's ``public, max-age=3600``, ``never_cache``): a page of the
    portal, the administration or the PRONOTE connector holds personal data, and a browser may
    otherwise show it again with « Précédent » after logout on a shared computer.

    Visitors' answers are left alone (« Mon espace » of a visitor, the anonymous services), and
    so are the static files, which WhiteNoise serves before this middleware. It needs
    ``request.user``: it comes after ``AuthenticationMiddleware`` in ``settings.MIDDLEWARE``.
    The CAS's lean chains (``socle.cas.lean``) leave it out; their views and fast paths send
    ``no-store`` themselves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Cache-Control" not in response.headers:
            user = getattr(request, "user", None)  # after logout: the visitor, left alone
            if user is not None and user.is_authenticated:
                mark_no_store(response)
        return response
