"""``/cas/login`` (CAS 3.0 §2.1–§2.2); ``/cas/logout`` (§2.3) is in ``views.logout``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as django_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from socle.cas import device, retry
from socle.cas.authentication import (
    BACKEND,
    MAX_LOGIN_LENGTH,
    MAX_PASSWORD_LENGTH,
    check_credentials,
)
from socle.cas.detail_forms import (
    FIRST_CONNECTION,
    refused_detail,
)
from socle.cas.forms import LoginForm
from socle.cas.login_failure import failure_detail, failure_message, failure_subject
from socle.cas.login_page import page_key, reuse_or_render
from socle.cas.middleware import SESSION_KEY
from socle.cas.services import find_service
from socle.cas.tickets.base import Session, SessionEnded
from socle.cas.views import warn
from socle.cas.views.common import (
    TGC_COOKIE,
    clear_tgc,
    client_ip,
    current_session,
    flag,
    language_headers,
    negotiate_language,
    page,
    unavailable_on_store_error,
)
from socle.cas.views.signin import go_to_service, logged_in, param, sign_in
from socle.core.admission import ClientGone, QueueFull
from socle.core.csp import allow_form_target
from socle.core.logfilters import Tally, said
from socle.core.nocache import no_store
from socle.directory import activation, handover
from socle.directory.models import Person
from socle.portal.access_cache import person_facts
from socle.portal.models import Service
from socle.portal.traces import record

MAX_SERVICE_LENGTH = 2048
CLIENT_CLOSED_REQUEST = 499  # nginx's code for a request its client abandoned; nobody reads it

logger = logging.getLogger("socle.cas")
# One line a minute at most per process during a surge (socle_login_queue_full_total counts all).
QUEUE_FULL = Tally(
    logger,
    "login queue full: %d login(s) answered with the « file d'attente » page (503) by this "
    "process since its previous such line (at most one a minute)",
)

_RETRY_REFUSED = gettext_lazy(
    "La nouvelle tentative automatique n'est plus valable (délai dépassé, ou page ouverte dans"
    " un autre navigateur). Saisissez de nouveau votre identifiant et votre mot de passe."
)


def _unknown_service(request: HttpRequest, service_url: str) -> HttpResponse:
    record(
        "ticket_refused",
        outcome="refused",
        detail=refused_detail(service_url),
        client_ip=client_ip(request),
    )
    return page(request, "cas/unknown_service.html", {"service_url": service_url[:200]}, status=403)


def _safe_next(request: HttpRequest, value: str) -> str:
    safe = url_has_allowed_host_and_scheme(value, allowed_hosts=None)
    if value and safe and value.startswith("/") and not value.startswith("//"):
        return value
    return ""


def _context(form: LoginForm, service: Service | None) -> dict[str, object]:
    return {
        "form": form,
        # Back after a failure with the username typed: the focus goes where it is to retype.
        "focus_password": form.is_bound
        and bool(form["username"].value())
        and not form.has_error("username"),
        "service": service,
        "max_login": MAX_LOGIN_LENGTH,
        "max_password": MAX_PASSWORD_LENGTH,
    }


def _login_page(
    request: HttpRequest, form: LoginForm, service: Service | None, notice: str | Promise = ""
) -> HttpResponse:
    """The form page with the visitor's input and errors (or a ``notice`` above the form)."""
    return page(request, "cas/login.html", {**_context(form, service), "notice": notice})


def _hidden(request: HttpRequest, service_url: str, next_url: str) -> dict[str, str]:
    """The hidden fields of the login form, which a POST of the form sends back."""
    return {
        "service": service_url,
        "renew": "true" if flag(request, "renew") else "",
        "next": next_url,
        "method": "POST" if param(request, "method").upper() == "POST" else "",
        "warn": "true" if flag(request, "warn") else "",
    }


def _blank_login_page(
    request: HttpRequest,
    hidden: dict[str, str],
    service: Service | None,
    *,
    session_ended: bool = False,
) -> HttpResponse:
    """The unbound form with these hidden fields, reused when it can be (``cas.login_page``):
    the form object is built only when the page is rendered. ``session_ended``: the browser's
    TGC names a single sign-on session that has ended (idle timeout, hard limit, a new password
    chosen elsewhere, an account deactivated): the page says so, once (the cookie is
    deleted)."""
    negotiated = negotiate_language(request)
    key = page_key(request, request.LANGUAGE_CODE, str(service.pk) if service else "", hidden)
    if key and session_ended:
        key = (*key, "session-ended")

    def render_page() -> HttpResponse:
        context = _context(LoginForm(initial=hidden), service)
        return render(request, "cas/login.html", {**context, "session_ended": session_ended})

    response = reuse_or_render(key, request, render_page)
    if session_ended:
        clear_tgc(response)
    return language_headers(response, request.LANGUAGE_CODE) if negotiated else response


def _reopen_portal_session(request: HttpRequest, session: Session) -> None:
    """Opens the portal's Django session again for the person of the live SSO session when this
    browser has lost it (a logout of the Django admin alone, an expired cookie): otherwise a
    page that requires it sends to ``/cas/login?next=…``, which sends back to it, in a loop."""
    same_person = request.user.is_authenticated and request.user.pk == session.person_id
    if same_person and request.session.get(SESSION_KEY) == session.id:
        return
    person = Person.objects.filter(pk=session.person_id, is_active=True).first()
    if person is None:
        return
    person.backend = BACKEND  # type: ignore[attr-defined]  # what django.contrib.auth.login reads
    django_login(request, person)
    request.session[SESSION_KEY] = session.id


@no_store
@unavailable_on_store_error
@sensitive_post_parameters("password", retry.FIELD)
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    service_url = (request.GET.get("service") or request.POST.get("service") or "").strip()
    if len(service_url) > MAX_SERVICE_LENGTH:
        return page(
            request,
            "cas/error.html",
            {"message": gettext_lazy("Adresse de service trop longue.")},
            status=400,
        )
    service = find_service(service_url) if service_url else None
    if service_url and service is None:
        return _unknown_service(request, service_url)
    response = _login(request, service, service_url)
    # Its forms end at the service (the redirect with the ticket, the method=POST page's form).
    return allow_form_target(response, service_url) if service is not None else response


def _login(request: HttpRequest, service: Service | None, service_url: str) -> HttpResponse:
    renew = flag(request, "renew")
    next_url = _safe_next(request, request.GET.get("next") or request.POST.get("next") or "")
    if warn.is_confirmation(request):  # « Continuer » on « Accès à un service »
        return _sso_or_form(request, service, service_url, next_url, renew, confirmed=True)
    if request.method == "POST":
        return _post_credentials(request, service, service_url, current_session(request), next_url)
    if request.method == "GET" and handover.COOKIE in request.COOKIES:
        # Only then is the Django session read for a marker: ordinary logins never pay for it.
        response = _after_activation(request, service, service_url, next_url, renew)
        if response is None:  # no marker for this browser (already taken, another browser)
            response = _sso_or_form(request, service, service_url, next_url, renew)
        handover.forget(response)
        return response
    return _sso_or_form(request, service, service_url, next_url, renew)


def _sso_or_form(
    request: HttpRequest,
    service: Service | None,
    service_url: str,
    next_url: str,
    renew: bool,
    *,
    confirmed: bool = False,
) -> HttpResponse:
    """A GET: the SSO session of this browser opens the service (the hop) or, without a
    service, the portal; otherwise the login form. A HEAD, which must have no effect (RFC 9110
    §9.3.2; a link checker, a preview), gets the form's headers: no ticket is issued for it.
    After a login with ``warn`` the hop first asks (``views.warn``); ``confirmed`` is the POST
    of that question's answer."""
    if request.method == "HEAD":
        return _blank_login_page(request, _hidden(request, service_url, next_url), service)
    hop = service is not None and not renew
    session = current_session(request, hint=hop)
    if session is not None and not renew:
        # The hop: the person's facts come from this process's copy (socle.portal.access_cache),
        # the session may be this process's hint: the ticket is stored only if it still lives.
        person = person_facts(session.person_id)
        if person is not None and person.is_active:
            if service is None:
                _reopen_portal_session(request, session)
                return logged_in(request, next_url)
            if warn.wanted(request) and not confirmed:
                return warn.prompt(request, service, service_url)  # §2.2.1 warn
            try:
                return go_to_service(
                    request, person, session, service, service_url, from_new_login=False
                )
            except SessionEnded:
                session = None  # ended elsewhere since this process saw it: credentials asked
    if flag(request, "gateway") and service is not None and not renew:
        return HttpResponseRedirect(service_url)  # §2.1.1 gateway: no credentials asked
    ended = session is None and bool(request.COOKIES.get(TGC_COOKIE))
    hidden = _hidden(request, service_url, next_url)
    return _blank_login_page(request, hidden, service, session_ended=ended)


def _after_activation(
    request: HttpRequest, service: Service | None, service_url: str, next_url: str, renew: bool
) -> HttpResponse | None:
    """The hand-over of an account whose password was just chosen in this browser
    (``socle.directory.handover``), or ``None`` when the browser's session holds none. The person
    is logged in as by the password form (same sessions, trace, ticket from a new login), and
    lands on the service, or on « Mon espace ». A service asking for ``renew`` (§2.1.1: the
    credentials typed now), or a marker expired, used or voided since, gets the login form."""
    taken = handover.take(request)
    if taken is None:
        return None
    if renew or taken.person is None:
        form = LoginForm(
            initial={**_hidden(request, service_url, next_url), "username": taken.login}
        )
        if taken.voided and not renew:  # reset, deactivated… since: claim nothing of the password
            saved = _("Connectez-vous avec votre identifiant %(login)s.") % {"login": taken.login}
        else:
            saved = _(
                "Votre mot de passe est enregistré. Connectez-vous avec votre identifiant "
                "%(login)s et ce nouveau mot de passe."
            ) % {"login": taken.login}
        context = {**_context(form, service), "focus_password": bool(taken.login), "saved": saved}
        return page(request, "cas/login.html", context)
    person = taken.person
    person.backend = BACKEND  # type: ignore[attr-defined]  # what django.contrib.auth.login reads
    if service is None:  # « Mon espace » shows the message; a service is opened straight away
        saved = _("Votre mot de passe est enregistré. Vous êtes connecté(e).")
        messages.success(request, saved, fail_silently=True)
        next_url = next_url or settings.LOGIN_REDIRECT_URL
    session = current_session(request)
    response = sign_in(
        request, person, session, service, service_url, next_url, detail=FIRST_CONNECTION
    )
    device.remember(request, response, person.login, person.password)  # as after a login
    return response


def _post_credentials(
    request: HttpRequest,
    service: Service | None,
    service_url: str,
    session: Session | None,
    next_url: str,
) -> HttpResponse:
    try:
        form = LoginForm(_posted_credentials(request))
    except retry.RetryRefused:
        logger.info("queued login retry refused: expired, altered or from another browser")
        blank = LoginForm(initial=_hidden(request, service_url, next_url))
        return _login_page(request, blank, service, _RETRY_REFUSED)
    if not form.is_valid():
        return _login_page(request, form, service)
    login_name = form.cleaned_data["username"]
    password = form.cleaned_data["password"]
    address = client_ip(request)
    try:
        outcome = check_credentials(request, login_name, password, address)
    except QueueFull as exc:
        token = retry.seal(request, login_name, password)
        return _queue_page(request, form, exc.retry_after, token)
    except ClientGone:
        logger.info("login abandoned by its client while waiting for a hash slot: not hashed")
        return HttpResponse(status=CLIENT_CLOSED_REQUEST, reason="Client Closed Request")
    if outcome.activation_code is not None:  # an activation letter's code typed as the password
        target = activation.first_connection_url(outcome.activation_code, service_url or None)
        return HttpResponseRedirect(target)
    if outcome.person is None:
        refused_for, actor_login = failure_subject(outcome, login_name)
        record(
            "login_failed",
            outcome="refused",
            person=refused_for,  # its establishments see it; None for an unknown login
            actor_login=actor_login,
            client_ip=address,
            detail=failure_detail(outcome),
        )
        form.add_error(None, failure_message(outcome))
        return _login_page(request, form, service)
    person = outcome.person
    response = sign_in(request, person, session, service, service_url, next_url)
    device.remember(request, response, login_name, person.password)  # trusted for the login now
    return response


def _posted_credentials(request: HttpRequest) -> QueryDict:
    """The posted form; for the queue page's retry, with the credentials of its sealed token
    (``retry.RetryRefused`` when the token cannot be opened here)."""
    token = request.POST.get(retry.FIELD)
    if token is None:
        return request.POST
    sealed = retry.unseal(request, token)
    data = request.POST.copy()
    data["username"], data["password"] = sealed.username, sealed.password
    return data


def _queue_page(
    request: HttpRequest, form: LoginForm, retry_after: int, token: str
) -> HttpResponse:
    """503 « File d'attente »: with JavaScript the page posts the sealed ``token`` and the hidden
    fields again by itself (unless the person suspends it); without, its button does. The page
    holds neither the username nor the password (``socle.cas.retry``)."""
    context = {
        "retry_after": retry_after,
        "form": form,
        "retry_field": retry.FIELD,
        "retry_token": token,
    }
    response = render(request, "cas/queue.html", context, status=503)
    response["Retry-After"] = str(retry_after)
    QUEUE_FULL.add()
    said(request)
    return response
