"""Whether two service patterns may accept a common URL, decided without enumerating URLs.

The registry gives a URL to the first service whose pattern accepts it (``socle.cas.services``).
A pattern that can accept a URL of another service can therefore take that service's tickets:
its users would be refused or identified under other rules. Whether two regular expressions
share a word is decidable but costly in general; this module answers a safe approximation
that never says "no" wrongly:

- every pattern is first compiled as the registry compiles it (``compile_pattern``: the regular
  expression over normalised URLs that an exact or Ant pattern becomes, percent-encoding and host
  normalised), then parsed by Python's own regular-expression parser (``re._parser``, the one
  ``re.compile`` uses, so comments, classes, escapes such as ``\x2f`` and inline flags are read
  exactly as the matcher reads them);
- its *literal prefix* is the run of plain characters at its start, after an optional ``^``:
  every URL it accepts starts with it. A branch, class, group or repeat ends it (a top-level
  ``|`` leaves it empty); a pattern that is literal to its end accepts that one URL (``exact``);
- two patterns may overlap when one literal prefix starts with the other, compared without
  case (a pattern with ``(?i)`` is caught too). Two exact patterns overlap only when equal.

False alarms are possible (``https://h/a/**`` against ``^https://h/(b|c)/``), missed overlaps
are not: used to keep one establishment's administrator off the addresses of another
establishment's services, a refusal then sends the pattern to an ENT-wide administrator.
``re._parser`` is private to the standard library: the tests pin the behaviour this relies on.
"""

from __future__ import annotations

import importlib
import re
import re._constants as sre_constants  # the parser's opcodes (Python 3.11+)
import re._parser as sre_parse
from dataclasses import dataclass

_END = {sre_constants.AT_END, sre_constants.AT_END_STRING}


@dataclass(frozen=True)
class Prefix:
    """Every URL the pattern accepts starts with ``text``; ``exact``: it is the only one."""

    text: str
    exact: bool


def literal_prefix(kind: str, value: str) -> Prefix:
    """The literal prefix of a pattern (lower-cased), as the module docstring defines it; an
    empty, inexact prefix (overlaps everything) for a pattern that cannot be compiled."""
    source = _compiled_source(kind, value)
    if source is None:
        return Prefix("", exact=False)
    try:
        items = list(sre_parse.parse(source))
    except re.error:
        return Prefix("", exact=False)
    out: list[str] = []
    for position, (op, argument) in enumerate(items):
        if op is sre_constants.AT and argument is sre_constants.AT_BEGINNING and position == 0:
            continue
        if op is sre_constants.LITERAL:
            out.append(chr(argument))
            continue
        if op is sre_constants.AT and argument in _END and position == len(items) - 1:
            break  # "$" at the very end: still the one URL
        return Prefix("".join(out).lower(), exact=False)
    return Prefix("".join(out).lower(), exact=True)


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


def _compiled_source(kind: str, value: str) -> str | None:
    """The regular expression the registry matches normalised URLs with (``socle.cas.services``
    when the CAS is there: ``portal`` does not import ``cas``; else the portal's local rules)."""
    try:
        helper = getattr(importlib.import_module("socle.cas.services"), "compile_pattern", None)
    except ImportError:
        helper = None
    try:
        if helper is not None:
            return str(helper(kind, value).pattern)
        from socle.portal.patterns import _local_compile

        return _local_compile(kind, value).pattern
    except (re.error, ValueError):
        return None
