"""A WSGI fast path for plain ticket validations, in front of the validation chain.

A validation is a machine-to-machine call whose answer ``socle.cas.answers`` computes from a few
query parameters (or a SOAP body for SAML). Through Django's handler, building the request and
response objects, the middleware, URL resolution and the rest of the handler cost more CPU than
the validation itself (measured in-process: 0.36 ms against 0.16 ms for a ``p3/serviceValidate``,
docs/benchmarks/analysis.md). :class:`FastValidation` answers the common forms directly:

- ``GET`` on ``/cas/validate``, ``/cas/serviceValidate``, ``/cas/proxyValidate`` and their
  ``/cas/p3/`` forms;
- ``POST`` with a ``Content-Length`` on ``/cas/samlValidate`` (and PRONOTE's
  ``/cas/saml/Validate`` in any case).

Everything else (another method, a form body, a query string Django would refuse, a chunked
body, ``/cas/proxy``) goes to ``fallback``, the Django handler of the validation chain, as does
every request when ``SOCLE_CAS_FAST_VALIDATION`` is off or when the security settings ask for
what only Django's ``SecurityMiddleware`` does per request (``SECURE_SSL_REDIRECT``, HSTS).

What it keeps from Django, so that both paths answer byte for byte the same
(tests/cas/test_fastpath.py): the answer itself (``socle.cas.answers``, shared with the views),
the query string decoded as ``QueryDict`` does, the client's address as the trusted-proxy
middleware and ``client_ip`` give it, the headers ``SecurityMiddleware`` and ``no_store`` add
(computed once, by Django's own middleware), and the ``request_started`` / ``request_finished``
signals, which keep the database connections' lifecycle (``CONN_MAX_AGE``, health checks).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core import signals
from django.http import HttpRequest, HttpResponse

from socle.cas import answers, saml
from socle.cas.lean import SAML_ALIAS
from socle.cas.views.common import client_ip_of
from socle.core.middleware import apply_trusted_proxy, trusted_networks
from socle.core.nocache import CACHE_CONTROL, EXPIRED

logger = logging.getLogger("socle.cas")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]
Params = answers.Params

SECURITY = "django.middleware.security.SecurityMiddleware"
SAML_PATH = "/cas/samlValidate"
# path → (proxy tickets accepted, attributes released); None for CAS 1
GET_ROUTES: dict[str, tuple[bool, bool] | None] = {
    "/cas/validate": None,
    "/cas/serviceValidate": (False, False),
    "/cas/proxyValidate": (True, False),
    "/cas/p3/serviceValidate": (False, True),
    "/cas/p3/proxyValidate": (True, True),
}


class Fallback(Exception):
    """This request is Django's to answer."""


def security_headers() -> list[tuple[str, str]]:
    """The headers Django's ``SecurityMiddleware`` adds to an answer, taken from it."""
    if SECURITY not in settings.MIDDLEWARE:
        return []
    from django.middleware.security import SecurityMiddleware

    response = HttpResponse()
    before = set(response.headers)
    SecurityMiddleware(lambda request: response).process_response(HttpRequest(), response)
    return [(name, value) for name, value in response.headers.items() if name not in before]


def enabled() -> bool:
    return bool(
        getattr(settings, "SOCLE_CAS_FAST_VALIDATION", True)
        and not getattr(settings, "SECURE_SSL_REDIRECT", False)
        and not getattr(settings, "SECURE_HSTS_SECONDS", 0)
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


def saml_body(environ: Environ) -> bytes:
    """At most one byte past the SAML size limit, as the view reads it."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        raise Fallback from None
    if length < 0:
        raise Fallback
    stream = environ["wsgi.input"]
    return bytes(stream.read(min(length, saml.MAX_REQUEST_BYTES + 1)))


def prepare(environ: Environ, ip: str) -> Callable[[], answers.Answer]:
    """How to answer a request the fast path takes (reading nothing from a store yet), or
    :class:`Fallback`."""
    method = environ.get("REQUEST_METHOD", "")
    path = environ.get("PATH_INFO", "")
    if method == "GET" and path in GET_ROUTES:
        lookup: Params = query(environ).get
        route = GET_ROUTES[path]
        if route is None:
            return lambda: answers.cas1(lookup, ip)
        proxy, with_attributes = route
        return lambda: answers.cas2(lookup, ip, proxy=proxy, with_attributes=with_attributes)
    if method == "POST" and (path == SAML_PATH or path.lower() == SAML_ALIAS):
        fields = query(environ)
        target = fields.get("TARGET") or fields.get("service") or ""
        body = saml_body(environ)
        return lambda: answers.saml_validation(body, target, ip)
    raise Fallback


INTERNAL = b"Erreur interne du serveur CAS."


class FastValidation:
    """The WSGI application of the validation route (see the module docstring)."""

    def __init__(self, fallback: WSGIApp) -> None:
        self.fallback = fallback
        self.enabled = enabled()
        self.networks = trusted_networks()
        self.headers = [
            *security_headers(),
            ("Cache-Control", CACHE_CONTROL),
            ("Expires", EXPIRED),
        ]

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if not self.enabled:
            return self.fallback(environ, start_response)
        meta: dict[str, Any] = {
            k: environ[k] for k in ("REMOTE_ADDR", "HTTP_X_FORWARDED_FOR") if k in environ
        }
        apply_trusted_proxy(meta, self.networks)
        try:
            compute = prepare(environ, client_ip_of(meta))
        except Fallback:
            return self.fallback(environ, start_response)
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            result = compute()
        except Exception:  # answers catch their own failures: this is a bug, not a refusal
            logger.exception("fast validation failed")
            start_response("500 Internal Server Error", [("Content-Type", answers.TEXT)])
            return [INTERNAL]
        finally:
            signals.request_finished.send(sender=self.__class__)
        body = result.encoded()
        headers = [
            ("Content-Type", result.content_type),
            ("Content-Length", str(len(body))),
            *self.headers,
        ]
        start_response("200 OK", headers)
        return [body]
