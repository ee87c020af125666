"""Socle's own text writes PRONOTE as Index Education does, in capitals: « Importer les
identifiants PRONOTE » under the menu « Import PRONOTE », not « Pronote » beside it. PRONOTE's
own messages keep their words (``socle.pronote.pronote_says``); identifiers (``idPronote``,
``PronoteIdentity``) are not words of the UI."""

from __future__ import annotations

import re
from pathlib import Path

import polib

SRC = Path(__file__).resolve().parents[2] / "src" / "socle"
WORD = re.compile(r"\bPronote\b")


def test_it_writes_pronote_in_capitals_in_every_template_and_python_string() -> None:
    found = []
    for path in SRC.rglob("*"):
        if path.suffix not in {".py", ".html", ".txt", ".js"} or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if WORD.search(line):
                found.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert found == []


def test_it_writes_pronote_in_capitals_in_the_english_catalogue() -> None:
    catalogue = polib.pofile(str(SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    found = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete
        and (WORD.search(entry.msgid) or any(WORD.search(s) for s in entry_texts(entry)))
    ]
    assert found == []


def entry_texts(entry: polib.POEntry) -> list[str]:
    return [entry.msgstr, *entry.msgstr_plural.values()]
