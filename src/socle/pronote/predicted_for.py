"""The PRONOTE service settings an import's notes were computed for, and whether they still hold.

Validating a step notes, on the rows whose « Identifiant CAS » in the file differs from Socle's
name, ``cas_id_mismatch`` (the record was bound to another CAS user name than the one Socle
sends: it depends on the service's user name mode) and ``cas_id_held_elsewhere`` (a duplicate
bound first: only where the ENT designates the record by its identifier,
:func:`~socle.pronote.cas_names.duplicate_refused` — the recognition mode, and whether the
address PRONOTE sends gets attributes). The complete export the file comes from reset them: the
notes say what PRONOTE will store at the next connection, no refusal. They are the record of
what validation found: the final page, its column « Identifiants CAS différents » and the CSV
report keep them as written, in agreement with the traces of the import. When the school's
service has changed since in a way that changes them, the final page says so, names the
settings then and now, and sends to « Diagnostic PRONOTE », which recomputes them at each visit
with the current settings (docs/pronote.md, "PRONOTE's stored « Identifiant CAS »"). A changed
user name mode is more than a stale note, and comes from Socle's own data, not from the file:
PRONOTE has bound whoever connected from the ENT since to the former name, and will refuse them
(:func:`stale_text` says so).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext

from socle.directory.models import Establishment
from socle.pronote.cas_names import duplicate_refused, pronote_service
from socle.pronote.categories import STEP_BY_CATEGORY
from socle.pronote.models import ImportRow, ImportSession, ImportStep, StepState

# What changes the notes: whether a duplicate bound first is refused, and the names sent.
DECISIVE = ("refused", "username_mode")


def service_settings(establishment: Establishment) -> dict[str, Any]:
    """The settings of the UAI's PRONOTE service in use that the notes depend on, as stored on a
    validated step (``ImportStep.predicted_for``)."""
    from socle.portal.saml_http import service_address

    service = pronote_service(establishment)
    return {
        "service": service.code if service else "",
        "recognition": (service.pronote_recognition if service else "") or "pronote",
        "address": service_address(service) if service else "",
        "username_mode": service.username_mode if service else "uid",
        "refused": duplicate_refused(service),
    }


def _described(settings: dict[str, Any]) -> str:
    from socle.portal.models import PronoteRecognition, UsernameMode

    recognition = settings.get("recognition", "pronote")
    mode = settings.get("username_mode", "uid")
    return gettext(
        "reconnaissance « %(recognition)s », adresse %(address)s, identifiant CAS transmis "
        "« %(mode)s »"
    ) % {
        "recognition": PronoteRecognition(recognition).label
        if recognition in PronoteRecognition.values
        else recognition,
        "address": settings.get("address") or "—",
        "mode": UsernameMode(mode).label if mode in UsernameMode.values else mode,
    }


def stale_text(session: ImportSession) -> str:
    """The final page's warning when the service's settings have changed, since a step of this
    import was validated, in a way that changes its notes; "" otherwise (and for steps
    validated before the settings were recorded: nothing to compare)."""
    recorded = [
        step.predicted_for
        for step in session.steps.filter(state=StepState.VALIDATED).order_by("number")
        if step.predicted_for
    ]
    if not recorded:
        return ""
    now = service_settings(session.establishment)
    changed = [then for then in recorded if _changed(then, now)]
    if not changed:
        return ""
    text = gettext(
        "Les notes de cet import (« Identifiants CAS différents ») ont été calculées à la "
        "validation, pour les réglages d'alors du service PRONOTE (%(then)s). Le service a "
        "changé depuis (%(now)s) : elles ne valent plus telles quelles. « Diagnostic PRONOTE » "
        "les recalcule avec les réglages actuels."
    ) % {"then": _described(changed[-1]), "now": _described(now)}
    if any(then.get("username_mode") != now["username_mode"] for then in changed):
        text += " " + renamed_text()
    return text


def renamed_text() -> str:
    """What a changed user name mode does to the people PRONOTE has bound since: the real
    refusal, from Socle's own settings (``socle.portal.username_lock``)."""
    return gettext(
        "L'identifiant CAS transmis a changé : ceux qui se sont connectés à PRONOTE depuis l'ENT "
        "avant ce changement y ont l'ancien comme « Identifiant CAS », et PRONOTE leur répondra "
        "« Identification impossible » tant que l'établissement ne l'a pas effacé (« Supprimer "
        "l'identifiant CAS », ou un nouvel export de tous les utilisateurs, case « Uniquement "
        "les utilisateurs sans identifiants CAS » décochée)."
    )


def _changed(then: dict[str, Any], now: dict[str, Any]) -> bool:
    return any(then.get(key) != now[key] for key in DECISIVE)


def stale_steps(establishment: Establishment, session_ids: Iterable[int]) -> set[tuple[int, int]]:
    """``(session id, step number)`` of the validated steps of these imports whose notes
    the service's settings, changed since, no longer give (as :func:`stale_text`)."""
    steps = ImportStep.objects.filter(
        session_id__in=list(session_ids), state=StepState.VALIDATED
    ).values_list("session_id", "number", "predicted_for")
    recorded = [(session, number, then) for session, number, then in steps if then]
    if not recorded:
        return set()
    now = service_settings(establishment)
    return {(session, number) for session, number, then in recorded if _changed(then, now)}


def is_stale(row: ImportRow, stale: set[tuple[int, int]]) -> bool:
    """Whether the row's stored notes hold a note (``cas_id_mismatch``,
    ``cas_id_held_elsewhere``) that its step computed for settings changed since."""
    step = STEP_BY_CATEGORY.get(row.category)
    return bool(
        step is not None and row.cas_mismatch_parts and (row.session_id, step.number) in stale
    )


def stale_mark() -> str:
    """What follows such a note where it is quoted."""
    return gettext(
        "(note faite à la validation, pour les réglages d'alors du service PRONOTE, "
        "changés depuis : elle ne vaut plus telle quelle)"
    )
