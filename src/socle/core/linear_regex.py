"""Regular expressions matched in linear time: RE2, for the patterns administrators write.

Python's ``re`` backtracks, and holds the GIL while it matches: a pattern such as
``^https://h/(\\w+-?)*\\.html`` (or the Ant pattern ``https://h/*a*a*ab``, compiled to
``[^/?#]*a[^/?#]*a…``) keeps a worker process, all its threads, busy for minutes to years on
one crafted ``service`` address. No detector finds every such form. RE2 (Google's engine, the
``google-re2`` wheel) matches in time linear in the address's length whatever the expression:
every service pattern with a wildcard, and every regular expression an administrator writes,
is matched with it (``socle.cas.services.compile_pattern``, and the portal's checks that try a
pattern on addresses).

RE2 reads Python's syntax but for the constructions that need backtracking: lookarounds
(``(?=…)``, ``(?!…)``, ``(?<=…)``, ``(?<!…)``), back-references (``\\1``, ``(?P=name)``),
possessive quantifiers and atomic groups, conditionals, the ``x``, ``a`` and ``L`` flags and
repetitions over 1,000. Such an expression is refused as invalid (:class:`Unsupported`, a
``re.error``), in the language of the request. Two differences of spelling only are mended
before RE2 reads the expression (:func:`for_re2`): a comment ``(?#…)`` is left out and ``\\Z``
is read as RE2's ``\\z`` (the end of the text, both). ``{,n}`` (Python: 0 to n times; RE2:
the characters themselves) and a POSIX class in a class, ``[[:alpha:]]`` (Python: the
characters ``[:alph`` then a "]"; RE2: the letters), are refused (:func:`python_only`), so that
no expression means one thing in the portal's checks and another in the CAS.
Addresses are ASCII once normalised (``socle.cas.services.normalise_url``), so ``\\d``, ``\\w``
and ``.`` mean the same for both engines.
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # the parser's opcodes (Python 3.11+)
import re._parser as sre_parse
from collections.abc import Iterator
from functools import lru_cache
from typing import Protocol

import re2  # type: ignore[import-untyped]  # google-re2: no type information
from django.utils.translation import gettext as _

_OPTIONS = re2.Options()
_OPTIONS.never_capture = True  # whether and where it matches, never what the groups hold
_OPTIONS.log_errors = False  # a refused expression is the caller's message, not a log line
_BOTH = re2._re2.RE2.Anchor.ANCHOR_BOTH
_START = re2._re2.RE2.Anchor.ANCHOR_START
_MISSING = (-1, -1)
_EMPTY_MINIMUM = re.compile(r"\{,\d*\}")
_POSIX_CLASS = re.compile(r"\[:\^?[A-Za-z]+:\]")


class UrlMatcher(Protocol):
    """What the registry keeps per pattern: a :class:`LinearPattern`, or a ``re.Pattern`` for
    an exact URL."""

    @property
    def pattern(self) -> str: ...

    def fullmatch(self, text: str, /) -> object: ...


class Unsupported(re.error):
    """An expression RE2 does not read (a lookaround, a back-reference…): the message says
    which construction, in the active language."""


class LinearPattern:
    """A compiled expression: :meth:`fullmatch` and :meth:`match` answer in linear time.

    A text that does not start with the expression's literal start (``prefix``:
    ``https://0312609t.index-education.net/pronote/`` for that PRONOTE's Ant pattern) is
    refused without calling RE2: the registry tries each pattern in turn, and RE2's call costs
    some microseconds where ``str.startswith`` costs a tenth of one."""

    __slots__ = ("_regexp", "pattern", "prefix")

    def __init__(self, pattern: str, prefix: str = "") -> None:
        self.pattern = pattern
        self.prefix = prefix
        self._regexp = re2._re2.RE2(for_re2(pattern).encode("utf-8", "surrogatepass"), _OPTIONS)
        if not self._regexp.ok():
            error = self._regexp.error()
            text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
            raise Unsupported(_unsupported_message(text.rpartition(": ")[2]))

    def _matches(self, anchor: object, text: str) -> bool:
        if not text.startswith(self.prefix):
            return False
        data = text.encode("utf-8", "surrogatepass")
        return bool(self._regexp.Match(anchor, data, 0, len(data))[0] != _MISSING)

    def fullmatch(self, text: str) -> bool:
        """Whether the whole of ``text`` matches."""
        return self._matches(_BOTH, text)

    def match(self, text: str) -> bool:
        """Whether a start of ``text`` matches (``re.match``)."""
        return self._matches(_START, text)


def _tokens(pattern: str) -> Iterator[tuple[str, bool]]:
    """``pattern`` cut as Python's parser reads it: each token with whether it stands inside a
    character class (``[…]``). An escape (``\\x``) is one token, a class's opening (``[``,
    ``[^``, ``[]``, ``[^]``: a "]" first is a member) one, a comment ``(?#…)`` one (ended by the
    first ``)`` that is not escaped, as in Python); anything else, one character."""
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            end = index + 2
        elif in_class:
            end = index + 1
        elif char == "[":
            end = index + 1 + pattern.startswith("^", index + 1)
            end += pattern.startswith("]", end)
        elif pattern.startswith("(?#", index):
            end = index + 3
            while end < len(pattern) and pattern[end] != ")":
                end += 2 if pattern[end] == "\\" else 1
            end += 1
        else:
            end = index + 1
        token = pattern[index:end]
        yield token, in_class
        if char != "\\":
            in_class = char == "[" if not in_class else char != "]"
        index = end


def for_re2(pattern: str) -> str:
    """``pattern`` as RE2 reads it the way Python does: its comments ``(?#…)`` left out, ``\\Z``
    written ``\\z``; a character class (``[…]``) and an escaped character kept as they are."""
    if "(?#" not in pattern and "\\Z" not in pattern:
        return pattern
    return "".join(
        "\\z" if token == "\\Z" and not in_class else token
        for token, in_class in _tokens(pattern)
        if in_class or not token.startswith("(?#")
    )


def python_only(pattern: str) -> str:
    """The first construction ``pattern`` writes that RE2 reads otherwise than Python, "" when
    none: ``{,n}`` (Python: 0 to n times; RE2: the characters themselves) and, in a class, a
    POSIX class ``[:alpha:]`` (Python: the characters ``[:alph`` then a "]"; RE2: the
    letters). Read token by token, so that ``\\{,3}`` (an escaped backslash, then ``{,3}``) is
    found and ``\\{,3}`` with one backslash or ``[{,3}]`` (characters both) are not."""
    position = 0
    for token, in_class in _tokens(pattern):
        if in_class and token == "[":
            posix = _POSIX_CLASS.match(pattern, position)
            if posix:
                return posix.group()
        elif not in_class and token == "{" and _EMPTY_MINIMUM.match(pattern, position):
            return "{,n}"
        position += len(token)
    return ""


def _unsupported_message(detail: str) -> str:
    return _(
        "construction « %(detail)s » que le CAS n'évalue pas : il compare les adresses en temps "
        "linéaire (moteur RE2), sans assertion (?=…) (?!…) (?<=…), référence arrière (\\1), "
        "quantificateur possessif, {,n} (écrivez {0,n}), classe POSIX [[:alpha:]] (écrivez "
        "[a-zA-Z]) ni répétition de plus de 1000"
    ) % {"detail": detail[:40]}


def literal_start(pattern: str) -> str:
    """The text every match of ``pattern`` starts with, as Python's parser reads it (its
    leading characters, after ``^``), "" when it has none or ignores case."""
    try:
        items = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return ""
    if items.state.flags & re.IGNORECASE:
        return ""
    out = []
    for op, av in items:
        if op is sre_constants.AT and av in (
            sre_constants.AT_BEGINNING,
            sre_constants.AT_BEGINNING_STRING,
        ):
            continue
        if op is not sre_constants.LITERAL:
            break
        out.append(chr(av))
    return "".join(out)


@lru_cache(maxsize=4096)
def compile_linear(pattern: str) -> LinearPattern:
    """``pattern`` compiled for RE2. Raises :class:`Unsupported` (a ``re.error``) when RE2
    does not read it, or reads it otherwise than Python (:func:`python_only`, checked before
    Python's parser reads it for :func:`literal_start`)."""
    python_read = python_only(pattern)
    if python_read:
        raise Unsupported(_unsupported_message(python_read))
    return LinearPattern(pattern, literal_start(pattern))
