"""PRONOTE.net addresses hosted by Index Education name their establishment's UAI:
``https://<uai>.index-education.net/pronote/…`` (case does not matter in a host name). A
sub-domain of that host (``https://mobile.<uai>.index-education.net/``) counts as the same
school's: Index Education's zone names it under that UAI, and no other school has a reason to
register it (the UAI must be a whole label just before ``index-education.net``:
``x-0312609t.index-education.net`` names none).

The overlap checks (``socle.portal.foreign_patterns``) compare a pattern with the services
already declared; this module needs none: the address itself tells whose PRONOTE it is. So an
establishment's administrator may not register a service URL or pattern that may accept the
hosted address of a UAI they do not administer (school A would otherwise take school B's
address before B declares its PRONOTE, and receive B's users' tickets); an administrator of the
whole ENT may (``socle.W045`` then reports a service whose address names another UAI than its
establishment's: a typo, or a base shared by two schools).

Which hosts a pattern may accept is read from its literal prefix (``literal_prefix``: compiled
as the registry compiles it), on the safe side: a host that is not spelt to its end may be any
host that starts with what is spelt (``https://0312*`` may be ``0312799z.index-education.net``,
``^https://x\\.03`` a sub-domain of any UAI starting with 03). A host whose literal part ends in
a label that is not a UAI's beginning (``^https://appli\\.example\\.org(/.*)?$``) is not read as
possibly going on with ``.<uai>.index-education.net``: that would refuse every such regular
expression, and only what the pattern spells of a hosted host is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from socle.portal.internal_hosts import url_host
from socle.portal.models import PatternKind
from socle.portal.pattern_overlap import literal_prefix

HOSTED_DOMAIN = "index-education.net"
_HOSTED = re.compile(r"(?:.+\.)?(\d{7}[a-z])\.index-education\.net\.?")
_SUFFIX = ".index-education.net."  # what follows the UAI in a hosted host (trailing dot too)
_UAI_START = re.compile(r"\d{0,7}")  # a host spelt this far may go on with any UAI
_DIGITS_AND_DOTS = re.compile(r"[\d.]+")


@dataclass(frozen=True)
class HostedReach:
    """The hosted PRONOTE.net addresses a URL or pattern may accept: those of ``uais`` (upper
    case), or of any UAI (``any_uai``: its host is not spelt far enough to tell)."""

    uais: frozenset[str] = frozenset()
    any_uai: bool = False


def host_uai(host: str) -> str | None:
    """The UAI (upper case) a host names when it is a hosted PRONOTE.net one or a sub-domain of
    one (``mobile.0312609t.index-education.net``), else ``None``."""
    match = _HOSTED.fullmatch(host.lower())
    return match.group(1).upper() if match else None


def url_uai(url: str) -> str | None:
    """The UAI a URL's host names when it is a hosted PRONOTE.net address, else ``None``."""
    return host_uai(url_host(url))


def url_reach(url: str) -> HostedReach:
    """The hosted PRONOTE.net address a service's URL names, if it names one."""
    return _named(url_uai(url))


def _named(*uais: str | None) -> HostedReach:
    return HostedReach(frozenset(uai for uai in uais if uai))


def pattern_reach(kind: str, value: str) -> HostedReach:
    """Which hosted PRONOTE.net addresses the pattern ``(kind, value)`` may accept."""
    if kind == PatternKind.EXACT:
        return url_reach(value)
    prefix = literal_prefix(kind, value)
    scheme_end = prefix.text.find("://")
    if scheme_end < 0:  # not even the scheme is spelt: any host
        return HostedReach(any_uai=True)
    netloc = prefix.text[scheme_end + 3 :]
    path = next((i for i, c in enumerate(netloc) if c in "/?#"), None)
    host, colon, _port = netloc[:path].rpartition("@")[2].partition(":")
    if path is not None or prefix.exact or colon:  # the host is spelt to its end
        return _named(host_uai(host))
    # The host goes on past the literal part: any host that starts with it. Its first label, or
    # one after a dot (a sub-domain), may be a UAI begun (any UAI) or spelt (that UAI); not in
    # an IPv4 address being spelt (``^https://51\.15\.3\.4(/.*)?$``), which names no domain.
    dots = [] if _DIGITS_AND_DOTS.fullmatch(host) else [i for i, c in enumerate(host) if c == "."]
    uais = []
    for label in (host, *(host[dot + 1 :] for dot in dots)):
        if _UAI_START.fullmatch(label):
            return HostedReach(any_uai=True)
        if _SUFFIX.startswith(label[8:]):
            uais.append(host_uai(label[:8] + ".index-education.net"))
    return _named(*uais)


def foreign_uai_refusal(
    reach: HostedReach, own_uais: Iterable[str], *, regex: bool = False
) -> str | None:
    """Why an establishment's administrator, of the establishments of ``own_uais``, may not
    save a URL or pattern of this reach, or ``None``; ``regex``: the pattern is a regular
    expression (the message then says how to start it)."""
    own = sorted(uai.upper() for uai in own_uais)
    if reach.any_uai:
        example = f"https://{(own[0] if own else '0312609T').lower()}.{HOSTED_DOMAIN}/pronote/"
        if regex:
            return _(
                "Cette expression régulière ne commence pas par l'adresse complète du service "
                "(par exemple ^https://appli\\.exemple\\.fr/) : elle pourrait accepter l'adresse "
                "PRONOTE.net d'un autre établissement (https://<UAI>.index-education.net/), que "
                "vous n'administrez pas."
            )
        return _(
            "Ce motif pourrait accepter l'adresse PRONOTE.net d'un autre établissement "
            "(https://<UAI>.index-education.net/), que vous n'administrez pas : écrivez le nom "
            "de domaine complet, par exemple %(example)s**."
        ) % {"example": example}
    foreign = sorted(reach.uais - set(own))
    if not foreign:
        return None
    return _(
        "Cette adresse est celle du PRONOTE.net hébergé de l'établissement %(uai)s, que vous "
        "n'administrez pas : seul un administrateur de l'ENT peut y enregistrer un service. "
        "Vérifiez l'UAI écrit dans l'adresse (vos établissements : %(own)s)."
    ) % {"uai": foreign[0], "own": ", ".join(own) or "—"}


def named_uais(url: str, patterns: Iterable[tuple[str, str]]) -> list[str]:
    """The UAIs whose hosted PRONOTE.net address a service's URL or patterns name, sorted."""
    uais = {url_uai(url)} if url else set()
    for kind, value in patterns:
        uais |= pattern_reach(kind, value).uais
    return sorted(uai for uai in uais if uai)


def other_uai_warning(code: str, establishment_uai: str, others: list[str]) -> str:
    """``socle.W045``'s text (also said by ``service_add``, the Django admin and the form's
    page once saved): a service of one establishment whose address names other UAIs."""
    return _(
        "Le service « %(code)s » de l'établissement %(uai)s a une adresse PRONOTE.net qui "
        "désigne un autre établissement (%(others)s) : vérifiez l'UAI écrit dans l'URL et les "
        "motifs (une faute de frappe ?). Deux établissements qui partagent une même base "
        "PRONOTE peuvent l'ignorer."
    ) % {"code": code, "uai": establishment_uai, "others": ", ".join(others)}


def service_uai_warning(
    code: str, establishment_uai: str, url: str, patterns: Iterable[tuple[str, str]]
) -> str | None:
    """:func:`other_uai_warning` for a service of the establishment ``establishment_uai``
    (empty: of the whole ENT, never warned) whose URL or patterns name other UAIs."""
    if not establishment_uai:
        return None
    others = [uai for uai in named_uais(url, patterns) if uai != establishment_uai.upper()]
    return other_uai_warning(code, establishment_uai, others) if others else None
