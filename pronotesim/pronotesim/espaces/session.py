"""Who is connected to PRONOTE.net, in pronotesim's own session (cookie ``pronotesim_session``).

PRONOTE.net's session lives in the page it serves (each load of an espace starts a new one): a
connection here serves one load of an espace, the one its authentication leads to
(:func:`end_page`); loading the espace again authenticates again — through the ENT's CAS, which
answers at once while the ENT session lasts, and asks for the password once it has ended."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from pronotesim.base.models import PronoteUser

USER_KEY = "pronote_user"
METHOD_KEY = "pronote_method"  # "cas" or "direct"
PREVIOUS_KEY = "pronote_previous_connection"
PENDING_KEY = "pronote_pending"  # an unfinished CAS recognition (impossible / double auth)
FAILURE_KEY = "pronote_cas_failure"  # a refused ticket's failure, shown once without the ticket
ENDED_METHOD_KEY = "pronote_ended_method"  # how the page's session was opened, for its logout
TICKET_KEY = "pronote_cas_ticket"  # single_logout.TICKET_KEY: the ticket that opened it (hashed)

METHOD_CAS = "cas"
METHOD_DIRECT = "direct"


def _forget_user(request: HttpRequest) -> None:
    """Drops the user's keys and changes the session key (no fixation); the SPR's
    administration login, held in the same session, is kept."""
    for key in (USER_KEY, METHOD_KEY, PREVIOUS_KEY, PENDING_KEY, ENDED_METHOD_KEY, TICKET_KEY):
        request.session.pop(key, None)
    request.session.cycle_key()


def connect(request: HttpRequest, user: PronoteUser, method: str) -> None:
    """Opens a fresh session for ``user``."""
    _forget_user(request)
    previous = user.last_connection_at
    request.session[USER_KEY] = user.pronote_id
    request.session[METHOD_KEY] = method
    request.session[PREVIOUS_KEY] = (
        timezone.localtime(previous).strftime("%d/%m/%y %H:%M") if previous else ""
    )
    PronoteUser.objects.filter(pk=user.pk).update(last_connection_at=timezone.now())


def switch_account(request: HttpRequest, user: PronoteUser) -> None:
    """Same CAS authentication, another account of the same ENT identity."""
    request.session[USER_KEY] = user.pronote_id


def current_user(request: HttpRequest) -> PronoteUser | None:
    pronote_id = request.session.get(USER_KEY)
    if not isinstance(pronote_id, str):
        return None
    user = PronoteUser.objects.filter(pronote_id=pronote_id).first()
    if user is None:  # the base was reloaded without this user
        request.session.pop(USER_KEY, None)
    return user


def disconnect(request: HttpRequest) -> None:
    _forget_user(request)


def end_page(request: HttpRequest) -> None:
    """The espace has been served: its session is the page's, not the browser's. How it was
    opened stays, for the page's « Se déconnecter » (through the ENT's logout when by CAS), with
    the ticket that opened it, so that the CAS's single logout ends that too."""
    if USER_KEY in request.session:
        method = request.session.get(METHOD_KEY)
        ticket = request.session.get(TICKET_KEY)
        _forget_user(request)
        if isinstance(method, str):
            request.session[ENDED_METHOD_KEY] = method
        if isinstance(ticket, str):
            request.session[TICKET_KEY] = ticket


def remember_ticket(request: HttpRequest, digest: str) -> None:
    """The (hashed) CAS ticket that opened this session: a ``logoutRequest`` naming it ends
    the session (``single_logout``)."""
    request.session[TICKET_KEY] = digest


def opened_by_cas(request: HttpRequest) -> bool:
    """Whether the session (or the page it served) came from the ENT's CAS."""
    return METHOD_CAS in (request.session.get(METHOD_KEY), request.session.get(ENDED_METHOD_KEY))


def set_pending(request: HttpRequest, data: dict[str, Any]) -> None:
    _forget_user(request)
    request.session[PENDING_KEY] = data


def pending(request: HttpRequest) -> dict[str, Any] | None:
    value = request.session.get(PENDING_KEY)
    return value if isinstance(value, dict) else None


def set_cas_failure(request: HttpRequest, data: dict[str, Any]) -> None:
    request.session[FAILURE_KEY] = data


def pop_cas_failure(request: HttpRequest) -> dict[str, Any] | None:
    value = request.session.pop(FAILURE_KEY, None)
    return value if isinstance(value, dict) else None
