"""What follows an authentication at ``/cas/login``: the single sign-on session, the portal's
Django session, the « Connexion » trace, then the service with a ticket (or the page after login).

One code path for the two ways a person authenticates: the password typed in the login form
(``views.login``), and the hand-over of an account whose password was just chosen on the
first-connection page (``socle.directory.handover``), which is not asked again.
"""

from __future__ import annotations

from django.contrib.auth import login as django_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from socle.cas.middleware import SESSION_KEY
from socle.cas.services import without_ticket
from socle.cas.sso import (
    AccessDenied,
    append_ticket,
    end_session,
    issue_service_ticket,
    maybe_purge,
)
from socle.cas.tickets import get_store
from socle.cas.tickets.base import Session, SessionEnded
from socle.cas.views import warn
from socle.cas.views.common import client_ip, flag, page, set_tgc
from socle.directory.models import Person
from socle.portal.access_cache import PersonFacts
from socle.portal.models import Service
from socle.portal.traces import record

# The SSO session a login opened during this request: ended by ``socle.cas.signals`` if the
# request fails after it (the portal's Django session cannot be written, say), since the answer
# that would have carried its cookie and its ticket is then replaced by an error page.
_OPENED = "_socle_opened_sso_session"


def opened_session(request: object) -> str | None:
    """The id of the SSO session :func:`sign_in` opened while serving ``request``, if any."""
    return getattr(request, _OPENED, None)


def _open_session(request: HttpRequest, person: Person) -> Session:
    session = get_store().create_session(person.pk)
    setattr(request, _OPENED, session.id)
    return session


def param(request: HttpRequest, name: str) -> str:
    return (request.GET.get(name) or request.POST.get(name) or "").strip()


def go_to_service(
    request: HttpRequest,
    person: Person | PersonFacts,
    session: Session,
    service: Service,
    service_url: str,
    *,
    from_new_login: bool,
) -> HttpResponse:
    try:
        ticket = issue_service_ticket(
            person,
            session,
            service,
            service_url,
            from_new_login=from_new_login,
            client_ip=client_ip(request),
        )
    except AccessDenied:
        if flag(request, "gateway") and not from_new_login:
            return HttpResponseRedirect(service_url)  # §2.1.1 gateway: no page, no ticket
        return page(request, "cas/access_denied.html", {"service": service}, status=403)
    target = append_ticket(service_url, ticket)
    if param(request, "method").upper() == "POST":
        # §2.1.1 method=POST: the ticket travels in an auto-submitted form.
        action = without_ticket(service_url)  # the new ticket alone, as in a redirect
        return page(request, "cas/post_redirect.html", {"action": action, "ticket": ticket})
    return HttpResponseRedirect(target)


def logged_in(request: HttpRequest, next_url: str) -> HttpResponse:
    if next_url:
        return HttpResponseRedirect(next_url)
    return page(request, "cas/logged_in.html")


def sign_in(
    request: HttpRequest,
    person: Person,
    session: Session | None,
    service: Service | None,
    service_url: str,
    next_url: str,
    *,
    detail: str = "",
) -> HttpResponse:
    """Logs ``person`` in (just authenticated; ``person.backend`` set): ``session`` is the SSO
    session this browser had, kept only when it is theirs (renew). Answers with the redirect
    to the service with a ticket from a new login, or :func:`logged_in`; sets the TGC."""
    if session is None or session.person_id != person.pk:
        # Someone else's session in this browser ends (with its single logout); the same
        # person re-authenticating (renew) keeps theirs, and the services stay open.
        if session is not None:
            end_session(session.id)
        session = _open_session(request, person)
        maybe_purge()
    django_login(request, person)
    request.session[SESSION_KEY] = session.id
    record(
        "login",
        person=person,
        client_ip=client_ip(request),
        service_code=service.code if service else "",
        detail=detail,
    )
    if service is not None:
        try:
            response = go_to_service(
                request, person, session, service, service_url, from_new_login=True
            )
        except SessionEnded:  # the kept session (renew) ended meanwhile: a new one
            session = _open_session(request, person)
            request.session[SESSION_KEY] = session.id
            response = go_to_service(
                request, person, session, service, service_url, from_new_login=True
            )
    else:
        response = logged_in(request, next_url)
    set_tgc(response, session)
    warn.remember(request, response)  # §2.2.1 warn: prompt before the next services
    return response
