"""Checking the CAS URL patterns an administrator types for a service.

How a pattern matches a URL is the CAS's business (``socle.cas.services``); this module only asks
it, then decides whether a pattern is sensible: it must match the service's own URL (else it
matches nothing useful) and must not match addresses elsewhere (``**``, ``https://**``, ``.*``,
a domain without its closing ``/`` that also accepts ``example.org.attaquant.test``…).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote_plus, urlsplit

from django.utils.translation import gettext as _

from socle.core.linear_regex import UrlMatcher, compile_linear
from socle.core.plain_errors import regex_error
from socle.portal.models import PatternKind
from socle.portal.regex_safety import slow_pattern, slow_pattern_message

PROBE_HOST = "sonde-socle.invalid"


@dataclass(frozen=True)
class PatternLine:
    kind: str
    value: str


def parse_lines(text: str) -> list[PatternLine]:
    """One pattern per line: ``^…`` is a regular expression, a line with ``*`` an Ant pattern
    (``**`` any characters, ``*`` any characters but ``/``), anything else an exact URL."""
    lines = []
    for raw in text.splitlines():
        value = raw.strip()
        if not value:
            continue
        if value.startswith("^"):
            kind = PatternKind.REGEX
        elif "*" in value:
            kind = PatternKind.ANT
        else:
            kind = PatternKind.EXACT
        lines.append(PatternLine(kind, value))
    return lines


def format_lines(patterns: list[PatternLine]) -> str:
    return "\n".join(p.value for p in patterns)


def _local_compile(kind: str, value: str) -> UrlMatcher:
    if kind == PatternKind.REGEX:
        re.compile(value)  # Python's messages first, as the CAS
        return compile_linear(value)
    if kind == PatternKind.EXACT:
        return re.compile(re.escape(value))
    parts = re.split(r"(\*\*|\*)", value)
    regex = "".join(
        ".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part) for part in parts
    )
    return compile_linear(regex)


def matches(kind: str, value: str, url: str) -> bool:
    """Whether the CAS would accept ``url`` for this pattern. Raises ``re.error`` when the
    pattern cannot be compiled."""
    try:
        cas_services = importlib.import_module("socle.cas.services")
    except ImportError:  # the CAS is not there: same rules, written locally
        cas_services = None
    helper = getattr(cas_services, "pattern_matches", None)
    if helper is not None:
        return bool(helper(kind, value, url))
    return bool(_local_compile(kind, value).fullmatch(url))


def _probe_urls(service_url: str) -> tuple[list[str], list[str], list[str]]:
    """The addresses no pattern of the service at ``service_url`` should accept: any site's;
    another site's, on a host anyone can register (the service's host name extended, user
    information, a separator a browser reads otherwise); a host under the service's own name
    (a wildcard before it: ``https://*.example.org/**``)."""
    parts = urlsplit(service_url)
    host = parts.hostname or "example.org"
    scheme = parts.scheme or "https"
    anywhere = [
        f"https://{PROBE_HOST}/",
        f"http://{PROBE_HOST}/autre/page.html",
        f"https://{PROBE_HOST}/{host}{parts.path}",
        f"https://{PROBE_HOST}/?service={service_url}",
    ]
    path = parts.path or "/"
    foreign = [
        f"{scheme}://{host}.{PROBE_HOST}{path}",
        # A wildcard right after the host name: "https://appli.example.org**".
        f"{scheme}://{host}{PROBE_HOST}{path}",
        f"{scheme}://{host}@{PROBE_HOST}{path}",
        f"{scheme}://{host}:1@{PROBE_HOST}/",
    ]
    # "*" stands for any characters but "/": "https://*.example.org/**" must not accept
    # "https://sonde?.ent.example.org/" (host "sonde"), nor "\" that browsers read as "/".
    for separator in ("?", "#", "\\"):
        foreign.append(f"{scheme}://{PROBE_HOST}{separator}.{host}{path}")
        foreign.append(f"{scheme}://{PROBE_HOST}{separator}{host}{path}")
    # Another host under the same name: a wildcard before the service's host name.
    same_domain = [f"{scheme}://sonde-socle-{host}{path}"]
    return anywhere, foreign, same_domain


def probes(service_url: str) -> list[tuple[str, str]]:
    """URLs no pattern of this service should accept, with the French reason for each."""
    parts = urlsplit(service_url)
    netloc = parts.netloc or parts.hostname or "example.org"
    example = f"{parts.scheme or 'https'}://{netloc}/**"
    anywhere_message = _(
        "Ce motif accepte n'importe quelle adresse (par exemple %(url)s) : indiquez le domaine "
        "complet du service suivi d'une barre oblique, par exemple %(example)s."
    )
    suffix = _(
        "Ce motif accepte aussi d'autres domaines (par exemple %(url)s) : terminez le nom de "
        "domaine par « / », par exemple %(example)s."
    )
    anywhere, foreign, same_domain = _probe_urls(service_url)
    return [(url, anywhere_message % {"url": url, "example": example}) for url in anywhere] + [
        (url, suffix % {"url": url, "example": example}) for url in (*foreign, *same_domain)
    ]


def _prefix_site(kind: str, value: str) -> str:
    """The site a pattern's literal start names (``https://appli.example.org/`` for
    ``https://appli.example.org**``), or "" when it names no host."""
    from socle.portal.pattern_overlap import literal_prefix

    text = literal_prefix(kind, value).text
    if "://" not in text:
        return ""
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return ""
    return f"{parts.scheme}://{host}/" if host else ""


@lru_cache(maxsize=4096)
def foreign_address(kind: str, value: str, service_url: str) -> str:
    """An address on a host anyone can register (another site than the service at
    ``service_url`` or than the one the pattern's literal start names, and not a name under
    theirs) that the pattern accepts, or "" when it accepts none of those tried. The CAS ignores
    such a pattern (an open redirect: tickets sent to whoever registers the host); the portal's
    form, the Django admin and ``service_add`` refuse it, ``socle.E040`` reports one saved
    before. A pattern that cannot be compiled accepts nothing: ""."""
    sites = [url for url in (service_url, _prefix_site(kind, value)) if url]
    for site in sites or ["https://example.org/"]:
        anywhere, foreign, _same_domain = _probe_urls(site)
        for url in (*anywhere, *foreign):
            try:
                if matches(kind, value, url):
                    return url
            except (re.error, ValueError):
                return ""
    return ""


def foreign_address_message(address: str) -> str:
    """Why a pattern that accepts ``address`` (:func:`foreign_address`) is refused."""
    return _(
        "Ce motif accepte aussi d'autres sites (par exemple %(url)s) : le CAS l'ignorerait. "
        "Écrivez le domaine complet suivi de « / », par exemple https://appli.example.org/**."
    ) % {"url": address}


@dataclass(frozen=True)
class PatternProblem:
    """What is wrong with a pattern: the message (active language), and whether the pattern lets
    other hosts through (``wide``: an error for the system checks, a warning otherwise)."""

    message: str
    wide: bool = False


def pattern_problem(kind: str, value: str, own_urls: list[str]) -> PatternProblem | None:
    """What is wrong with the pattern, or ``None`` when it is sensible for these URLs (the
    service's URL and, for PRONOTE, its espaces; the first one is quoted in messages)."""
    if len(value) > 500:
        return PatternProblem(_("Ce motif est trop long (500 caractères au plus)."))
    if kind == PatternKind.REGEX and not value.isascii():
        raw = next(c for c in value if not c.isascii())
        return PatternProblem(
            _(
                "Cette expression régulière contient « %(char)s » : le CAS compare les adresses "
                "encodées (%(encoded)s), écrivez-le ainsi, sans quoi ce motif n'accepte aucune "
                "adresse qui le contient."
            )
            % {"char": raw, "encoded": quote(raw)}
        )
    try:
        if kind == PatternKind.REGEX:
            re.compile(value)
        if slow_pattern(kind, value):
            return PatternProblem(slow_pattern_message(kind, value))
        mismatch = scheme_problem(kind, value, own_urls)
        if mismatch is not None:
            return PatternProblem(mismatch)
        if own_urls and not any(matches(kind, value, url) for url in own_urls):
            from socle.portal.path_case import case_mismatch_sentence, other_case

            other = other_case(own_urls, [(kind, value)])
            if other is not None:  # « …/pronote/** » for « …/PRONOTE/ »
                return PatternProblem(case_mismatch_sentence(other))
            return PatternProblem(
                _(
                    "Ce motif ne correspond pas à l'URL du service (%(url)s) : il ne laisserait "
                    "passer aucune connexion."
                )
                % {"url": own_urls[0]}
            )
        for url, message in probes(own_urls[0] if own_urls else "https://example.org/"):
            if matches(kind, value, url):
                return PatternProblem(message, wide=True)
    except re.error as exc:
        return PatternProblem(
            _("Expression régulière invalide : %(error)s.") % {"error": regex_error(exc)}
        )
    except ValueError:  # the CAS could not read the URL part of the pattern
        return PatternProblem(_("Ce motif n'est pas une adresse web valide."))
    if kind != PatternKind.REGEX and not value.lower().startswith(("http://", "https://")):
        return PatternProblem(
            _("Un motif doit commencer par https:// (ou http://) suivi du domaine du service.")
        )
    return None


def other_scheme(url: str) -> str:
    """``url`` in the other of http and https (``""`` for another scheme)."""
    scheme, separator, rest = url.partition("://")
    twin = {"http": "https", "https": "http"}.get(scheme.lower(), "")
    return f"{twin}://{rest}" if twin and separator else ""


def scheme_problem(kind: str, value: str, own_urls: list[str]) -> str | None:
    """Why a pattern is refused that accepts none of the service's own addresses (its URL; for
    PRONOTE its espaces) but one of them in the other scheme: an ``https://`` URL with an
    ``http://…/**`` pattern, or the reverse. « Mon espace » opens the service by sending its
    URL to ``/cas/login``, which lets through only what a pattern accepts: without another
    pattern, every launch would be refused as an unknown service. One scheme for the URL and
    the patterns (``^https?://…`` accepts both). ``None`` otherwise (a pattern that accepts the
    URL, or neither it nor its twin: :func:`pattern_problem` says so). Raises as
    :func:`matches`."""
    if not own_urls or any(matches(kind, value, url) for url in own_urls):
        return None
    for url in own_urls:
        twin = other_scheme(url)
        if twin and matches(kind, value, twin):
            return _(
                "Ce motif accepte l'adresse du service en %(scheme)s (%(twin)s), pas son URL "
                "(%(url)s) : « Mon espace » ouvre le service en envoyant son URL au CAS, qui "
                "n'accepte que ce qu'un motif accepte. Donnez à l'URL et aux motifs le même "
                "schéma, celui de l'adresse que le service envoie au CAS (pour PRONOTE.net, son "
                "« URL de PRONOTE.net pour le serveur CAS ») ; pour accepter les deux, écrivez "
                "une expression régulière commençant par ^https?://."
            ) % {"scheme": twin.partition(":")[0], "twin": twin, "url": url}
    return None


def check_pattern(kind: str, value: str, own_urls: list[str]) -> str | None:
    """The message of :func:`pattern_problem`, or ``None``."""
    problem = pattern_problem(kind, value, own_urls)
    return problem.message if problem else None


def default_pronote_pattern(url: str) -> str:
    """PRONOTE's « URL de PRONOTE.net pour le serveur CAS »: the public URL followed by ``**``."""
    base = pronote_base(url)
    return base + "**"


def pronote_root_missing(url: str) -> bool:
    """Whether a PRONOTE.net public URL lacks its publication root (« racine », ``/pronote/``
    on Index Education's hosting): ``https://0312609t.index-education.net/`` would make the
    launcher, the patterns and the diagnostic aim at ``…/eleve.html``, which does not exist."""
    return urlsplit(url).path in ("", "/")


def pronote_root_message() -> str:
    return _(
        "L'URL publique de PRONOTE.net se termine par sa racine de publication, par exemple "
        "https://0312609t.index-education.net/pronote/ : sans elle, « Mon espace » et le "
        "diagnostic visent des pages qui n'existent pas."
    )


def wildcard_url_problem(url: str) -> str | None:
    """Why a service's URL holding « * » is refused, or ``None``: a pattern typed as the URL —
    PRONOTE's « URL de PRONOTE.net pour le serveur CAS » (``https://…/pronote/**``) pasted
    whole, whose patterns would then be ``…/pronote/**/**`` and accept no espace."""
    if "*" not in url:
        return None
    return _(
        "« %(url)s » est un motif, pas une adresse : l'URL d'un service ne contient pas « * ». "
        "Saisissez l'adresse elle-même, %(fixed)s (pour PRONOTE.net, son « URL de PRONOTE.net "
        "pour le serveur CAS » sans les « ** ») ; les motifs vont dans « Motifs d'URL CAS "
        "autorisés »."
    ) % {"url": url[:200], "fixed": url.split("*", 1)[0][:200]}


def is_ticket_parameter(part: str) -> bool:
    """Whether one ``name=value`` part of a query string is a ``ticket`` parameter, however
    spelt (``tick%65t``, as a form decoder reads it): the parameter CAS puts in a service URL
    (CAS 3.0 §2.2.4). One reading for the portal's forms and the CAS (``cas.services``)."""
    return unquote_plus(part.partition("=")[0]) == "ticket"


def has_ticket_parameter(url: str) -> bool:
    return any(is_ticket_parameter(part) for part in urlsplit(url).query.split("&"))


def ticket_parameter_problem(url: str) -> str | None:
    """Why a service's URL is refused when its query has a ``ticket`` parameter (however spelt):
    that is where the CAS puts the ticket of each connection (CAS 3.0 §2.2.4), and the services
    bar sends this URL as the service: each connection would carry a spent ticket too."""
    if not has_ticket_parameter(url):
        return None
    return _(
        "L'URL ne doit pas contenir de paramètre « ticket » : c'est là que le CAS met le ticket "
        "de chaque connexion. Retirez-le de l'adresse."
    )


def pronote_base(url: str) -> str:
    """The PRONOTE.net publication root, ending with ``/``.

    ``…/pronote/eleve.html`` → ``…/pronote/``; ``…/pronote`` → ``…/pronote/``."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if not path.endswith("/"):
        last = path.rsplit("/", 1)[-1]
        path = path[: -len(last)] if "." in last else path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"
