"""CSV cells that a spreadsheet opens as text, never as a formula (CSV injection): the traces'
export, the PRONOTE import report and the activation letters' mail-merge file."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet would take for a formula (starting with = + - @, a tab or a
    carriage return), prefixed with « ' »; any other value as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
