"""Middleware of socle.core."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from socle.core.proxy import client_address, parse_networks


class TrustedProxyMiddleware:
    """Behind a reverse proxy (``SOCLE_BEHIND_TLS_PROXY``), sets ``REMOTE_ADDR`` to the client's
    address taken from ``X-Forwarded-For`` when the request comes from ``SOCLE_TRUSTED_PROXIES``,
    so that login throttling per address and the traces see people, not the proxy. The proxy's
    own address is kept in ``META["SOCLE_PROXY_ADDR"]``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        enabled = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
        self.networks = parse_networks(settings.SOCLE_TRUSTED_PROXIES) if enabled else ()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.networks:
            remote = request.META.get("REMOTE_ADDR", "")
            client = client_address(
                remote, request.META.get("HTTP_X_FORWARDED_FOR", ""), self.networks
            )
            if client != remote:
                request.META["SOCLE_PROXY_ADDR"] = remote
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
