"""An establishment administrator cannot register a service on an internal address (loopback,
private, link-local…, or ``localhost``): the CAS server would send it single logout requests
and proxy callbacks from inside the ENT's network. Only an ENT administrator can."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from socle.core.addresses import is_internal_host
from socle.core.linear_regex import compile_linear
from socle.portal.pattern_overlap import literal_prefix
from socle.portal.patterns import PatternKind

_UAI_START = re.compile(r"[0-9]{1,7}")  # as a UAI starts: 7 digits, then a letter
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
    """The host every URL a pattern accepts has, when the pattern spells it; else "".

    Read first from the pattern as the registry compiles it (``literal_prefix``: host and
    percent-encoding normalised, regex escapes, comments and classes read by Python's own
    parser), so ``http://%31%32%37.0.0.1/**`` and ``^http://127\\.0\\.0\\.1/`` both name
    127.0.0.1; for a regular expression whose host is not literal (``^http://127.0.0.1/``, its
    dots match any character), the host written at its start, best effort. A host that cannot
    be named gives "": the CAS's outbound sender still refuses internal addresses when it
    connects (``socle.core.addresses``)."""
    host = _literal_host(kind, value)
    if host or kind != PatternKind.REGEX:
        return host
    probed = _probed_host(value)
    if probed:
        return probed
    match = _REGEX_HOST.match(value)
    return match.group(1).replace("\\", "") if match else ""


# Internal addresses a regular expression is tried on when its host is not literal
# (``^http://(127\.0\.0\.1|a\.b)/.*``): best effort, the CAS's sender is the barrier.
_PROBE_HOSTS = ("127.0.0.1", "localhost", "[::1]", "169.254.169.254", "10.0.0.1", "192.168.0.1")


def _probed_host(value: str) -> str:
    try:
        compiled = compile_linear(value)  # as the CAS matches it: no backtracking
    except re.error:
        return ""
    for host in _PROBE_HOSTS:
        for scheme in ("https", "http"):
            if compiled.match(f"{scheme}://{host}/"):
                return host
    return ""


def _literal_host(kind: str, value: str) -> str:
    prefix = literal_prefix(kind, value)
    scheme_end = prefix.text.find("://")
    if scheme_end < 0:
        return ""
    start = scheme_end + 3
    rest = prefix.text[start:]
    bracket = rest.find("]") if rest.startswith("[") else -1  # IPv6 literal: [::1]
    ends = [i for i, c in enumerate(rest) if c in "/?#" or (c == ":" and i > bracket)]
    if not ends and not prefix.exact:
        # The host goes on past the literal part: named only when what is literal is already an
        # internal address (``^http://127\.0\.0\.1(?:/|$)``), which a longer name would rarely
        # leave (errs on the side of refusing). Not a few digits (``https://0312*``, read as the
        # number 0.0.0.202): the start of a hosted PRONOTE.net host's UAI as much as of an
        # address, refused by ``socle.portal.hosted_pronote`` with that reason.
        if _UAI_START.fullmatch(rest):
            return ""
        return rest if is_internal_host(rest) else ""
    return url_host(prefix.text[: start + ends[0]] if ends else prefix.text)


def internal_address_refused(host: str) -> str | None:
    """The form's message if ``host`` is internal, else None. Not when the CAS server may call
    internal addresses (``SOCLE_CAS_OUTBOUND_PRIVATE``: the demo's PRONOTE is on 127.0.0.1)."""
    if settings.SOCLE_CAS_OUTBOUND_PRIVATE or not host or not is_internal_host(host):
        return None
    return _(
        "Adresse interne refusée : %(host)s ; seul un administrateur de l'ENT peut enregistrer "
        "un service sur une adresse interne."
    ) % {"host": host}
