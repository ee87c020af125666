"""The PRONOTE connector's entries in « Traces »: an identifier import started, each step
validated, an import interrupted, an export for PRONOTE.

Each is part of its transaction (:func:`socle.portal.traces.record_with_transaction`): a
rolled-back import (``pronote_import --dry-run``, a refused large removal) leaves none, and with
``SOCLE_TRACES_DEFERRED=false`` the trace is inserted in the transaction, so a trace the database
refuses rolls back what it tells of (a step, an export's username modes) with it. The details are
stored in French, like the other traces' (they are data, not interface).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from socle.directory.models import Establishment, Person
from socle.portal.traces import record_with_transaction
from socle.pronote.categories import step as step_spec
from socle.pronote.models import ImportSession, ImportStep

EVENTS = {
    "pronote_import_started": _("Import PRONOTE commencé"),
    "pronote_step_validated": _("Étape d'import PRONOTE validée"),
    "pronote_import_interrupted": _("Import PRONOTE interrompu"),
    "pronote_export": _("Export pour PRONOTE"),
}


@dataclass(frozen=True)
class Actor:
    """Who acts: an administrator on a page (with their address), or a command by its name."""

    person: Person | None = None
    command: str = ""
    client_ip: str | None = None


def _record(event: str, establishment: Establishment, detail: str, actor: Actor | None) -> None:
    actor = actor or Actor()
    person = actor.person if getattr(actor.person, "pk", None) else None
    record_with_transaction(
        event,
        person=person,
        actor_login=actor.command,
        uai=establishment.uai,
        client_ip=actor.client_ip,
        detail=detail,
    )


def import_started(session: ImportSession, rows: int, actor: Actor | None) -> None:
    with translation.override("fr"):
        mode = session.get_mode_display()
    _record(
        "pronote_import_started",
        session.establishment,
        f"import n° {session.pk}, mode {mode}, {rows} ligne(s), {session.source_name}",
        actor,
    )


def step_validated(
    session: ImportSession, step: ImportStep, count: int, actor: Actor | None
) -> None:
    with translation.override("fr"):
        category = step_spec(step.number).plural_noun
    _record(
        "pronote_step_validated",
        session.establishment,
        f"import n° {session.pk}, étape {step.number}/{count} ({category}) : "
        f"{step.created} importé(s), {step.unchanged} inchangé(s), {step.replaced} remplacé(s), "
        f"{step.conflicts} conflit(s), {len(step.removed)} supprimé(s)",
        actor,
    )


def import_interrupted(session: ImportSession, actor: Actor | None, *, by_new: bool) -> None:
    why = " par un nouvel import" if by_new else ""
    _record(
        "pronote_import_interrupted",
        session.establishment,
        f"import n° {session.pk}, à l'étape {session.current_step}{why}",
        actor,
    )


def exported(
    establishment: Establishment, file_name: str, records: int, actor: Actor | None
) -> None:
    _record("pronote_export", establishment, f"{file_name} : {records} fiche(s)", actor)
