"""Server-to-server calls the CAS makes: proxy callbacks (§2.5.4) and single logout (§2.3.3).

Both use short timeouts and never raise: a service that is down must not break a login or a
logout. Neither sends a redirect-following request.
"""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable

from django.utils import timezone

from socle.cas.saml import render_logout_request
from socle.cas.tickets.base import IssuedTicket

logger = logging.getLogger("socle.cas")
TIMEOUT = 3.0
MAX_LOGOUT_REQUESTS = 100


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def deliver_pgt(pgt_url: str, pgt_id: str, pgt_iou: str) -> bool:
    """GET ``pgtUrl?pgtId=…&pgtIou=…``; True only on HTTP 200."""
    separator = "&" if urllib.parse.urlsplit(pgt_url).query else "?"
    url = pgt_url + separator + urllib.parse.urlencode({"pgtId": pgt_id, "pgtIou": pgt_iou})
    try:
        with _opener.open(url, timeout=TIMEOUT) as response:  # noqa: S310 (https checked)
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
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
