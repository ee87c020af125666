"""PRONOTE's own French messages, as the diagnostics quote them (never translated), and the
sentences of Socle that quote them (translated around the quote)."""

from __future__ import annotations

import re

#: PRONOTE's own French message (a quote, never translated).
IDENTIFICATION_IMPOSSIBLE = (
    "« Identification impossible — Nous n'avons pas réussi à vous identifier sur votre Espace "
    "PRONOTE. Il est possible que les données personnelles vous concernant ne soient pas "
    "correctement renseignées dans l'ENT… »"
)


def missing_attribute_message(cas_url: str, attribute: str) -> str:
    """PRONOTE's own French message (a quote, never translated)."""
    return (
        f"« Échec de l'authentification par le serveur CAS {cas_url} : Le serveur CAS doit "
        f'être configuré pour renvoyer un attribut "{attribute}". Or aucun attribut n\'a été '
        "renvoyé. »"
    )


class Quoting(str):
    """A sentence quoting one of PRONOTE's French messages: the whole text for the command, and
    ``parts`` (text, is the quote) for the page, which marks the quote ``lang="fr"`` so that a
    screen reader reads it in French on an English page."""

    parts: tuple[tuple[str, bool], ...] = ()


def quoting(sentence: str, message: str, *, other: str = "", **params: str) -> Quoting:
    """``sentence`` (translated, with ``%(message)s``, and ``%(other)s`` when PRONOTE may show
    one of two messages) around PRONOTE's ``message`` (and ``other``)."""
    quotes = {"\x00": message, "\x01": other}
    text = sentence % {**params, "message": "\x00", "other": "\x01"}
    parts = tuple(
        (quotes[chunk], True) if chunk in quotes else (chunk, False)
        for chunk in re.split("([\x00\x01])", text)
    )
    line = Quoting("".join(chunk for chunk, _quote in parts))
    line.parts = parts
    return line
