"""What the PRONOTE import (and export) pages say when the database refuses or cuts short
their work: one French sentence saying what happened, what was kept and what to do, never the
500 page.

Every write of the import runs in one transaction (``start_import``, a step's matching, its
validation, « Interrompre l'import »), rolled back whole by the error: the import stays where it
was, and the same action can be done again. The kinds of error (``socle.core.db_errors``):

- the server's state (its disk full, a read-only SQLite file, a database held too long by
  another writer): try again later, tell the ENT's administrator if it lasts (503);
- an operation cut short (the connection to PostgreSQL lost, a statement timeout, a deadlock):
  try again in a moment (503);
- an integrity error: the data changed under the page (another administrator, another tab, a
  directory import at the same moment removed or took an account): reload and do it again
  (409);
- anything else is a bug: the traceback goes to the log, the page says so (500).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from socle.core.db_errors import interrupted_reason, write_refused_reason
from socle.pronote.categories import STEP_COUNT
from socle.pronote.models import ImportSession

logger = logging.getLogger("socle.pronote")


@dataclass(frozen=True)
class Refusal:
    text: str
    status: int  # of a page showing only the refusal


def nothing_started() -> str:
    """What the import page kept: nothing (the upload's one transaction)."""
    return _("rien n'a été enregistré, aucun import n'a été commencé")


def nothing_exported() -> str:
    """What the export page kept: nothing (no file given, its record rolled back)."""
    return _("aucun fichier n'a été produit et rien n'a été enregistré")


def session_kept(session: ImportSession) -> str:
    """What a step, final or report page kept: the import as it was."""
    if session.is_open:
        return _(
            "l'import n'a pas changé, ses étapes validées sont conservées et il reprendra à "
            "l'étape %(step)s/%(count)s"
        ) % {"step": session.current_step, "count": STEP_COUNT}
    return _("l'import n'a pas changé, ses étapes validées restent enregistrées")


def refusal(exc: DatabaseError, kept: str) -> Refusal:
    """The sentence for ``exc``, ``kept`` saying what stays (:func:`nothing_started`,
    :func:`session_kept`)."""
    if (reason := write_refused_reason(exc)) is not None:
        text = _(
            "L'enregistrement a été refusé par la base de données (%(reason)s) : %(kept)s. "
            "Réessayez plus tard ; si le problème continue, prévenez l'administrateur de l'ENT."
        )
    elif (reason := interrupted_reason(exc)) is not None:
        text = _(
            "La base de données a interrompu l'opération (%(reason)s) : %(kept)s. Réessayez "
            "dans un instant ; si le problème continue, prévenez l'administrateur de l'ENT."
        )
    if reason is not None:  # the server's state, or an operation cut short: try again
        logger.warning("PRONOTE page: the database refused or cut short a write: %s", exc)
        return Refusal(text % {"reason": reason, "kept": kept}, 503)
    if isinstance(exc, IntegrityError):
        logger.warning("PRONOTE page: the data changed under a write: %s", exc)
        text = _(
            "Les données ont changé pendant l'enregistrement (un autre administrateur, un autre "
            "onglet ou un import de l'annuaire au même moment) : %(kept)s. Rechargez la page "
            "pour voir les données à jour, puis recommencez."
        )
        return Refusal(text % {"kept": kept}, 409)
    logger.error("PRONOTE page: unexpected database error", exc_info=exc)
    text = _(
        "Erreur inattendue de la base de données : %(kept)s. Réessayez ; si le problème "
        "continue, prévenez l'administrateur de l'ENT (le détail est dans le journal du serveur)."
    )
    return Refusal(text % {"kept": kept}, 500)


def refused_page(request: HttpRequest, session: ImportSession, exc: DatabaseError) -> HttpResponse:
    """A page saying only :func:`refusal`, with « Réessayer » (the same address)."""
    answer = refusal(exc, session_kept(session))
    context = {"session": session, "refused": answer.text}
    return render(request, "pronote/refused.html", context, status=answer.status)
