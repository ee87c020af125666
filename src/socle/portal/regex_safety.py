"""Regular expressions that backtrack for ever: a repetition whose turns can be cut in many ways.

Python's ``re`` backtracks, and holds the GIL while it matches: against ``(\\w+-?)*\\.html`` an
address of 40 letters and no ``.html`` takes minutes, and 60 letters longer than a school year,
during which the whole worker process (all its threads) answers nobody. The CAS no longer
matches service patterns with it: RE2 does (``socle.core.linear_regex``), in linear time,
whatever the expression. This module is what remains of the first defence: the portal's form,
the Django admin and ``service_add`` refuse such an expression, and ``socle.W042`` reports one
saved before, since it is a mistake (an ambiguous repetition) that would stall any engine that
backtracks (another CAS it is copied to, a tool that reads the registry), not because the CAS
would stall on it.

:func:`backtracks` finds a repetition (``*``, ``+``, ``{2,}``) whose turns a text can be cut
into in more than one way:

- the body holds another unbounded repetition and nothing else that must consume a character:
  ``(a+)+``, ``(\\w+-?)*``, ``(?:\\d*)+``, ``(a|b+)*``;
- two alternatives of the body accept the same text, or one the start of another: ``(a|a)*``,
  ``(a|ab)*`` (Python's parser reads them ``a(?:|)`` and ``a(?:|b)``: an empty alternative
  beside another), ``(ab|[ab]c)*`` (two alternatives that may start with the same character);
- a part of the body that may stop early or go on (a repetition, an optional part) is followed
  by a character it may itself accept: ``([a-z.]+\\.)*`` (each dot may end a turn or belong to
  the next), ``(aa?)*``.

A separator the body must consume and its repetition does not accept is not reported
(``([a-z0-9-]+\\.)*example\\.org``, sub-domains: each turn ends at its own dot). The search
errs on the side of reporting. :func:`slow_pattern` adds patterns with more than two wildcards
that accept anything (``**``, ``.*``), polynomial rather than exponential in an engine that
backtracks.
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # the parser's opcodes (Python 3.11+)
import re._parser as sre_parse
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from socle.portal.models import PatternKind

_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)
Item = tuple[Any, Any]


def _repeat(op: Any, av: Any) -> bool:
    """A repetition that may run more than once (``?`` and ``{0,1}`` may not)."""
    return op in _REPEATS and av[1] > 1


def _nullable(op: Any, av: Any) -> bool:
    """Whether the item may match the empty string."""
    if op in _REPEATS or op is sre_constants.POSSESSIVE_REPEAT:
        return av[0] == 0 or all(_nullable(*item) for item in av[2])
    if op is sre_constants.SUBPATTERN:
        return all(_nullable(*item) for item in av[-1])
    if op is sre_constants.BRANCH:
        return any(all(_nullable(*item) for item in branch) for branch in av[1])
    return op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT)


def _flat(items: Any) -> list[Item]:
    """The items of a sequence, its groups opened: ``((\\w+)-?)`` reads as ``\\w+ -?``."""
    out: list[Item] = []
    for op, av in items:
        if op is sre_constants.SUBPATTERN:
            out.extend(_flat(av[-1]))
        else:
            out.append((op, av))
    return out


def _ambiguous(body: Any) -> bool:
    """Whether a repeated body holds an unbounded repetition and nothing else that must
    consume a character (or one alternative that does)."""
    items = _flat(body)
    if len(items) == 1 and items[0][0] is sre_constants.BRANCH:
        return any(_ambiguous(branch) for branch in items[0][1][1])
    for index, item in enumerate(items):
        others = items[:index] + items[index + 1 :]
        if _repeat(*item) and all(_nullable(*other) for other in others):
            return True
    return False


def _children(op: Any, av: Any) -> list[Any]:
    """The sequences an item holds (a repetition's body, a group's, each alternative…)."""
    if op in _REPEATS or op is sre_constants.POSSESSIVE_REPEAT:
        return [av[2]]
    if op is sre_constants.SUBPATTERN:
        return [av[-1]]
    if op is sre_constants.BRANCH:
        return list(av[1])
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [av[1]]
    return []


# --- characters: the ASCII ones (normalised addresses are ASCII) an item may start with ------
_ASCII = frozenset(range(128))
_CATEGORIES = {
    sre_constants.CATEGORY_DIGIT: frozenset(c for c in _ASCII if chr(c).isdigit()),
    sre_constants.CATEGORY_WORD: frozenset(c for c in _ASCII if chr(c).isalnum() or c == 95),
    sre_constants.CATEGORY_SPACE: frozenset(c for c in _ASCII if chr(c).isspace()),
}
_CATEGORIES[sre_constants.CATEGORY_NOT_DIGIT] = _ASCII - _CATEGORIES[sre_constants.CATEGORY_DIGIT]
_CATEGORIES[sre_constants.CATEGORY_NOT_WORD] = _ASCII - _CATEGORIES[sre_constants.CATEGORY_WORD]
_CATEGORIES[sre_constants.CATEGORY_NOT_SPACE] = _ASCII - _CATEGORIES[sre_constants.CATEGORY_SPACE]


def _class(items: Any) -> frozenset[int]:
    """The ASCII characters a character class (``IN``) accepts."""
    found: set[int] = set()
    negate = False
    for op, av in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            found.add(av)
        elif op is sre_constants.RANGE:
            found.update(range(av[0], min(av[1], 127) + 1))
        elif op is sre_constants.CATEGORY:
            found |= _CATEGORIES.get(av, _ASCII)
        else:  # a class form not read here: any character (errs on the side of reporting)
            return _ASCII
    return _ASCII - found if negate else frozenset(found)


def _first(items: Any) -> frozenset[int]:
    """The characters a text the sequence accepts may start with."""
    found: frozenset[int] = frozenset()
    for op, av in items:
        found |= _first_of(op, av)
        if not _nullable(op, av):
            break
    return found


def _first_of(op: Any, av: Any) -> frozenset[int]:
    if op is sre_constants.LITERAL:
        return frozenset({av})
    if op is sre_constants.NOT_LITERAL or op is sre_constants.ANY:
        return _ASCII - {av if op is sre_constants.NOT_LITERAL else 10}
    if op is sre_constants.IN:
        return _class(av)
    if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return frozenset()
    children = _children(op, av)
    if children or op is sre_constants.BRANCH:
        return frozenset().union(*(_first(child) for child in children))
    return _ASCII  # a back-reference, a conditional…: anything


def _overlapping_branch(av: Any) -> bool:
    """Whether two alternatives may accept the same text, or one the start of another (an empty
    one beside another, as the parser writes ``a|ab``: ``a(?:|b)``), or may start alike."""
    branches = av[1]
    nullable = [all(_nullable(*item) for item in branch) for branch in branches]
    if any(nullable) and len(branches) > 1:
        return True
    firsts = [_first(branch) for branch in branches]
    return any(firsts[i] & firsts[j] for i in range(len(firsts)) for j in range(i))


def _continues(op: Any, av: Any) -> frozenset[int]:
    """The characters with which an item that may stop early may go on (none for an item of
    one length): a repetition's (``+``, ``?``, ``{2,5}``) body's first ones, an alternative's."""
    if (op in _REPEATS or op is sre_constants.POSSESSIVE_REPEAT) and av[0] != av[1]:
        return _first(av[2])
    if op is sre_constants.BRANCH and any(
        all(_nullable(*item) for item in branch) for branch in av[1]
    ):
        return frozenset().union(*(_first(branch) for branch in av[1]))
    return frozenset()


def _cut_in_many_ways(body: Any) -> bool:
    """Whether the turns of a repetition of ``body`` may be cut in more than one way (the
    module's second and third forms)."""
    items = _flat(body)
    for index, (op, av) in enumerate(items):
        if op is sre_constants.BRANCH and _overlapping_branch(av):
            return True
        going_on = _continues(op, av)
        if not going_on:
            continue
        rest = items[index + 1 :]
        after = _first(rest)
        if all(_nullable(*item) for item in rest):
            after |= _first(items)  # the next turn
        if going_on & after:
            return True
    return False


def _nested(items: Any) -> bool:
    for op, av in items:
        if _repeat(op, av) and (_ambiguous(av[2]) or _cut_in_many_ways(av[2])):
            return True
        if any(_nested(child) for child in _children(op, av)):
            return True
    return False


_UNREADABLE = (re.error, RecursionError, OverflowError)


@lru_cache(maxsize=4096)
def _parsed(value: str) -> Any:
    """The regular expression ``value`` parsed, once for both readings below (``None``: it does
    not compile, which is another refusal)."""
    try:
        return sre_parse.parse(value)
    except _UNREADABLE:
        return None


@lru_cache(maxsize=4096)
def backtracks(value: str) -> bool:
    """Whether the regular expression ``value`` nests an unbounded repetition in another as
    the module says (``False`` for one that does not compile: that is another refusal)."""
    items = _parsed(value)
    try:
        return items is not None and _nested(items)
    except _UNREADABLE:
        return False


def _wildcards(items: Any) -> int:
    """How many ``.*`` / ``.+`` (an unbounded repetition of any character) the sequence holds,
    at any depth."""
    count = 0
    for op, av in items:
        if _repeat(op, av) and [item[0] for item in av[2]] == [sre_constants.ANY]:
            count += 1
        count += sum(_wildcards(child) for child in _children(op, av))
    return count


MAX_WILDCARDS = 2


@lru_cache(maxsize=4096)
def slow_pattern(kind: str, value: str) -> bool:
    """Whether matching the pattern may take seconds to years on a crafted address: a regular
    expression that repeats a repetition (:func:`backtracks`), or more than
    :data:`MAX_WILDCARDS` wildcards that accept anything, an Ant pattern's ``**`` or a regular
    expression's ``.*`` — the tries grow as the address's length to the power of their number
    (three: 1.5 s for an address of 2,000 characters, four: a quarter of an hour)."""
    if kind == PatternKind.ANT:
        return value.count("**") > MAX_WILDCARDS
    if kind != PatternKind.REGEX:
        return False
    if backtracks(value):
        return True
    items = _parsed(value)
    try:
        return items is not None and _wildcards(items) > MAX_WILDCARDS
    except _UNREADABLE:
        return False


def slow_pattern_message(kind: str, value: str) -> str:
    """Why a :func:`slow_pattern` is refused (the active language)."""
    if kind == PatternKind.REGEX and backtracks(value):
        return backtracking_message()
    return _(
        "Ce motif contient plus de deux « ** » (ou « .* » dans une expression régulière) : "
        "d'autres logiciels que le CAS de l'ENT chercheraient des secondes ou des heures sur "
        "certaines adresses. Gardez-en deux au plus."
    )


def backtracking_message() -> str:
    """Why such an expression is refused (the active language)."""
    return _(
        "Cette expression régulière répète une répétition (par exemple (a+)+, (\\w+-?)*, "
        "(a|ab)* ou ([a-z.]+\\.)*) : un même texte s'y découpe de nombreuses façons, et "
        "d'autres logiciels que le CAS de l'ENT y passeraient des heures sur certaines "
        "adresses. Écrivez chaque partie répétée sans quantificateur à l'intérieur, ou séparez "
        "les répétitions par un caractère obligatoire que la partie répétée n'accepte pas, par "
        "exemple ([a-z0-9-]+\\.)*."
    )
