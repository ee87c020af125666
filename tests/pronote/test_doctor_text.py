"""``pronote_doctor``'s text: a long list (identifiers held by people who left, « Identifiant
CAS » differences) shows its first lines, then how many more ``--all`` would show."""

from __future__ import annotations

from socle.pronote.management.commands.pronote_doctor import _capped


def test_it_shows_the_first_lines_then_how_many_more() -> None:
    lines = [f"  ligne {n}" for n in range(25)]
    assert _capped(lines, 20) == [*lines[:20], "  … et 5 autre(s) (--all)"]


def test_it_shows_every_line_with_all_or_under_the_limit() -> None:
    lines = [f"  ligne {n}" for n in range(25)]
    assert _capped(lines, None) == lines
    assert _capped(lines[:3], 20) == lines[:3]
