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
from typing import Any

from socle.core.linear_regex import compile_linear

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


# --- a plain-http URL a regular expression surely accepts ------------------------------------
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}
_MAX_EXAMPLE = 2000  # characters: nested repeats (``(a{999}){999}``) are not spelt out
_CATEGORY_MEMBER = {
    sre_constants.CATEGORY_DIGIT: "0",
    sre_constants.CATEGORY_WORD: "a",
    sre_constants.CATEGORY_NOT_DIGIT: "a",
    sre_constants.CATEGORY_NOT_SPACE: "a",
}


def http_example(kind: str, value: str) -> str:
    """A plain-http URL the pattern surely accepts, "" when none is found: what follows its
    first top-level ``://`` in its shortest form (each repeat its minimum, each branch its first
    way, each class its first member), after ``http://``, kept only when the registry's own
    expression accepts it. ``^https?://pronote\\.lycee\\.test/.*`` gives
    ``http://pronote.lycee.test/``; ``^https://…``, ``^(https|http)://…`` as a whole inside a
    group, or a host behind a lookaround give "" (never a URL the pattern refuses)."""
    source = _compiled_source(kind, value)
    if source is None:
        return ""
    try:
        items = list(sre_parse.parse(source))
        compiled = compile_linear(source)  # an example of 2,000 characters: no backtracking
    except re.error:
        return ""
    separator = [(sre_constants.LITERAL, ord(c)) for c in "://"]
    for position in range(len(items) - 2):
        if items[position : position + 3] == separator:
            tail = _shortest(items[position + 3 :])
            example = f"http://{tail}" if tail is not None else ""
            return example if example and compiled.fullmatch(example) else ""
    return ""


def _shortest(items: list[tuple[object, object]]) -> str | None:
    """One short string the parsed items spell, None when one is not guessed."""
    out = ""
    for op, argument in items:
        piece = _shortest_item(op, argument)
        if piece is None or len(out) + len(piece) > _MAX_EXAMPLE:
            return None
        out += piece
    return out


def _shortest_item(op: object, argument: Any) -> str | None:
    if op is sre_constants.LITERAL:
        return chr(argument)
    if op is sre_constants.ANY or op is sre_constants.NOT_LITERAL:
        return "b" if op is sre_constants.NOT_LITERAL and argument == ord("a") else "a"
    if op is sre_constants.IN:
        return _class_member(argument)
    if op in _REPEATS:
        low, _high, sub = argument
        once = _shortest(list(sub)) if low else ""
        return None if once is None or len(once) * low > _MAX_EXAMPLE else once * low
    if op is sre_constants.SUBPATTERN:
        return _shortest(list(argument[-1]))
    if op is sre_constants.ATOMIC_GROUP:
        return _shortest(list(argument))
    if op is sre_constants.BRANCH:
        for way in argument[1]:
            found = _shortest(list(way))
            if found is not None:
                return found
        return None
    if op is sre_constants.AT:
        return ""  # an anchor spells nothing (the final match says whether it holds)
    return None  # lookarounds, back references, conditionals: not guessed


def _class_member(members: list[tuple[object, Any]]) -> str | None:
    """A character of ``[…]``: its first member, or for ``[^…]`` one of a few it leaves out."""
    if members and members[0][0] is sre_constants.NEGATE:
        excluded = members[1:]
        if any(
            op is not sre_constants.LITERAL and op is not sre_constants.RANGE for op, _ in excluded
        ):
            return None
        for candidate in "ax0-":
            code = ord(candidate)
            if not any(
                (op is sre_constants.LITERAL and arg == code)
                or (op is sre_constants.RANGE and arg[0] <= code <= arg[1])
                for op, arg in excluded
            ):
                return candidate
        return None
    if not members:
        return None
    op, argument = members[0]
    if op is sre_constants.LITERAL:
        return chr(argument)
    if op is sre_constants.RANGE:
        return chr(argument[0])
    if op is sre_constants.CATEGORY:
        return _CATEGORY_MEMBER.get(argument)
    return None
