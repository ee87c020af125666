"""A second Django handler with a short middleware chain, for the requests that need no more.

Every request through Django crosses the whole ``MIDDLEWARE`` list. CAS ticket validations are
machine-to-machine calls and an SSO hop ends in a redirect: neither uses language negotiation,
messages or the common middleware, which together cost about a tenth of their server time
(docs/benchmarks/analysis.md). :class:`Router` asks a function which route a request takes and
sends it to the :class:`LeanHandler` of that route, built with a shorter list (same settings,
URLs and views), or to Django's usual handler when there is none. The routes live with the app
whose URLs they know (``socle.cas.lean``); ``socle.wsgi`` puts them together.

``LeanHandler.load_middleware`` is Django's ``BaseHandler.load_middleware`` for synchronous
middleware, reading a given list instead of ``settings.MIDDLEWARE`` (Django has no parameter for
it): the same chain-building rules, written out in a dozen lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.utils.module_loading import import_string

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class LeanHandler(WSGIHandler):
    """Django's WSGI handler with ``middleware`` instead of ``settings.MIDDLEWARE``."""

    def __init__(self, middleware: Sequence[str]) -> None:
        self.middleware_paths = tuple(middleware)
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        if is_async:
            raise ImproperlyConfigured("LeanHandler is for WSGI (synchronous) only.")
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(self.middleware_paths):
            middleware = import_string(path)(handler)
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler


class Router:
    """The WSGI application: ``lean[route(environ)]`` for a request with a route, else ``full``."""

    def __init__(
        self,
        full: WSGIApp,
        lean: Mapping[str, WSGIApp],
        route: Callable[[Environ], str | None],
    ) -> None:
        self.full = full
        self.lean = dict(lean)
        self.route = route

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        kind = self.route(environ)
        handler = self.full if kind is None else self.lean[kind]
        return handler(environ, start_response)
