"""Which CAS requests the lean handler serves (``socle.core.lean``, put together in
``socle.wsgi``): ticket validations (§2.4–§2.7, SAML §4.2), machine-to-machine calls that render
no page, and the SSO hop (§2.1 with a ticket-granting cookie and a ``service``), which ends in a
redirect. Their chain keeps the client address, the security headers, the Django session and user
(read lazily, as before) and ``X-Frame-Options``; it drops language negotiation, messages, the
common middleware and the static files. A hop that cannot happen (session ended, access refused)
renders its page in the visitor's language all the same (``views.common.page``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from socle.cas.views.common import TGC_COOKIE

# Kept from settings.MIDDLEWARE, in its order; any other middleware is left out of lean requests.
KEPT = frozenset(
    {
        "socle.core.middleware.TrustedProxyMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    }
)
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


def lean_middleware() -> list[str]:
    return [path for path in settings.MIDDLEWARE if path in KEPT]


def wants_lean(environ: dict[str, Any]) -> bool:
    path = environ.get("PATH_INFO", "")
    if path in VALIDATION_PATHS or path.lower() == SAML_ALIAS:
        return True
    if path != "/cas/login" or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    query = environ.get("QUERY_STRING", "")
    return (
        f"{TGC_COOKIE}=" in environ.get("HTTP_COOKIE", "")
        and "service=" in query
        and "renew=" not in query
    )
