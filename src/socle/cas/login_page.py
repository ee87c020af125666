"""The login form, rendered once and reused for the next visitors who would get the same page.

At a surge the form is served before every login, and rendering it (base template, i18n,
the CSRF token) cost about a millisecond, 3 % of a whole login (docs/benchmarks/analysis.md).
A page is reused only when nothing in it depends on the visitor: an unbound form, no Django
session or messages cookie (so no user name, admin menu or message in the page), the same
language, host, service and hidden fields. The CSRF token, the one part that differs, is cut out
of the stored page and the visitor's own token put back in. At most :data:`MAX_PAGES` pages per
process, each kept :data:`TTL` seconds (a service's new label shows within that time).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

MAX_PAGES = 512
TTL = 60.0
HOLE = "\x00csrf-token\x00"  # never produced by a template (escaping would not let it through)
_TOKEN_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")([^"]+)(")')

Key = tuple[str, ...]
_pages: dict[Key, tuple[float, str]] = {}
_lock = threading.Lock()


def page_key(request: HttpRequest, language: str, service_id: str, hidden: dict[str, str]) -> Key:
    """The key of the page this request would get, or ``()`` when it must be rendered."""
    cookies = request.COOKIES
    if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in cookies:
        return ()
    if "messages" in cookies:
        return ()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return ()
    fields = tuple(f"{name}={value}" for name, value in sorted(hidden.items()))
    return (language, request.get_host(), service_id, *fields)


def reuse_or_render(
    key: Key, request: HttpRequest, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """A stored page with this visitor's CSRF token, or ``render()`` (stored for the next)."""
    now = time.monotonic()
    stored = _pages.get(key) if key else None
    if stored is not None and now - stored[0] < TTL:
        return HttpResponse(stored[1].replace(HOLE, get_token(request)))
    response = render()
    if key and response.status_code == 200:
        html = response.content.decode()
        holed, fields = _TOKEN_FIELD.subn(rf"\g<1>{HOLE}\g<3>", html)
        if fields == 1:  # exactly the form's hidden field
            with _lock:
                if len(_pages) >= MAX_PAGES:
                    _pages.clear()
                _pages[key] = (now, holed)
    return response


def forget_all() -> None:
    with _lock:
        _pages.clear()
