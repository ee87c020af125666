"""CAS single logout, as a CAS client receives it: when the ENT session ends (logout, expiry,
password change), the ENT's CAS POSTs to each service URL it gave a ticket for a form field
``logoutRequest`` holding a SAML 2 ``LogoutRequest`` whose ``SessionIndex`` is that ticket
(CAS protocol 3.0, §2.3.3 and appendix C). pronotesim then ends the session that ticket opened:
a connection between the ticket and its espace's first load, an « Identification impossible »
form or a double-authentication step still pending, and the mark that « Se déconnecter » should
go through the ENT's logout.

The request comes from the CAS server, not the user's browser: it carries no CSRF token, so
:class:`SingleLogoutMiddleware` answers it before the CSRF middleware. It changes nothing but
the sessions holding that ticket, so a forged one can at most end a session whose service
ticket its sender knows. The answer is an empty 200, whatever was found (the CAS ignores it)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from pronotesim.espaces.session import TICKET_KEY
from pronotesim.espaces.urls_util import admin_prefix, prefix
from pronotesim.files.xmlsafe import XmlError, parse_xml

log = logging.getLogger(__name__)

SAMLP2_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
MAX_REQUEST_BYTES = 64 * 1024


def ticket_digest(ticket: str) -> str:
    """What the session keeps of its ticket (never the ticket itself)."""
    return hashlib.sha256(ticket.encode()).hexdigest()


def session_index(logout_request: str) -> str:
    """The ticket named by a ``LogoutRequest``; ``""`` when the text is not one."""
    if not logout_request or len(logout_request) > MAX_REQUEST_BYTES:
        return ""
    try:
        root = parse_xml(logout_request.encode())
    except XmlError:
        return ""
    if root.tag != f"{{{SAMLP2_NS}}}LogoutRequest":
        return ""
    index = root.find(f"{{{SAMLP2_NS}}}SessionIndex")
    return (index.text or "").strip() if index is not None else ""


def end_sessions_of(ticket: str) -> int:
    """Deletes the live sessions opened by ``ticket``; how many. A test double's scan: each
    espace load ends its session, so few are alive at a time."""
    digest = ticket_digest(ticket)
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(TICKET_KEY) == digest
    ]
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def is_logout_request(request: HttpRequest) -> bool:
    return (
        request.method == "POST"
        and request.path.startswith(prefix())
        and not request.path.startswith(admin_prefix())
        and "logoutRequest" in request.POST
    )


class SingleLogoutMiddleware:
    """Answers the CAS's back-channel ``logoutRequest`` at any PRONOTE.net address (the service
    URL the ticket was issued for: the page commune or an espace)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_logout_request(request):
            return self.get_response(request)
        ticket = session_index(request.POST.get("logoutRequest", ""))
        if ticket:
            ended = end_sessions_of(ticket)
            log.info("CAS single logout: %s session(s) ended", ended)
        else:
            log.info("CAS single logout: unreadable logoutRequest ignored")
        return HttpResponse(status=200, content_type="text/plain")
