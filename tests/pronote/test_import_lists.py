"""``pronote_import``: the lists of people it prints say how many were left out."""

from __future__ import annotations

import io

from django.core.management.base import OutputWrapper

from socle.pronote.management.commands.pronote_import import Command
from socle.pronote.management.import_preview import SHOWN


def command_output(total: int) -> str:
    command = Command()
    out = io.StringIO()
    command.stdout = OutputWrapper(out)
    command._more(total)
    return out.getvalue()


def test_it_says_how_many_people_a_cut_list_leaves_out() -> None:
    assert command_output(SHOWN) == ""
    assert command_output(SHOWN + 1) == ("  … et 1 autre (liste complète : --report FICHIER.csv)\n")
    assert "… et 12 autres" in command_output(SHOWN + 12)
