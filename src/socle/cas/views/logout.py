"""``/cas/logout`` (CAS 3.0 §2.3): ends the SSO session and the portal's Django session, then
shows « vous êtes déconnecté » or goes to a registered ``service`` (§2.3.1)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout as django_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from socle.cas.middleware import SESSION_KEY
from socle.cas.services import find_service
from socle.cas.sso import end_session
from socle.cas.views import warn
from socle.cas.views.common import (
    STORE_ERRORS,
    clear_tgc,
    client_ip,
    current_session,
    store_failure,
    unavailable,
    unavailable_on_store_error,
)
from socle.cas.views.login import MAX_SERVICE_LENGTH
from socle.cas.views.signin import param
from socle.core.nocache import no_store
from socle.portal.traces import record

logger = logging.getLogger("socle.cas")


@no_store
@unavailable_on_store_error
# A POSTed logout comes from a service's own « Se déconnecter » form, on another site: a CSRF
# token cannot be there, and would protect nothing, since it only sends the browser to the GET
# logout (what §2.3 asks services to send), which anyone may link to.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # A POST from another site carries none of this server's SameSite=Lax cookies (the TGC,
        # the portal's session): ended here, nothing would be, and the portal would stay open on
        # a shared computer. A 303 turns it into a GET navigation, which carries them.
        return _as_get(request)
    if request.method == "HEAD":
        # A HEAD has no side effect (RFC 9110 §9.2.1): link previews and checkers send one.
        # It gets the headers a GET would, and the session lives on.
        return _after_logout(request)
    try:
        _end_sessions(request)
        django_logout(request)
        response = _after_logout(request)
    except STORE_ERRORS as exc:
        # The store cannot be reached: this browser forgets its sessions all the same (a shared
        # school computer), and the page says the service is unavailable. The SSO session may
        # live on in the store until its idle timeout, but no browser holds its cookie any more.
        logger.error("logout: sessions not ended in the store: %s", store_failure(exc))
        request.session.clear()  # nothing is saved: a 5xx answer leaves the session store alone
        response = unavailable(request, logged_out=True)
        response.delete_cookie(
            settings.SESSION_COOKIE_NAME,
            path=settings.SESSION_COOKIE_PATH,
            domain=settings.SESSION_COOKIE_DOMAIN,
            samesite=settings.SESSION_COOKIE_SAMESITE,  # type: ignore[arg-type]  # "Lax"
        )
    clear_tgc(response)
    warn.forget(request, response)
    return response


def _as_get(request: HttpRequest) -> HttpResponse:
    """The GET logout of a POSTed one, its ``service`` (query's or form's) in the query."""
    service_url = param(request, "service")[:MAX_SERVICE_LENGTH]
    query = f"?{urlencode({'service': service_url})}" if service_url else ""
    response = HttpResponseRedirect(reverse("cas:logout") + query)
    response.status_code = 303  # See Other: the browser follows with a GET
    return response


def _end_sessions(request: HttpRequest) -> None:
    """Ends the SSO session of the TGC (or of the portal session) and traces the logout."""
    session = current_session(request)
    person = request.user if request.user.is_authenticated else None
    if session is not None:
        end_session(session.id)
    elif request.session.get(SESSION_KEY):  # portal session without the cookie (other path)
        end_session(str(request.session[SESSION_KEY]))
    if person is not None or session is not None:
        record("logout", person=person, client_ip=client_ip(request))


def _after_logout(request: HttpRequest) -> HttpResponse:
    """§2.3.1 ``service``: a redirect only to a registered service; otherwise the « vous êtes
    déconnecté » page. CAS 2's ``url`` is ignored (§2.3.1: "CAS Servers MUST ignore given
    ``url`` parameters"). ``service`` is an "HTTP request parameter" (§2.3.1) as at ``/login``:
    read from the query string; that of a POSTed logout's form (a service's « Se déconnecter »
    button) comes in the query of the GET it is sent to (:func:`_as_get`)."""
    service_url = param(request, "service")
    service_url = service_url[:MAX_SERVICE_LENGTH]
    if service_url and find_service(service_url) is not None:
        return HttpResponseRedirect(service_url)
    return render(request, "cas/logged_out.html")
