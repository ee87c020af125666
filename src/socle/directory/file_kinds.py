"""Telling an AAF export from a PRONOTE identifier export by its root element (and a PRONOTE
CSV extraction by its header), so that each import names the other's file given to it by
mistake and points to the right command (``directory_import --format aaf`` /
``pronote_import``). One detection for both imports: ``socle.pronote.files.detect`` uses
:func:`is_aaf_export`, the directory import :func:`opens_as_pronote_file`."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from socle.core.pronote_names import FOLDED_PRONOTE_ID_NAMES, fold

SAMPLE = 8192  # the root element is within a file's first bytes (after a prolog, a comment)
_AAF_ROOT = re.compile(rb"<ficAlimMENESR[\s>]")
# PRONOTE's identifier export (``IdPN_To_….xml``): decrypted, or its encrypted envelope.
_PRONOTE_ROOT = re.compile(rb"<(?:IDENTIFIANTS_PRONOTE|EXPORT_INDEX_EDUCATION)[\s>/]")


def is_aaf_export(data: bytes) -> bool:
    """Whether ``data`` (a file, or its start) is an AAF export (``ficAlimMENESR``)."""
    return _AAF_ROOT.search(data[:SAMPLE]) is not None


def is_pronote_export(data: bytes) -> bool:
    """Whether ``data`` (a file, or its start) is a PRONOTE identifier export."""
    return _PRONOTE_ROOT.search(data[:SAMPLE]) is not None


def is_pronote_extraction(data: bytes) -> bool:
    """Whether ``data`` (a file, or its start) is a PRONOTE CSV extraction (``EXP_ELEVES.csv``…):
    a header line (``;``-separated, or by tabs, as the PRONOTE import reads it) with a column
    named as the PRONOTE import names the identifier's (``Identifiant_PRONOTE-ENT``, ``IDPN``…:
    ``socle.core.pronote_names``, compared folded: case, accents, punctuation and quotes aside)."""
    header = data[:SAMPLE].split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    cells = header.split(";") if ";" in header else header.split("\t")
    return any(fold(cell) in FOLDED_PRONOTE_ID_NAMES for cell in cells)


def opens_as_pronote_file(opener: Callable[[], IO[bytes]]) -> bool:
    """:func:`is_pronote_export` or :func:`is_pronote_extraction` on a file's start; ``False``
    when it cannot be read (the import says why, with the reason, where it reads it)."""
    try:
        with opener() as handle:
            start = handle.read(SAMPLE)
    except OSError:
        return False
    return is_pronote_export(start) or is_pronote_extraction(start)


def pronote_files_in(folder: Path, *, looked_at: int = 500) -> list[str]:
    """The names of the files directly in ``folder`` (``.xml`` or ``.csv``, at most
    ``looked_at`` of them read, 8 KB each) that :func:`opens_as_pronote_file`, sorted; ``[]``
    when the folder cannot be listed."""
    try:
        candidates = sorted(
            entry
            for entry in folder.iterdir()
            if entry.suffix.lower() in {".xml", ".csv"} and entry.is_file()
        )[:looked_at]
    except OSError:
        return []
    return [entry.name for entry in candidates if opens_as_pronote_file(_opener(entry))]


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def first_names(names: list[str]) -> str:
    """The first five of ``names``, then how many others."""
    shown = ", ".join(names[:5])
    if len(names) > 5:
        shown += " " + _("(et %(count)s autre(s))") % {"count": len(names) - 5}
    return shown


def pronote_file_hint(name: str) -> str:
    """What to do with a PRONOTE identifier file given to the directory's import."""
    return _(
        "%(path)s est un fichier d'identifiants de PRONOTE, pas un annuaire : il s'importe avec "
        "« socle pronote_import » (ou la page « Importer les identifiants PRONOTE »)."
    ) % {"path": name}
