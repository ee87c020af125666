"""argparse's own words in Socle's commands, in the ENT's language.

Socle's commands write their help and messages in the language of ``SOCLE_LANGUAGE`` (French by
default), but argparse adds words of its own: « usage: », « positional arguments », the ``-h``
line and every parsing error (« the following arguments are required », « invalid choice »…),
and Django adds the help of its common options (``--verbosity``, ``--settings``…). An operator
read a French help with English headings and English errors.

argparse marks those words for translation with the ``gettext`` module's global functions, which
it imports as ``argparse._`` and ``argparse.ngettext``, and Python ships no catalogue for them.
:func:`install` replaces those two names with functions that answer in French when the active
Django language is French, and leave the words untouched otherwise: the table below covers what
an operator can meet (the messages that only a programming error raises, such as conflicting
option strings, stay English). A ``.po`` catalogue would need a second text domain, compiled and
selected by environment variables, for thirty sentences: a table in code is simpler to keep
true, and ``tests/core/test_cli_language.py`` checks that every key is still one of argparse's
messages. Django's common options get their help in French from Socle's own catalogue
(:func:`translate_common_options`, whose French sentences are msgids like every UI text).
"""

from __future__ import annotations

import argparse
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

FRENCH: dict[str, str] = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments positionnels ",  # argparse adds the ":"
    "options": "options ",
    "show this help message and exit": "afficher cette aide et quitter",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "valeur ignorée : %r",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "une valeur au plus attendue",
    "expected at least one argument": "une valeur au moins attendue",
    "ambiguous option: %(option)s could match %(matches)s": (
        "option ambiguë : %(option)s peut désigner %(matches)s"
    ),
    "unexpected option string: %s": "option inattendue : %s",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s attendu) : %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix invalide : %(value)r (valeurs possibles : %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "sous-commande inconnue : %(parser_name)r (possibles : %(choices)s)"
    ),
}

FRENCH_PLURAL: dict[tuple[str, str], tuple[str, str]] = {
    ("expected %s argument", "expected %s arguments"): (
        "%s valeur attendue",
        "%s valeurs attendues",
    ),
}


def _french() -> bool:
    try:
        return (get_language() or "").startswith("fr")
    except Exception:  # noqa: BLE001 - settings not configured yet: argparse's own words
        return False


def gettext(message: str) -> str:
    return FRENCH.get(message, message) if _french() else message


def ngettext(singular: str, plural: str, count: int) -> str:
    words = FRENCH_PLURAL.get((singular, plural)) if _french() else None
    if words is None:
        words = (singular, plural)
    return words[0] if count == 1 else words[1]


def install() -> None:
    """Makes argparse ask :func:`gettext` and :func:`ngettext` (idempotent, process-wide: the
    words stay English whenever the active language is not French)."""
    setattr(argparse, "_", gettext)  # noqa: B010 - argparse's module-level translation hook
    setattr(argparse, "ngettext", ngettext)  # noqa: B010


def _common_options() -> dict[str, str]:
    # The help of the options Django adds to every command, in French (msgids) with Django's own
    # English sentences in the English catalogue.
    return {
        "help": _("afficher cette aide et quitter"),
        "version": _("afficher la version et quitter"),
        "verbosity": _(
            "niveau de détail des messages : 0 = minimal, 1 = normal, 2 = détaillé, "
            "3 = très détaillé"
        ),
        "settings": _(
            "module Python des réglages, par ex. « socle.settings » (sinon la variable "
            "d'environnement DJANGO_SETTINGS_MODULE)"
        ),
        "pythonpath": _("dossier à ajouter au chemin de recherche de Python"),
        "traceback": _("afficher la pile d'appels Python sur une erreur de la commande"),
        "no_color": _("ne pas colorer la sortie"),
        "force_color": _("colorer la sortie même hors d'un terminal"),
        "skip_checks": _("ne pas lancer les vérifications du système"),
    }


def translate_common_options(parser: Any) -> None:
    """Gives Django's common options (and ``-h``) their help in the active language."""
    helps = _common_options()
    for action in parser._actions:  # argparse keeps no public list of a parser's actions
        if action.dest in helps and action.help is not argparse.SUPPRESS:
            action.help = helps[action.dest]
