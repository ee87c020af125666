"""A Partiel import whose accounts already hold other identifiers: most likely the school's
PRONOTE base was renewed (a new school year, a new base), and every identifier changed.

Mode Partiel leaves an account's identifier alone (a conflict « ce compte a déjà l'identifiant
… »); with a renewed base the old ones no longer exist in PRONOTE, and a person PRONOTE has not
bound to its « Identifiant CAS » yet is not recognised with them. The step page and
``pronote_import`` then say what to do: the September import is a Complet one, of every user.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext, ngettext

from socle.pronote.importer.plan import CONFLICT, Planned
from socle.pronote.models import ImportSession

CODE = "account_has_id"


def planned_count(items: Iterable[Planned]) -> int:
    """The step's conflicts of accounts that already hold another identifier here."""
    return sum(
        1
        for item in items
        if item.action == CONFLICT and any(code == CODE for code, _params in item.notes)
    )


def stored_count(session: ImportSession) -> int:
    """The same, over the rows an import's validated steps left as conflicts."""
    return sum(
        1
        for parts in session.rows.filter(outcome=CONFLICT).values_list(
            "outcome_detail_parts", flat=True
        )
        if any(_code(part) == CODE for part in parts or [])
    )


def _code(part: Any) -> str:
    return str(part[0]) if isinstance(part, list | tuple) and part else ""


def hint(count: int, *, command: bool = False) -> str:
    """What the administrator reads (``command``: ``pronote_import``'s wording)."""
    if not count:
        return ""
    said = ngettext(
        "%(count)s compte a déjà un autre identifiant PRONOTE pour cet établissement.",
        "%(count)s comptes ont déjà un autre identifiant PRONOTE pour cet établissement.",
        count,
    ) % {"count": count}
    if command:
        todo = gettext(
            "Si la base PRONOTE a été renouvelée (nouvelle année scolaire), ses identifiants ont "
            "changé : relancez la commande avec --mode complet et l'export de tous les "
            "utilisateurs (« Uniquement les utilisateurs sans identifiants CAS » décoché)."
        )
    else:
        todo = gettext(
            "Si la base PRONOTE a été renouvelée (nouvelle année scolaire), ses identifiants ont "
            "changé : interrompez l'import et recommencez-le en mode Complet avec l'export de "
            "tous les utilisateurs (« Uniquement les utilisateurs sans identifiants CAS » "
            "décoché). Sinon, cochez « Confirmer » pour remplacer un identifiant."
        )
    return f"{said} {todo}"
