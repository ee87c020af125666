"""An establishment administrator cannot register a service on an internal address (loopback,
private, link-local…, or ``localhost``): the CAS server would send it single logout requests
and proxy callbacks from inside the ENT's network. Only an ENT administrator can."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from socle.core.addresses import is_internal_host
from socle.portal.patterns import PatternKind

# ^https?://10\.0\.0\.1/… : the scheme, then the host up to ":", "/", "?" or "#" ("\." kept)
_REGEX_HOST = re.compile(
    r"^\^?(?:https?|https\?)(?:\\?:)?(?:\\?/){2}([^/:?#\\]*(?:\\\.[^/:?#\\]*)*)"
)


def url_host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def pattern_host(kind: str, value: str) -> str:
    """The host an exact URL or Ant pattern names; for a regular expression, the host written
    literally at its start (``^https://10\\.0\\.0\\.1/``), best effort."""
    if kind == PatternKind.REGEX:
        match = _REGEX_HOST.match(value)
        return match.group(1).replace("\\", "") if match else ""
    return url_host(value)


def internal_address_refused(host: str) -> str | None:
    """The form's message if ``host`` is internal, else None. Not when the CAS server may call
    internal addresses (``SOCLE_CAS_OUTBOUND_PRIVATE``: the demo's PRONOTE is on 127.0.0.1)."""
    if settings.SOCLE_CAS_OUTBOUND_PRIVATE or not host or not is_internal_host(host):
        return None
    return _(
        "Adresse interne refusée : %(host)s ; seul un administrateur de l'ENT peut enregistrer "
        "un service sur une adresse interne."
    ) % {"host": host}
