"""Telling an AAF export from a PRONOTE identifier export by its root element, so that each
import names the other's file given to it by mistake and points to the right command
(``directory_import --format aaf`` / ``pronote_import``). One detection for both imports:
``socle.pronote.files.detect`` uses :func:`is_aaf_export`, the directory import
:func:`is_pronote_export`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO

from django.utils.translation import gettext as _

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


def opens_as_pronote_export(opener: Callable[[], IO[bytes]]) -> bool:
    """:func:`is_pronote_export` on a file's start; ``False`` when it cannot be read (the
    import says why, with the reason, where it reads it)."""
    try:
        with opener() as handle:
            return is_pronote_export(handle.read(SAMPLE))
    except OSError:
        return False


def pronote_file_hint(name: str) -> str:
    """What to do with a PRONOTE identifier file given to the directory's import."""
    return _(
        "%(path)s est un fichier d'identifiants de PRONOTE, pas un annuaire : il s'importe avec "
        "« socle pronote_import » (ou la page « Importer les identifiants Pronote »)."
    ) % {"path": name}
