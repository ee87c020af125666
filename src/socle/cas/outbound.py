"""Server-to-server calls the CAS makes: proxy callbacks (§2.5.4) and single logout (§2.3.3).

Both use short timeouts and never raise: a service that is down must not break a login or a
logout. Neither sends a redirect-following request. Neither connects to an internal address
(loopback, private, link-local…: socle.core.addresses) unless ``SOCLE_CAS_OUTBOUND_PRIVATE`` is
on: the host is resolved once, every address checked, and the connection opened to a checked
address (no second lookup a rebinding DNS could answer differently). TLS still checks the
certificate against the host name.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from socle.cas.saml import render_logout_request
from socle.cas.tickets.base import IssuedTicket
from socle.core.addresses import is_internal

logger = logging.getLogger("socle.cas")
TIMEOUT = 3.0
MAX_LOGOUT_REQUESTS = 100


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class InternalAddressRefused(OSError):
    """The host resolves to an internal address and ``SOCLE_CAS_OUTBOUND_PRIVATE`` is off."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to internal address {address}")
        self.host, self.address = host, address


def _checked_connection(
    address: tuple[str, int],
    timeout: float | None = None,
    source_address: tuple[str, int] | None = None,
    *args: object,
) -> socket.socket:
    """socket.create_connection, but to addresses checked once resolved."""
    host, port = address
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not settings.SOCLE_CAS_OUTBOUND_PRIVATE:
        for info in infos:
            ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if is_internal(ip):
                raise InternalAddressRefused(host, str(ip))
    error: OSError | None = None
    for family, type_, proto, _name, sockaddr in infos:
        sock = socket.socket(family, type_, proto)
        try:
            sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"no address for {host}")


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        extra: dict[str, Any] = {"context": getattr(self, "_context", None)}
        check_hostname = getattr(self, "_check_hostname", None)  # Python < 3.12 only
        if check_hostname is not None:
            extra["check_hostname"] = check_hostname
        return self.do_open(_CheckedHTTPSConnection, req, **extra)


# No proxy from the environment: the check must apply to the service's own address.
_opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), _NoRedirect, _CheckedHTTPHandler, _CheckedHTTPSHandler
)


def _refused(exc: BaseException, what: str) -> bool:
    """Logs a refused internal address at WARNING (host and address only, never the ticket)."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, InternalAddressRefused):
        logger.warning(
            "%s refused: %s resolves to internal address %s (SOCLE_CAS_OUTBOUND_PRIVATE is off)",
            what,
            reason.host,
            reason.address,
        )
        return True
    return False


def deliver_pgt(pgt_url: str, pgt_id: str, pgt_iou: str) -> bool:
    """GET ``pgtUrl?pgtId=…&pgtIou=…``; True only on HTTP 200. The callback's own parameters are
    kept (§2.5.4); a fragment is dropped (it is never sent: the two parameters after it were)."""
    parts = urllib.parse.urlsplit(pgt_url)
    added = urllib.parse.urlencode({"pgtId": pgt_id, "pgtIou": pgt_iou})
    query = f"{parts.query}&{added}" if parts.query else added
    url = urllib.parse.urlunsplit(parts._replace(query=query, fragment=""))
    try:
        with _opener.open(url, timeout=TIMEOUT) as response:  # noqa: S310 (https checked)
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError) as exc:
        _refused(exc, "proxy callback")
        return False


def _post_logout(ticket: IssuedTicket) -> bool:
    body = urllib.parse.urlencode(
        {"logoutRequest": render_logout_request(ticket.id, issue_instant=timezone.now())}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (registered service URL)
        ticket.service_url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with _opener.open(request, timeout=TIMEOUT):
            return True
    except urllib.error.HTTPError:
        return True  # the service answered (it may not know the ticket any more)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        if not _refused(exc, "single logout"):
            logger.info("single logout to a service failed: %s", type(exc).__name__)
        return False


def _bounded(tickets: list[IssuedTicket]) -> list[IssuedTicket]:
    """The most recent :data:`MAX_LOGOUT_REQUESTS` tickets of a session, newest first: a
    session that opened a service thousands of times must not hold a thread for hours."""
    newest = sorted(tickets, key=lambda t: t.created_at, reverse=True)
    return newest[:MAX_LOGOUT_REQUESTS]


def send_single_logout(tickets: Iterable[IssuedTicket], *, wait: bool = False) -> None:
    """POSTs a LogoutRequest for each ticket (at most :data:`MAX_LOGOUT_REQUESTS`, newest
    first), in a background thread (or inline if ``wait``). A host that does not answer is not
    tried again for the other tickets of the same logout (each try may wait ``TIMEOUT``)."""
    batch = _bounded(list(tickets))
    if not batch:
        return

    def run() -> None:
        unreachable: set[str] = set()
        for ticket in batch:
            host = urllib.parse.urlsplit(ticket.service_url).netloc
            if host in unreachable:
                continue
            if not _post_logout(ticket):
                unreachable.add(host)

    if wait:
        run()
    else:
        threading.Thread(target=run, name="cas-slo", daemon=True).start()
