"""A pattern that differs from a service's address only by the case of its path.

The CAS compares paths as written (RFC 3986 §6.2.2.1: only the scheme and the host are
case-insensitive), so a pattern ``https://…/pronote/**`` does not accept
``https://…/PRONOTE/eleve.html`` — and PRONOTE.net's publication root is written both ways in
the field guides (``…/pronote/`` on Index Education's hosting, with a capital P in the ENTs'
guides' ``…/?login=true``). When no pattern accepts an address, these helpers tell whether one
would, letters' case aside, and say so in French: the administrator typed the root in the other
case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from socle.core.linear_regex import compile_linear
from socle.portal.models import PatternKind
from socle.portal.patterns import default_pronote_pattern, matches


@dataclass(frozen=True)
class CaseMismatch:
    pattern: str
    url: str
    written: str  # the segment as the pattern writes it (« pronote »)
    asked: str  # the same segment in the address, in its other case


def _matches_ignoring_case(kind: str, value: str, url: str) -> bool:
    """Whether the pattern would accept ``url`` if case did not matter; a regular expression
    matched by RE2, as the CAS matches it (``socle.core.linear_regex``: linear in the
    address's length, whatever the administrator wrote), with its ``(?i)`` flag."""
    try:
        if kind == PatternKind.REGEX:
            return compile_linear(f"(?i){value}").fullmatch(url)
        return matches(kind, value.lower(), url.lower())
    except re.error:
        return False


def _segments(kind: str, value: str, url: str) -> tuple[str, str]:
    """The first path segments that differ only by case (the pattern's, the address's)."""
    literal = value if kind != PatternKind.REGEX else value.replace("\\", "")
    theirs = urlsplit(literal.split("*", 1)[0].lstrip("^")).path.split("/")
    ours = urlsplit(url).path.split("/")
    for written, asked in zip(theirs, ours, strict=False):
        if written != asked and written.lower() == asked.lower():
            return written, asked
    return "", ""


def other_case(urls: list[str], patterns: list[tuple[str, str]]) -> CaseMismatch | None:
    """For a caller that has just found that no pattern accepts any of ``urls`` as written: the
    first pattern that would accept one if case did not matter, or ``None``."""
    for kind, value in patterns:
        for url in urls:
            if _matches_ignoring_case(kind, value, url):
                written, asked = _segments(kind, value, url)
                return CaseMismatch(value, url, written, asked)
    return None


def _difference(mismatch: CaseMismatch) -> str:
    if mismatch.written and mismatch.asked:
        return _("« %(written)s » n'est pas « %(asked)s »") % {
            "written": mismatch.written,
            "asked": mismatch.asked,
        }
    return _("« /pronote/ » n'est pas « /PRONOTE/ »")


def case_mismatch_sentence(mismatch: CaseMismatch) -> str:
    """A pattern of any service that differs from its address only by case (the pattern's own
    check, :func:`socle.portal.patterns.pattern_problem`)."""
    return _(
        "Ce motif n'accepte pas l'URL du service (%(url)s), qui ne s'en distingue que par des "
        "majuscules ou minuscules : dans une adresse, le chemin les distingue (%(difference)s). "
        "Écrivez le chemin du motif avec les mêmes majuscules que l'adresse (pour PRONOTE.net, "
        "comme sa console l'affiche dans « URL de PRONOTE.net pour le serveur CAS »)."
    ) % {"url": mismatch.url, "difference": _difference(mismatch)}


def case_mismatch_message(mismatch: CaseMismatch, service_url: str) -> str:
    """Why the CAS refuses these addresses, and what to do (the service form, ``service_add``
    and ``socle.W046`` through :func:`socle.portal.foreign_patterns.pronote_espaces_refused`;
    « Diagnostic PRONOTE » and ``pronote_doctor``)."""
    return _(
        "Le motif « %(pattern)s » n'accepte pas %(url)s, qui ne s'en distingue que par des "
        "majuscules ou minuscules : dans une adresse, le chemin les distingue (%(difference)s), "
        "et le CAS refusera ces connexions (« service non autorisé »). Écrivez la racine de "
        "publication comme la console de PRONOTE l'affiche dans « URL de PRONOTE.net pour le "
        "serveur CAS », majuscules comprises, dans l'URL du service et dans le motif : "
        "%(fixed)s si l'URL du service est la bonne."
    ) % {
        "pattern": mismatch.pattern,
        "url": mismatch.url,
        "difference": _difference(mismatch),
        "fixed": default_pronote_pattern(service_url),
    }
