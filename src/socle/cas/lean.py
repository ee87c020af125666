"""Which CAS requests the lean handlers serve (``socle.core.lean``, put together in
``socle.wsgi``), and with which middleware.

- Ticket validations (§2.4–§2.7, SAML §4.2) are machine-to-machine calls answered with XML, JSON
  or text: their chain keeps only the client address and the security headers (and
  ``socle.cas.fastpath`` answers their plain forms before Django's handler). No Django session,
  user or frame options: a validator sends no cookie and never frames the answer.
- The SSO hop (§2.1 with a ticket-granting cookie and a ``service``) ends in a redirect: its chain
  also keeps the Django session and user (read lazily) and ``X-Frame-Options``. It drops language
  negotiation, messages, the common middleware and the static files. A hop that cannot happen
  (session ended, access refused) renders its page in the visitor's language all the same
  (``views.common.page``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from socle.cas.views.common import TGC_COOKIE

HOP = "hop"
VALIDATION = "validation"

# Kept from settings.MIDDLEWARE, in its order; any other middleware is left out of lean requests.
KEPT = {
    HOP: frozenset(
        {
            "socle.core.middleware.TrustedProxyMiddleware",
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        }
    ),
    VALIDATION: frozenset(
        {
            "socle.core.middleware.TrustedProxyMiddleware",
            "django.middleware.security.SecurityMiddleware",
        }
    ),
}
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


def lean_middleware(kind: str = HOP) -> list[str]:
    kept = KEPT[kind]
    return [path for path in settings.MIDDLEWARE if path in kept]


def lean_route(environ: dict[str, Any]) -> str | None:
    """``VALIDATION``, ``HOP`` or ``None`` (Django's usual handler) for this request."""
    path = environ.get("PATH_INFO", "")
    if path in VALIDATION_PATHS or path.lower() == SAML_ALIAS:
        return VALIDATION
    if path != "/cas/login" or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    query = environ.get("QUERY_STRING", "")
    if (
        f"{TGC_COOKIE}=" in environ.get("HTTP_COOKIE", "")
        and "service=" in query
        and "renew=" not in query
    ):
        return HOP
    return None


def wants_lean(environ: dict[str, Any]) -> bool:
    return lean_route(environ) is not None
