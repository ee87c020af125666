"""Whether two service patterns may accept a common URL, decided without enumerating URLs.

The registry gives a URL to the first service whose pattern accepts it (``socle.cas.services``).
A pattern that can accept a URL of another service can therefore take that service's tickets:
its users would be refused or identified under other rules. Whether two regular expressions
share a word is decidable but costly in general; this module answers a safe approximation
that never says "no" wrongly:

- every URL a pattern accepts starts with its *literal prefix*: the whole normalised URL of an
  exact pattern (or of an Ant pattern without wildcard), the text before the first ``*`` of an
  Ant pattern (scheme, host and default port normalised as ``compile_pattern`` does), and the
  leading literal characters of a regular expression (``""`` when it starts with a class, a
  group, an inline flag, or has a top-level ``|``);
- two patterns may overlap when one literal prefix starts with the other, compared without
  case (a pattern with ``(?i)`` or a host written in capitals is caught too). Two exact
  patterns overlap only when they are the same URL.

False alarms are possible (``https://h/a/**`` against ``^https://h/(b|c)/``), missed overlaps
are not: used to keep one establishment's administrator off the addresses of another
establishment's services, a refusal then sends the pattern to an ENT-wide administrator.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from socle.portal.models import PatternKind

_ANT_HEAD = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#*]*)(.*)$", re.S)
_META = set(".^$*+?{}[]\\|()")
_QUANTIFIERS = set("*+?{")


@dataclass(frozen=True)
class Prefix:
    """Every URL the pattern accepts starts with ``text``; ``exact``: it is the only one."""

    text: str
    exact: bool


def literal_prefix(kind: str, value: str) -> Prefix:
    """The literal prefix of a pattern (lower-cased), as the module docstring defines it."""
    if kind == PatternKind.REGEX:
        return Prefix(_regex_prefix(value).lower(), exact=False)
    if kind == PatternKind.EXACT or "*" not in value:
        return Prefix(_normalise(value).lower(), exact=True)
    head = value.split("*", 1)[0]
    match = _ANT_HEAD.match(head)
    if match:
        scheme, host, rest = match.group(1).lower(), match.group(2).lower(), match.group(3)
        if (scheme, host.rpartition(":")[2]) in (("http", "80"), ("https", "443")):
            host = host.rpartition(":")[0]
        head = f"{scheme}://{host}{rest}"
    return Prefix(head.lower(), exact=False)


def may_overlap(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Whether the patterns ``(kind, value)`` ``a`` and ``b`` may accept a common URL."""
    first, second = literal_prefix(*a), literal_prefix(*b)
    if first.exact and second.exact:
        return first.text == second.text
    if first.exact:
        return first.text.startswith(second.text)
    if second.exact:
        return second.text.startswith(first.text)
    return first.text.startswith(second.text) or second.text.startswith(first.text)


def _normalise(url: str) -> str:
    """The CAS's URL normalisation when the CAS is there (``portal`` does not import ``cas``);
    else scheme and host lower-cased, default port dropped."""
    try:
        helper = getattr(importlib.import_module("socle.cas.services"), "normalise_url", None)
    except ImportError:
        helper = None
    if helper is not None:
        try:
            return str(helper(url))
        except ValueError:
            return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and (parts.scheme.lower(), parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


def _regex_prefix(value: str) -> str:
    if _has_top_level_alternation(value):
        return ""
    index = 1 if value.startswith("^") else 0
    out: list[str] = []
    while index < len(value):
        char = value[index]
        if char == "\\":
            following = value[index + 1 : index + 2]
            if not following or following.isalnum():  # \d, \w, \A, \1…: not a literal
                break
            literal, step = following, 2
        elif char in _META:
            break
        else:
            literal, step = char, 1
        if value[index + step : index + step + 1] in _QUANTIFIERS and index + step < len(value):
            break  # "a?" or "a*": the character itself is optional
        out.append(literal)
        index += step
    return "".join(out)


def _has_top_level_alternation(value: str) -> bool:
    depth, index, in_class = 0, 0, False
    while index < len(value):
        char = value[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if value[index + 1 : index + 2] == "]":  # "[]…]": a literal "]" first
                index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif char == "|" and depth == 0:
            return True
        index += 1
    return False
