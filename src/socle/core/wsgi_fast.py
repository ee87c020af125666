"""WSGI fast paths: answering a few hot requests before Django's handler, exactly as it would.

Through Django's handler, building the request and response objects, the middleware, URL
resolution and the rest of the handler cost more CPU than a ticket validation or an SSO hop
itself (docs/benchmarks/analysis.md). A :class:`FastPath` sits in front of a Django handler (its
``fallback``) and asks a ``prepare`` function, written by the app that owns the URLs
(``socle.cas.fastpath``, ``socle.cas.fasthop``), whether it can answer a request:

- ``prepare(environ, client_ip)`` reads only the request (nothing from a store) and returns the
  work to do, or raises :class:`Fallback`: Django then answers, as if the fast path did not
  exist;
- the work runs between the ``request_started`` and ``request_finished`` signals (the database
  connections' lifecycle: ``CONN_MAX_AGE``, health checks) and returns a :class:`Reply`, or
  raises :class:`Fallback` when it finds, before any side effect, that the answer is a page
  only Django renders.

What the fast path keeps from Django, so that both answer the same: the query string decoded
as ``QueryDict`` does (:func:`query`), the client's address as the trusted-proxy middleware
gives it, and the headers the middleware of the chain add to every answer, taken from those
middleware themselves at start-up (:func:`middleware_headers`). A fast path steps aside
entirely when the security settings ask for per-request work (``SECURE_SSL_REDIRECT``, HSTS).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core import signals
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from socle.core.middleware import apply_trusted_proxy, trusted_networks

logger = logging.getLogger("socle.core")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]
Headers = list[tuple[str, str]]


class Fallback(Exception):
    """This request is Django's to answer."""


@dataclass(frozen=True)
class Reply:
    status: str  # "200 OK"
    headers: Headers  # those of this answer (Content-Type, Location…)
    body: bytes = b""


Work = Callable[[], Reply]
Prepare = Callable[[Environ, str], Work]


def middleware_headers(paths: Sequence[str]) -> Headers:
    """The headers these middleware (those of ``settings.MIDDLEWARE`` only) add to an answer,
    taken from the middleware themselves on an empty answer."""
    response = HttpResponse()
    before = set(response.headers)
    for path in paths:
        if path in settings.MIDDLEWARE:
            middleware = import_string(path)(lambda request: response)
            middleware.process_response(HttpRequest(), response)
    return [(name, value) for name, value in response.headers.items() if name not in before]


def allowed() -> bool:
    """Whether the security settings leave nothing per request to Django's middleware."""
    return not getattr(settings, "SECURE_SSL_REDIRECT", False) and not getattr(
        settings, "SECURE_HSTS_SECONDS", 0
    )


def query(environ: Environ) -> dict[str, str]:
    """The query string as ``request.GET`` reads it (the last value of a repeated name)."""
    try:
        raw = environ.get("QUERY_STRING", "").encode("iso-8859-1")
    except UnicodeEncodeError:
        raise Fallback from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        )
    except ValueError:  # too many fields: Django answers 400
        raise Fallback from None
    return dict(pairs)


INTERNAL = b"Erreur interne du serveur."


class FastPath:
    """A WSGI application: ``prepare``'s answer when it has one, ``fallback``'s otherwise."""

    def __init__(
        self,
        fallback: WSGIApp,
        prepare: Prepare,
        *,
        enabled: bool,
        headers: Headers,
        client_ip: Callable[[dict[str, Any]], str],
    ) -> None:
        self.fallback = fallback
        self.prepare = prepare
        self.enabled = enabled and allowed()
        self.headers = headers  # added to every answer (middleware, no-store)
        self.client_ip = client_ip
        self.networks = trusted_networks()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if not self.enabled:
            return self.fallback(environ, start_response)
        meta: dict[str, Any] = {
            k: environ[k] for k in ("REMOTE_ADDR", "HTTP_X_FORWARDED_FOR") if k in environ
        }
        apply_trusted_proxy(meta, self.networks)
        try:
            work = self.prepare(environ, self.client_ip(meta))
        except Fallback:
            return self.fallback(environ, start_response)
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            reply = work()
        except Fallback:
            signals.request_finished.send(sender=self.__class__)
            return self.fallback(environ, start_response)
        except Exception:  # the work catches its own refusals: this is a bug
            logger.exception("fast path failed")
            signals.request_finished.send(sender=self.__class__)
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [INTERNAL]
        signals.request_finished.send(sender=self.__class__)
        # As the middleware does to Django's requests: the access log (gunicorn reads
        # REMOTE_ADDR from the environ) names the client, not the proxy, for these answers too.
        environ.update(meta)
        headers = [*reply.headers, ("Content-Length", str(len(reply.body))), *self.headers]
        start_response(reply.status, headers)
        return [reply.body]
