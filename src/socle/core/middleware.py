"""Middleware of socle.core."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from socle.core.proxy import Network, client_address, parse_networks


class TrustedProxyMiddleware:
    """Behind a reverse proxy (``SOCLE_BEHIND_TLS_PROXY``), sets ``REMOTE_ADDR`` to the client's
    address taken from ``X-Forwarded-For`` when the request comes from ``SOCLE_TRUSTED_PROXIES``,
    so that login throttling per address and the traces see people, not the proxy. The proxy's
    own address is kept in ``META["SOCLE_PROXY_ADDR"]``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.networks = trusted_networks()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        apply_trusted_proxy(request.META, self.networks)
        return self.get_response(request)


def trusted_networks() -> tuple[Network, ...]:
    """The proxies whose ``X-Forwarded-For`` is believed (none unless behind the TLS proxy)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None:
        return ()
    return parse_networks(settings.SOCLE_TRUSTED_PROXIES)


def apply_trusted_proxy(meta: MutableMapping[str, Any], networks: tuple[Network, ...]) -> None:
    """What :class:`TrustedProxyMiddleware` does to ``request.META`` (or a WSGI environ)."""
    if not networks:
        return
    remote = meta.get("REMOTE_ADDR", "")
    client = client_address(remote, meta.get("HTTP_X_FORWARDED_FOR", ""), networks)
    if client != remote:
        meta["SOCLE_PROXY_ADDR"] = remote
        meta["REMOTE_ADDR"] = client


def client_address_of(meta: Mapping[str, Any]) -> str:
    """The client's address of a request whose ``META`` (or WSGI environ) went through
    :func:`apply_trusted_proxy`: ``REMOTE_ADDR`` ("" when the server gave none).

    The one rule for every reader (login throttling, traces, the WSGI fast paths):
    ``X-Forwarded-For`` counts only when the request came from one of ``SOCLE_TRUSTED_PROXIES``
    behind the TLS proxy, and :func:`apply_trusted_proxy` has then put the client's address in
    ``REMOTE_ADDR``. Nobody reads the header itself: from any other sender it is the client's
    own claim (a throttle keyed on it would be escaped by changing it at each attempt)."""
    return str(meta.get("REMOTE_ADDR") or "")
