"""Which CAS requests the lean handlers serve (``socle.core.lean``, put together in
``socle.wsgi``), and with which middleware.

- Ticket validations (§2.4–§2.7, SAML §4.2) are machine-to-machine calls answered with XML, JSON
  or text: their chain keeps only the client address and the security headers (and
  ``socle.cas.fastpath`` answers their plain forms before Django's handler). No Django session,
  user or frame options: a validator sends no cookie and never frames the answer.
- The SSO hop (§2.1 with a ticket-granting cookie and a ``service``) ends in a redirect: its chain
  also keeps the Django session and user (read lazily), ``X-Frame-Options`` and the pages'
  ``Content-Security-Policy`` (``socle.core.csp``, not on redirects). It drops language
  negotiation, messages, the common middleware and the static files. A hop that cannot happen
  (session ended, access refused) renders its page in the visitor's language all the same
  (``views.common.page``).
- The password login of a newcomer (``/cas/login`` by GET, HEAD or POST that is not the hop
  above, without a Django session or messages cookie: the login form and its POST) keeps the
  hop's chain plus language negotiation, so that every page of the view, Django's
  CSRF failure page included, is in the visitor's language. The view protects itself with
  ``csrf_protect``, so Django's CSRF middleware has nothing left to do there. A visitor with a
  Django session or a pending message takes the full chain (the message would be shown there).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from socle.cas.views.common import TGC_COOKIE

HOP = "hop"
LOGIN = "login"
VALIDATION = "validation"

# Kept from settings.MIDDLEWARE, in its order; any other middleware is left out of lean requests.
_VALIDATION_CHAIN = frozenset(
    {
        "socle.core.middleware.TrustedProxyMiddleware",
        "django.middleware.security.SecurityMiddleware",
    }
)
_HOP_CHAIN = _VALIDATION_CHAIN | {
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "socle.core.csp.ContentSecurityPolicyMiddleware",  # pages only: never on the hop's redirect
}
KEPT = {
    VALIDATION: _VALIDATION_CHAIN,
    HOP: _HOP_CHAIN,
    LOGIN: _HOP_CHAIN | {"django.middleware.locale.LocaleMiddleware"},
}
LOGIN_METHODS = frozenset({"GET", "HEAD", "POST"})
VALIDATION_PATHS = frozenset(
    {
        "/cas/validate",
        "/cas/serviceValidate",
        "/cas/proxyValidate",
        "/cas/proxy",
        "/cas/p3/serviceValidate",
        "/cas/p3/proxyValidate",
        "/cas/samlValidate",
    }
)
SAML_ALIAS = "/cas/saml/validate"  # PRONOTE's console writes it in any case
MESSAGES_COOKIE = "messages"  # the cookie of django.contrib.messages' CookieStorage


def lean_middleware(kind: str = HOP) -> list[str]:
    kept = KEPT[kind]
    return [path for path in settings.MIDDLEWARE if path in kept]


def lean_route(environ: dict[str, Any]) -> str | None:
    """``VALIDATION``, ``HOP``, ``LOGIN`` or ``None`` (Django's usual handler) for this request."""
    path = environ.get("PATH_INFO", "")
    if path in VALIDATION_PATHS or path.lower() == SAML_ALIAS:
        return VALIDATION
    method = environ.get("REQUEST_METHOD")
    if path != "/cas/login" or method not in LOGIN_METHODS:
        return None
    query = environ.get("QUERY_STRING", "")
    cookies = environ.get("HTTP_COOKIE", "")
    if (
        method != "POST"
        and f"{TGC_COOKIE}=" in cookies
        and "service=" in query
        and "renew=" not in query
    ):
        return HOP
    # A cookie's name found anywhere in the header sends the request to the full chain: a false
    # match costs a few middleware, never a missed message.
    if f"{settings.SESSION_COOKIE_NAME}=" in cookies or f"{MESSAGES_COOKIE}=" in cookies:
        return None
    return LOGIN


def wants_lean(environ: dict[str, Any]) -> bool:
    return lean_route(environ) is not None
