"""Which SAML 1.1 ``TARGET`` may receive attributes: the one rule of CAS 3.0 §4.2.1 ("The
``TARGET`` service SHALL use HTTPS. SAML attributes MUST NOT be released to a non-SSL site").

In ``core`` because the CAS applies it at ``/samlValidate`` (``socle.cas.answers``) and the
portal's service form warns about it (``socle.portal.saml_http``), and the portal never imports
the CAS; « Diagnostic PRONOTE » and ``pronote_doctor`` read it through the portal's helper. Pure
URL judgement: no request, no database."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings


def is_loopback_host(host: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` or ``::1`` (this machine: the demo, pronotesim, the e2e
    harness, where nothing crosses a network). Written as a resolver would not guess: no DNS,
    no ``127.1``, no ``*.localhost``."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def http_attributes_allowed() -> bool:
    """The operator's ``SOCLE_CAS_SAML_HTTP_ATTRIBUTES`` (off by default; ``socle.W098``)."""
    return bool(getattr(settings, "SOCLE_CAS_SAML_HTTP_ATTRIBUTES", False))


def releases_saml_attributes(target: str, *, over_http: bool = False) -> bool:
    """Whether the SAML answer to this ``TARGET`` may carry attributes.

    https: yes. Plain http: only on a loopback host (:func:`is_loopback_host`), or anywhere
    when ``over_http`` (the setting, :func:`http_attributes_allowed`). Any other scheme: no."""
    try:
        parts = urlsplit(target)
        host = parts.hostname or ""
    except ValueError:  # an invalid IPv6 literal: no attributes
        return False
    scheme = parts.scheme.lower()
    if scheme == "https":
        return True
    if scheme != "http":
        return False
    if over_http:
        return True
    # User info or a "\\" (read as "/" by browsers) may hide another host than Python reads
    # (``http://evil\\@127.0.0.1/``): never loopback. Defence in depth: a ticket's service
    # comparison, before the CAS applies this rule, refuses both already.
    if "\\" in target or "@" in parts.netloc:
        return False
    return is_loopback_host(host)
