"""The « Détail » of a trace in the reader's language.

Details are stored in French, whatever the language of the page or command that recorded them
(the journal's language: the logs and the person's data export read them as stored; the
« Traces » page, its CSV export and the export page's history translate them, below), and
were written from French templates: ``gettext_noop`` strings with ``%(name)s`` placeholders,
kept beside the code that writes them. Storing a code and its parameters instead would need
another column on the largest table, written by the trace writer's plain rows, and would leave
the traces already stored in French: the display reads the text back instead.

Each app registers the templates of its events' details (:func:`register_detail_forms`, from its
``AppConfig.ready``). :func:`shown_detail` finds the template a detail was written from (the
event's forms, tried in order), and gives it in the active language, filled with the values
read back; a value that is itself one of a few French labels (an import's mode, populations…)
is declared :class:`Known` and given in the active language too. A detail no form matches (a
service's label, an older wording, a text cut at 500 characters) is shown as stored, and said to
be French (``lang="fr"`` on an English page).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils import translation
from django.utils.translation import gettext

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")

Form = Callable[[str], "str | None"]
"""A :class:`DetailForm`, or any function giving a detail in the active language (``None``:
not written by it)."""


@dataclass(frozen=True)
class Known:
    """A placeholder whose value is one of the labels ``values()`` gives (lazy or evaluated in
    the active language: each is read once in French, once in the reader's language); with
    ``many``, several of them joined by « , » (none at all too)."""

    values: Callable[[], Iterable[object]]
    many: bool = False
    # French label → shown label, per language: the labels are the code's, their translations
    # the catalogues', fixed while the process runs (as the regex built from them), so that a
    # journal's CSV export does not read them again for each row
    _tables: dict[str | None, dict[str, str]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def _french(self) -> list[str]:
        with translation.override("fr"):
            return [str(v) for v in self.values()]

    def pattern(self) -> str:
        one = "|".join(re.escape(v) for v in sorted(self._french(), key=len, reverse=True))
        return f"(?:(?:{one})(?:, (?:{one}))*)?" if self.many else f"(?:{one})"

    def _table(self) -> dict[str, str]:
        language = translation.get_language()
        table = self._tables.get(language)
        if table is None:
            table = dict(zip(self._french(), (str(v) for v in self.values()), strict=True))
            self._tables[language] = table
        return table

    def shown(self, value: str) -> str:
        table = self._table()
        if not self.many:
            return table[value]
        return ", ".join(table[part] for part in value.split(", ")) if value else ""


class Nested:
    """A placeholder whose value was itself written from one of ``forms`` (what a service
    receives, in the detail of its change)."""

    def __init__(self, *forms: Form) -> None:
        self.forms = forms

    def pattern(self) -> str:
        return ".*?"

    def shown(self, value: str) -> str:
        for form in self.forms:
            text = form(value)
            if text is not None:
                return text
        raise KeyError(value)


@dataclass
class DetailForm:
    """A French template a detail is written from (``template % values``), and how each
    :class:`Known` or :class:`Nested` placeholder's value is shown; the others are data, shown
    as they are."""

    template: str
    known: dict[str, Known | Nested] = field(default_factory=dict)
    # The same detail for a reader other than the account it names (``template`` naming it by
    # a placeholder: « Mot de passe de %(person)s … »), in French as stored: see
    # :func:`without_accounts`.
    other_account: str = ""
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def regex(self) -> re.Pattern[str]:
        if self._regex is None:  # built once the apps are ready (the labels are translated)
            parts = _PLACEHOLDER.split(self.template)
            pattern = ""
            for position, part in enumerate(parts):
                if position % 2 == 0:
                    pattern += re.escape(part)
                else:
                    known = self.known.get(part)
                    pattern += f"(?P<{part}>{known.pattern() if known else '.*?'})"
            self._regex = re.compile(pattern, re.DOTALL)
        return self._regex

    def __call__(self, detail: str) -> str | None:
        found = self.regex().fullmatch(detail)
        if found is None:
            return None
        values = {
            name: self.known[name].shown(value) if name in self.known else value
            for name, value in found.groupdict().items()
        }
        return gettext(self.template) % values


_FORMS: dict[str, list[Form]] = {}


def register_detail_forms(events: str | Iterable[str], *forms: Form) -> None:
    """The forms of the details of ``events``, tried in order (a longer template before one
    that is its beginning)."""
    for event in [events] if isinstance(events, str) else events:
        _FORMS.setdefault(event, []).extend(forms)


class ShownDetail(NamedTuple):
    text: str
    french: bool  # shown as stored: French whatever the page's language


def shown_detail(event: str, detail: str) -> ShownDetail:
    """``detail`` of a trace of ``event`` in the active language, when one of the event's forms
    wrote it; else as stored."""
    for form in _FORMS.get(event, ()) if detail else ():
        try:
            text = form(detail)
        except (KeyError, ValueError, TypeError):  # a label no longer known, a bad translation
            continue
        if text is not None:
            return ShownDetail(text, False)
    return ShownDetail(detail, bool(detail))


def detail_text(event: str, detail: str) -> str:
    return shown_detail(event, detail).text


def without_accounts(event: str, detail: str, own: Iterable[str] = ()) -> str | None:
    """``detail`` of a trace of ``event`` without the other account it names (an
    administrator's act on someone: « accès individuel : camille.martin » → « accès individuel :
    un autre compte »), as stored (French), for the export of the person who acted (the right
    of access gives them their data, not other people's); as it is when what it names is one
    of ``own`` (the reader's login or name); ``None`` when no form naming an account wrote it."""
    for form in _FORMS.get(event, ()) if detail else ():
        if not isinstance(form, DetailForm) or not form.other_account:
            continue
        found = form.regex().fullmatch(detail)
        if found is not None:
            named = set(found.groupdict().values())
            return detail if named and named <= set(own) else form.other_account
    return None
