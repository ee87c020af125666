"""Middleware of socle.core."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from socle.core.proxy import Network, forwarded_client, is_trusted, parse_networks

logger = logging.getLogger("socle.core")


class TrustedProxyMiddleware:
    """Behind a reverse proxy (``SOCLE_BEHIND_TLS_PROXY``), believes the proxy headers only from
    ``SOCLE_TRUSTED_PROXIES``: sets ``REMOTE_ADDR`` to the client's address taken from
    ``X-Forwarded-For``, so that login throttling per address and the traces see people, not
    the proxy (its own address is kept in ``META["SOCLE_PROXY_ADDR"]``), and removes
    ``X-Forwarded-Proto`` sent by anyone else (:func:`apply_trusted_proxy`). First in the
    chain: nothing before it reads either header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.networks = trusted_networks()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        apply_trusted_proxy(request.META, self.networks)
        return self.get_response(request)


class TrustedNetworks(tuple[Network, ...]):
    """``SOCLE_TRUSTED_PROXIES`` behind the TLS proxy, and which direct peers are among them,
    remembered: one dictionary lookup per request instead of parsing its address (the hot
    paths' cost). At most :data:`REMEMBERED` peers; the memory starts again beyond (the
    node reached directly by many clients)."""

    REMEMBERED = 4096
    known: dict[str, bool]
    told: set[str]

    def __new__(cls, networks: tuple[Network, ...] = ()) -> TrustedNetworks:
        made = super().__new__(cls, networks)
        made.known = {}
        made.told = set()
        return made

    def ignored_proto(self, peer: str) -> None:
        """Logs, once per peer (within the same bound), that its ``X-Forwarded-Proto`` was
        removed: a TLS proxy missing from ``SOCLE_TRUSTED_PROXIES`` otherwise shows only as
        refused forms (CSRF: the browser's https origin against a request taken for http)."""
        if peer in self.told:
            return
        if len(self.told) >= self.REMEMBERED:
            self.told.clear()
        self.told.add(peer)
        logger.warning(
            "X-Forwarded-Proto from %s ignored: not in SOCLE_TRUSTED_PROXIES (if it is the TLS "
            "proxy, list it there; otherwise a client reaches the node around the proxy)",
            peer,
        )

    def trust(self, peer: str) -> bool:
        known = self.known.get(peer)
        if known is None:
            if len(self.known) >= self.REMEMBERED:
                self.known.clear()
            known = self.known[peer] = is_trusted(peer, self)
        return known


def trusted_networks() -> TrustedNetworks | None:
    """The proxies whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed; ``None``
    unless behind the TLS proxy (Django then reads neither)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None:
        return None
    return TrustedNetworks(parse_networks(settings.SOCLE_TRUSTED_PROXIES))


def apply_trusted_proxy(meta: MutableMapping[str, Any], networks: TrustedNetworks | None) -> None:
    """What :class:`TrustedProxyMiddleware` does to ``request.META`` (or a WSGI environ):
    from a trusted proxy, the client's address of ``X-Forwarded-For`` in ``REMOTE_ADDR``; from
    any other direct peer, ``X-Forwarded-Proto`` removed, so that Django's
    ``SECURE_PROXY_SSL_HEADER`` never takes a client's word that it came over https
    (``request.is_secure()``: CSRF's referer check, absolute addresses)."""
    if networks is None:
        return
    remote = meta.get("REMOTE_ADDR", "")
    if not networks.trust(remote):
        if meta.pop("HTTP_X_FORWARDED_PROTO", None) is not None:
            networks.ignored_proto(remote)
        return
    client = forwarded_client(remote, meta.get("HTTP_X_FORWARDED_FOR", ""), networks)
    if client != remote:
        meta["SOCLE_PROXY_ADDR"] = remote
        meta["REMOTE_ADDR"] = client


def client_address_of(meta: Mapping[str, Any]) -> str:
    """The client's address of a request whose ``META`` (or WSGI environ) went through
    :func:`apply_trusted_proxy`: ``REMOTE_ADDR`` ("" when the server gave none).

    The one rule for every reader (login throttling, traces, the WSGI fast paths):
    ``X-Forwarded-For`` (as ``X-Forwarded-Proto``) counts only when the request came from one
    of ``SOCLE_TRUSTED_PROXIES`` behind the TLS proxy, and :func:`apply_trusted_proxy` has then
    put the client's address in ``REMOTE_ADDR``. Nobody reads the header itself: from any other
    sender it is the client's own claim (a throttle keyed on it would be escaped by changing it
    at each attempt)."""
    return str(meta.get("REMOTE_ADDR") or "")
