"""Regular expressions that backtrack for ever: a repetition nested in a repetition.

Python's ``re`` backtracks, and holds the GIL while it matches: against ``(\\w+-?)*\\.html`` an
address of 40 letters and no ``.html`` takes minutes, and 60 letters longer than a school year,
during which the whole worker process (all its threads) answers nobody. A registered pattern
is matched against every ``service`` a browser or a validating client sends, so one such
expression lets anyone stop the CAS with a few requests.

:func:`backtracks` finds the classic form, a repetition (``*``, ``+``, ``{2,}``) whose body
holds another unbounded repetition and nothing else that must consume a character: ``(a+)+``,
``(\\w+-?)*``, ``(?:\\d*)+``, ``(a|b+)*``. Then a run the inner repetition accepts can be cut
among the outer one's turns in exponentially many ways, all tried before the match fails. A
separator the body must consume (``([a-z0-9-]+\\.)*example\\.org``, sub-domains) is not
reported: each turn ends at its own dot. Forms it does not find (two alternatives that accept
the same text, ``(a|a)*``; a separator the inner repetition also accepts, ``([a-z.]+\\.)*``)
are rarer in service addresses. :func:`slow_pattern` adds patterns with more than two wildcards
that accept anything (``**``, ``.*``), polynomial rather than exponential. The portal's form,
the Django admin and ``service_add`` refuse what they find, and the CAS ignores such a pattern
saved before (``socle.cas.services``).
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


def _nested(items: Any) -> bool:
    for op, av in items:
        if _repeat(op, av) and _ambiguous(av[2]):
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
        "Ce motif contient plus de deux « ** » (ou « .* » dans une expression régulière) : sur "
        "certaines adresses, le CAS chercherait des secondes ou des heures sans répondre à "
        "personne, et il l'ignorerait. Gardez-en deux au plus."
    )


def backtracking_message() -> str:
    """Why such an expression is refused (the active language)."""
    return _(
        "Cette expression régulière répète une répétition (par exemple (a+)+ ou (\\w+-?)*) : "
        "certaines adresses l'occuperaient des heures et bloqueraient le CAS, qui l'ignorerait. "
        "Écrivez chaque partie répétée sans quantificateur à l'intérieur, ou séparez les "
        "répétitions par un caractère obligatoire, par exemple ([a-z0-9-]+\\.)*."
    )
