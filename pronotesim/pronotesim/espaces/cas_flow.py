"""The CAS side of the espaces: redirect to the ENT's CAS, validate the returned ticket, and act
on the recognition outcome."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict

from pronotesim.base.categories import espace_for_page
from pronotesim.console import links
from pronotesim.console.models import ServerSettings
from pronotesim.espaces import recognition, saml
from pronotesim.espaces.render import message_page
from pronotesim.espaces.session import (
    METHOD_CAS,
    connect,
    pop_cas_failure,
    remember_ticket,
    set_cas_failure,
    set_pending,
)
from pronotesim.espaces.single_logout import ticket_digest
from pronotesim.espaces.urls_util import clean_path, prefix, public_root, service_url

log = logging.getLogger(__name__)


def redirect_to_cas(request: HttpRequest, server: ServerSettings, page: str) -> HttpResponse:
    return HttpResponseRedirect(links.login_url(server.cas_url, service_url(server, request, page)))


def redirect_to_cas_logout(server: ServerSettings) -> HttpResponse:
    """« Se déconnecter » of a session opened by the ENT's CAS: the ENT session ends too, or
    the next click on PRONOTE in the ENT (or the espace's address) would open the espace again
    without a password."""
    return HttpResponseRedirect(links.logout_url(server.cas_url))


def failure_message(server: ServerSettings, reason: str) -> str:
    return f"Échec de l'authentification par le serveur CAS {server.cas_url} : {reason}."


def _fail_without_ticket(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """A ticket that was not validated: its failure is shown at the address without the
    ticket, so that loading the page again does not replay a used ticket (another, confusing
    error) but authenticates again."""
    path = clean_path(request)
    if "ticket" in QueryDict(path.partition("?")[2]):  # spelt ``tick%65t``: would loop
        return _failure_page(request, message, status, path)
    set_cas_failure(request, {"path": path, "message": message, "status": status})
    return HttpResponseRedirect(path)


def _failure_page(request: HttpRequest, message: str, status: int, retry: str) -> HttpResponse:
    return message_page(
        request,
        title="PRONOTE.net",
        message=message,
        status=status,
        links=[("Réessayer", retry)],
        css_class="erreur",
    )


def cas_failure_page(request: HttpRequest) -> HttpResponse | None:
    """The failure :func:`_fail_without_ticket` kept for this address, shown once; ``None``
    when there is none."""
    failure = pop_cas_failure(request)
    here = clean_path(request)
    if failure is None or failure.get("path") != here:
        return None
    return _failure_page(
        request, str(failure.get("message", "")), int(failure.get("status", 403)), here
    )


def handle_ticket(request: HttpRequest, server: ServerSettings, page: str) -> HttpResponse:
    ticket = request.GET.get("ticket", "").strip()
    service = service_url(server, request, page)
    if not ticket or len(ticket) > 2048:
        return _fail_without_ticket(request, failure_message(server, "ticket absent"), 400)
    try:
        success = saml.validate_ticket(
            validate_url=links.saml_validate_url(server.cas_url, service),
            ticket=ticket,
            party=saml.RelyingParty(service, public_root(server, request)),
            timeout=settings.PRONOTESIM_CAS_TIMEOUT,
        )
    except saml.SamlValidationError as exc:
        log.info("CAS ticket refused for %s: %s", service, exc.reason)
        return _fail_without_ticket(request, failure_message(server, exc.reason), 403)
    found = espace_for_page(page) if page else None
    outcome = recognition.recognise(success, server, found[0].categories if found else ())
    if outcome.kind == recognition.OK and outcome.user is not None:
        connect(request, outcome.user, METHOD_CAS)
        remember_ticket(request, ticket_digest(ticket))
        if outcome.newly_bound:
            log.info("Identifiant CAS bound for %s", outcome.user.pronote_id)
        return HttpResponseRedirect(clean_path(request))
    if outcome.kind == recognition.MISSING_ATTRIBUTE:  # also shown where the ticket is gone
        return _fail_without_ticket(request, outcome.message, 403)
    pending = {
        "kind": outcome.kind,
        "cas_user": outcome.cas_user,
        "reason": outcome.reason,
        "known": outcome.known,
        "page": page,
        "next": clean_path(request),
    }
    set_pending(request, pending)
    remember_ticket(request, ticket_digest(ticket))
    if outcome.kind == recognition.DOUBLE_AUTH:
        return HttpResponseRedirect(prefix() + "premiere-connexion")
    return HttpResponseRedirect(prefix() + "identification-impossible")
