"""The PRONOTE connector's entries in « Traces »: an identifier import started, each step
validated, an import interrupted, an export for PRONOTE.

Each is part of its transaction (:func:`socle.portal.traces.record_with_transaction`): a
rolled-back import (``pronote_import --dry-run``, a refused large removal) leaves none, and with
``SOCLE_TRACES_DEFERRED=false`` the trace is inserted in the transaction, so a trace the database
refuses rolls back what it tells of (a step, an export's username modes) with it. The details are
stored in French, like the other traces' (they are data, not interface), from the templates below,
and shown in the reader's language (:func:`register_details`, ``socle.portal.trace_details``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from socle.directory.models import Establishment, Person
from socle.portal.trace_details import DetailForm, Known, register_detail_forms
from socle.portal.traces import record_with_transaction
from socle.pronote.categories import STEPS
from socle.pronote.categories import step as step_spec
from socle.pronote.models import ImportMode, ImportSession, ImportStep

EVENTS = {
    "pronote_import_started": _("Import PRONOTE commencé"),
    "pronote_step_validated": _("Étape d'import PRONOTE validée"),
    "pronote_import_interrupted": _("Import PRONOTE interrompu"),
    "pronote_export": _("Export pour PRONOTE"),
}

IMPORT_STARTED = gettext_noop("import n° %(number)s, mode %(mode)s, %(rows)s ligne(s), %(file)s")
STEP_VALIDATED = gettext_noop(
    "import n° %(number)s, étape %(step)s/%(count)s (%(category)s) : %(created)s importé(s), "
    "%(unchanged)s inchangé(s), %(replaced)s remplacé(s), %(conflicts)s conflit(s), "
    "%(removed)s supprimé(s)"
)
INTERRUPTED = gettext_noop("import n° %(number)s, à l'étape %(step)s")
INTERRUPTED_BY_NEW = gettext_noop("import n° %(number)s, à l'étape %(step)s par un nouvel import")
EXPORTED = gettext_noop("%(file)s : %(records)s fiche(s)")


def register_details() -> None:
    """The forms of these details, for « Traces » in the reader's language (``PronoteConfig``)."""
    modes = Known(lambda: ImportMode.labels)
    categories = Known(lambda: [spec.plural_noun for spec in STEPS])
    register_detail_forms("pronote_import_started", DetailForm(IMPORT_STARTED, {"mode": modes}))
    register_detail_forms(
        "pronote_step_validated", DetailForm(STEP_VALIDATED, {"category": categories})
    )
    register_detail_forms(
        "pronote_import_interrupted", DetailForm(INTERRUPTED_BY_NEW), DetailForm(INTERRUPTED)
    )
    register_detail_forms("pronote_export", DetailForm(EXPORTED))


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
        IMPORT_STARTED
        % {"number": session.pk, "mode": mode, "rows": rows, "file": session.source_name},
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
        STEP_VALIDATED
        % {
            "number": session.pk,
            "step": step.number,
            "count": count,
            "category": category,
            "created": step.created,
            "unchanged": step.unchanged,
            "replaced": step.replaced,
            "conflicts": step.conflicts,
            "removed": len(step.removed),
        },
        actor,
    )


def import_interrupted(session: ImportSession, actor: Actor | None, *, by_new: bool) -> None:
    template = INTERRUPTED_BY_NEW if by_new else INTERRUPTED
    _record(
        "pronote_import_interrupted",
        session.establishment,
        template % {"number": session.pk, "step": session.current_step},
        actor,
    )


def exported(
    establishment: Establishment, file_name: str, records: int, actor: Actor | None
) -> None:
    detail = EXPORTED % {"file": file_name, "records": records}
    _record("pronote_export", establishment, detail, actor)
