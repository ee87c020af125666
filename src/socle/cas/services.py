"""The service registry: which registered service, if any, a URL belongs to.

Patterns (portal ``ServicePattern``) are of three kinds, evaluated in order (service ``order``,
then pattern ``position``):

- ``exact``: the normalised URL equals the normalised pattern;
- ``ant`` (Apereo style): ``**`` matches anything (including ``/`` and the query string),
  ``*`` anything but ``/``; the rest literally, after normalisation;
- ``regex``: a full match of the normalised URL.

URLs are normalised before comparison: scheme and host lower-cased, default ports (80, 443)
dropped, characters outside ASCII percent-encoded as UTF-8 (an IRI mapped to its URI, RFC 3987
§3.1, as the redirect's ``Location`` carries it: ``/pronote/ｘ`` and ``/pronote/%EF%BD%98`` are
one address, the one the browser then requests),
percent-encoding upper-cased and unreserved characters decoded (RFC 3986 §6.2.2), dot segments
removed (§6.2.2.3, as a browser resolves them before following the redirect), and an empty path
made ``/``. URLs a browser would read differently from this parser, or that cannot go into a
``Location`` header as they are, are refused outright: user information
(``https://good.example@evil.example/``), backslashes, spaces, control characters (DEL and the
C1 controls too), Unicode separators and invisible format characters (RFC 3987 §4.1 forbids the
bidirectional ones in IRIs). The registry is closed: a URL no pattern accepts has no service, and
a pattern that accepts other sites (``https://appli.example.org**`` accepts
``https://appli.example.org.attaquant.test/``) is ignored. Every pattern with a wildcard, and
every regular expression, is matched by RE2 (``socle.core.linear_regex``), in time linear in
the address's length: no pattern can keep a worker busy (``(\\w+-?)*``, ``*a*a*ab``); an
exact URL, a literal, by Python's ``re``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _

from socle.cas import registry_cache
from socle.core.linear_regex import UrlMatcher, compile_linear
from socle.core.plain_errors import regex_error
from socle.portal.models import PatternKind, Service, ServicePattern
from socle.portal.patterns import foreign_address, is_ticket_parameter

MAX_URL_LENGTH = 2048
MAX_REGEX_LENGTH = 500
logger = logging.getLogger("socle.cas")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#*]*)(.*)$", re.S)
_HOST = re.compile(r"^[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*\.?$")
_WILDCARDS = {"**": ".*", "*": "[^/?#]*"}
_UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_NOT_IN_URI = re.compile(r"[\"<>^`{|}]")  # ASCII that iri_to_uri encodes (no URI holds it)
# Control (C0, DEL, C1), format (bidirectional marks, zero-width characters) and separator
# (no-break and other spaces, line and paragraph separators) characters.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Zs"})


def forbidden_character(url: str) -> bool:
    """Whether ``url`` holds a space, a control, separator or invisible format character."""
    if url.isascii():
        return any(c <= " " or c == "\x7f" for c in url)
    return any(c <= " " or unicodedata.category(c) in _FORBIDDEN_CATEGORIES for c in url)


def _to_uri(text: str) -> str:
    """RFC 3987 §3.1, as Django's ``iri_to_uri`` does it for every redirect: each character
    outside ASCII as its UTF-8 bytes percent-encoded, and the few ASCII characters a URI may not
    hold raw (``"<>^`{|}``) percent-encoded too; ``%`` and the delimiters are left alone."""
    if text.isascii() and not _NOT_IN_URI.search(text):
        return text
    try:
        return iri_to_uri(text)
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 form
        raise ValueError(_("caractère interdit dans l'URL")) from None


def _normalise_percent(text: str) -> str:
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _PERCENT.sub(fix, text)


def remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4: ``/a/b/../c/./d`` → ``/a/c/d`` (what a browser requests)."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment in (".", ".."):
            if segment == ".." and len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


@lru_cache(maxsize=4096)  # pure: a validation normalises the same service URLs again and again
def normalise_url(url: str) -> str:
    """RFC 3986 §6.2.2 syntax-based normalisation, plus default ports removed (§6.2.3).

    Raises ``ValueError`` for something that is not an absolute http(s) URL (never cached).
    """
    if not url or len(url) > MAX_URL_LENGTH:
        raise ValueError(_("URL absente ou trop longue"))
    if "\\" in url or forbidden_character(url.strip()):
        # Browsers read "\" as "/": "https://evil\.ent.example.org/" would leave for "evil".
        raise ValueError(_("caractère interdit dans l'URL"))
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(_("URL http(s) absolue attendue"))
    if "@" in parts.netloc:
        raise ValueError(_("identifiants dans l'URL refusés"))
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    elif not _HOST.match(host):
        raise ValueError(_("nom d'hôte invalide"))
    port = parts.port  # may raise ValueError for a bad port
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = remove_dot_segments(_normalise_percent(_to_uri(parts.path))) or "/"
    query = _normalise_percent(_to_uri(parts.query))
    return urlunsplit((scheme, host, path, query, ""))


def without_ticket(url: str) -> str:
    """``url`` without the ``ticket`` parameters of its query string (however spelt:
    ``tick%65t`` is read as ``ticket`` too), the rest kept byte for byte.

    ``ticket`` is the parameter CAS adds to a service URL (§2.2.4): one a client left in the
    ``service`` it sends (the address it came back to with a stale ticket) is no part of the
    service's identity, and the redirect must carry the new ticket alone — most clients read
    the first ``ticket``, which would be the spent one (django-mama-cas and django-cas-server
    replace it too)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [part for part in parts.query.split("&") if not is_ticket_parameter(part)]
    return urlunsplit(parts._replace(query="&".join(kept) if any(kept) else ""))


def same_service_url(a: str, b: str) -> bool:
    """Whether two service URLs are the same once normalised (CAS 3.0 §2.5.1), ``ticket``
    parameters left out (:func:`without_ticket`)."""
    try:
        return normalise_url(without_ticket(a)) == normalise_url(without_ticket(b))
    except ValueError:
        return False


@lru_cache(maxsize=4096)
def compile_pattern(kind: str, value: str) -> UrlMatcher:
    """Compiles one pattern into an anchored regular expression over normalised URLs: RE2
    (linear time, ``socle.core.linear_regex``) for a regular expression and an Ant pattern
    with wildcards, Python's ``re`` for an exact URL (a literal: nothing to backtrack). Raises
    ``re.error`` for an expression that does not compile, or that RE2 does not read (a
    lookaround, a back-reference…), ``ValueError`` for an address that is not one."""
    if kind == PatternKind.REGEX:
        if len(value) > MAX_REGEX_LENGTH:
            raise re.error(_("expression trop longue"))
        re.compile(value)  # Python's reading first: its messages (plain_errors.regex_error)
        return compile_linear(value)
    if kind == PatternKind.EXACT or "*" not in value:  # an Ant pattern without wildcard is exact
        return re.compile(re.escape(normalise_url(value)))
    # Ant: the literal prefix gets the same scheme/host/port normalisation as URLs.
    match = _PREFIX.match(value)
    if match:
        scheme, host, rest = match.group(1).lower(), match.group(2).lower(), match.group(3)
        if (scheme, host.rpartition(":")[2]) in (("http", "80"), ("https", "443")):
            host = host.rpartition(":")[0]
        value = f"{scheme}://{host}{rest}"
    pieces = re.split(r"(\*\*|\*)", value)
    regex = "".join(
        _WILDCARDS.get(piece) or re.escape(_normalise_percent(_to_uri(piece))) for piece in pieces
    )
    return compile_linear(regex)  # "*a*a*ab" would take Python's re hours


def pattern_error(exc: re.error | ValueError) -> str:
    """Why :func:`compile_pattern` refused a pattern, in the active language."""
    return regex_error(exc) if isinstance(exc, re.error) else str(exc)


def pattern_matches(kind: str, value: str, url: str) -> bool:
    """Whether a pattern accepts ``url``. Raises ``re.error`` for a pattern that can't compile."""
    try:
        normalised = normalise_url(url)
    except ValueError:
        return False
    return bool(compile_pattern(kind, value).fullmatch(normalised))


# Addresses of no registered service: a pattern accepting one of them accepts any site.
PROBE_URLS = (
    "https://sonde-socle.invalid/",
    "http://sonde-socle.invalid/page?x=1",
    "https://sonde-socle.invalid:8443/a/b",
)


def too_broad(kind: str, value: str) -> bool:
    """Whether a pattern would accept any site (``**``, ``https://**``, ``.*``…): ``socle.E007``.
    One that accepts only some other sites is ignored by the registry all the same
    (:func:`_ignored_as_open`) and reported by ``socle.E040``."""
    return any(pattern_matches(kind, value, url) for url in PROBE_URLS)


@dataclass(frozen=True)
class Match:
    service: Service
    pattern: ServicePattern | None
    reason: str


def _ordered_patterns() -> list[ServicePattern]:
    return list(
        ServicePattern.objects.select_related("service", "service__establishment")
        .filter(service__enabled=True)
        .exclude(service__sso_type="none")
        .order_by("service__order", "service_id", "position", "id")
    )


def explain(url: str) -> tuple[Match | None, list[str]]:
    """The first service whose pattern accepts ``url``, and the French lines saying why."""
    lines: list[str] = []
    try:
        normalised = normalise_url(url)
    except ValueError as exc:
        return None, [_("URL refusée : %(error)s.") % {"error": exc}]
    lines.append(_("URL normalisée : %(url)s") % {"url": normalised})
    for pattern in _ordered_patterns():
        try:
            regex = compile_pattern(pattern.kind, pattern.value)
        except (re.error, ValueError):
            lines.append(
                "  "
                + _("motif ignoré (invalide) : %(pattern)s [%(service)s]")
                % {"pattern": pattern.value, "service": pattern.service.code}
            )
            continue
        verdict = _ignored(pattern)
        if verdict:
            lines.append(
                "  "
                + _("motif ignoré (%(why)s) : %(pattern)s [%(service)s]")
                % {
                    "why": verdict.shown(),
                    "pattern": pattern.value,
                    "service": pattern.service.code,
                }
            )
            continue
        if regex.fullmatch(normalised):
            reason = _(
                "accepté par le motif %(kind)s « %(pattern)s » du service %(service)s (%(label)s)"
            ) % {
                "kind": pattern.get_kind_display(),
                "pattern": pattern.value,
                "service": pattern.service.code,
                "label": pattern.service.label,
            }
            lines.append(reason)
            return Match(pattern.service, pattern, reason), lines
        lines.append(
            "  "
            + _("ne correspond pas : %(pattern)s [%(service)s]")
            % {"pattern": pattern.value, "service": pattern.service.code}
        )
    lines.append(_("Aucun service enregistré n'accepte cette URL : le CAS la refusera."))
    return None, lines


_reported: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class _Verdict:
    """Why the registry ignores a pattern: it also accepts ``address``, another site's."""

    address: str

    def english(self) -> str:
        """For the log."""
        return f"it also accepts other sites (e.g. {self.address}): an open redirect"

    def shown(self) -> str:
        """For ``cas_check_service`` (the active language)."""
        return _("il accepte aussi d'autres sites, par exemple %(url)s") % {"url": self.address}


def _ignored(pattern: ServicePattern) -> _Verdict | None:
    """Why the registry ignores this pattern (``None`` when it does not), logged once per
    pattern and process; the verdicts are cached per pattern (and service URL), so that the
    registry's copy costs no more to build once they are known. The portal's form,
    ``service_add`` and the Django admin refuse such patterns; ``socle check --database
    default`` reports one saved before (``socle.E040``).

    It accepts other sites' addresses, on hosts anyone can register
    (``portal.patterns.foreign_address``): honoured, it would send tickets to whoever
    registers such a host and sends a browser there. (A pattern that would backtrack for ever
    in Python's ``re``, ``portal.regex_safety``, is refused by the form but honoured here: RE2
    matches it in linear time.)"""
    address = foreign_address(pattern.kind, pattern.value, pattern.service.url)
    if not address:
        return None
    verdict = _Verdict(address)
    _report_ignored(pattern, verdict.english())
    return verdict


def _report_ignored(pattern: ServicePattern, why: str) -> None:
    """Logs, once per pattern and process, that the registry ignores ``pattern``: the
    addresses it would have caught go to another service's pattern, or are refused."""
    key = (pattern.service.code, pattern.value)
    if key not in _reported:
        _reported.add(key)
        logger.error(
            "CAS pattern ignored: service %s, pattern %r: %s. Fix it (socle check --database "
            "default).",
            pattern.service.code,
            pattern.value[:200],
            why,
        )


def _compiled_registry() -> list[tuple[UrlMatcher, Service]]:
    entries = []
    for pattern in _ordered_patterns():
        try:
            regex = compile_pattern(pattern.kind, pattern.value)
        except (re.error, ValueError) as exc:  # RE2 does not read it (socle.W009), or invalid
            _report_ignored(pattern, f"it does not compile ({exc})")
            continue
        if not _ignored(pattern):
            entries.append((regex, pattern.service))
    return entries


def find_service(url: str) -> Service | None:
    """The registered service for ``url``, or ``None`` (closed registry).

    Served from the per-process copy of ``socle.cas.registry_cache``; ``explain`` reads the
    database every time."""
    try:
        normalised = normalise_url(url)
    except ValueError:
        return None
    found: Service | None = registry_cache.lookup(normalised, _compiled_registry)
    return found
