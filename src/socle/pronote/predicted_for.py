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
with the current settings (docs/pronote.md, "PRONOTE's stored « Identifiant CAS »"). Which
notes a change touches is exact (:func:`_notes_change`): the name sent (the user name mode,
and which pairwise salt computes it: a digest of :func:`~socle.pronote.cas_names.names_sent_key`,
never the salt), both notes of a step whose file carries some « Identifiant CAS »; whether a
duplicate is refused, ``cas_id_held_elsewhere`` alone, and only where the step has one or
validation would now write one — never ``cas_id_mismatch``. Steps validated before the digest
was recorded compare the user name mode alone: another salt there is unknown, not flagged
(flagging every such step would cry wolf at every import of the past). A changed
user name mode is more than a stale note, and comes from Socle's own data, not from the file:
PRONOTE has bound whoever connected from the ENT since to the former name, and will refuse them
(:func:`stale_text` says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext

from socle.directory.models import Establishment
from socle.pronote.cas_names import (
    duplicate_refused,
    duplicates_held,
    names_sent_digest,
    pronote_service,
    step_holders,
)
from socle.pronote.categories import STEP_BY_CATEGORY, STEPS
from socle.pronote.models import ImportRow, ImportSession, ImportStep, StepState
from socle.pronote.reasons import CAS_HELD_ELSEWHERE, cas_reset_notes, cas_reset_parts

if TYPE_CHECKING:
    from socle.portal.models import Service


def service_settings(establishment: Establishment) -> dict[str, Any]:
    """The settings of the UAI's PRONOTE service in use that the notes depend on, as stored on a
    validated step (``ImportStep.predicted_for``)."""
    return _settings_of(pronote_service(establishment))


def _settings_of(service: Service | None) -> dict[str, Any]:
    """:func:`service_settings` of the service in use, already read."""
    from socle.portal.saml_http import service_address

    address = service_address(service) if service else ""
    return {
        "service": service.code if service else "",
        "recognition": (service.pronote_recognition if service else "") or "pronote",
        "address": address,
        "username_mode": service.username_mode if service else "uid",
        SENT: names_sent_digest(service),
        "refused": duplicate_refused(service, address),
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


# What each decisive setting changes: the name sent is in both notes (``cas_id_mismatch``
# compares the file's « Identifiant CAS » with it, ``cas_id_held_elsewhere`` looks for it on
# another record); whether a duplicate bound first is refused decides ``cas_id_held_elsewhere``
# alone — ``cas_id_mismatch`` is the same in every recognition mode and over http.
# The name sent is the user name mode and, in pairwise mode, the salt: :data:`SENT` (a digest,
# absent on steps validated before it was recorded) differing is a change of :data:`NAMES` too.
NAMES, REFUSED, SENT = "username_mode", "refused", "names_sent"
DECISIVE = (REFUSED, NAMES)


@dataclass(frozen=True)
class Changed:
    """A validated step whose recorded settings differ from the current ones."""

    then: dict[str, Any]  # the settings recorded at its validation
    keys: frozenset[str]  # the :data:`DECISIVE` settings that differ


def _changed_keys(then: dict[str, Any], now: dict[str, Any]) -> frozenset[str]:
    """The one comparison of recorded and current settings (:func:`stale_text`,
    :func:`stale_steps`); without a recorded :data:`SENT`, the user name mode alone."""
    keys = {key for key in DECISIVE if then.get(key) != now[key]}
    if SENT in then and then[SENT] != now[SENT]:
        keys.add(NAMES)
    return frozenset(keys)


def _salt_changed(then: dict[str, Any], now: dict[str, Any]) -> bool:
    """Another name sent in the same user name mode: another pairwise service or salt."""
    return SENT in then and then[SENT] != now[SENT] and then.get(NAMES) == now[NAMES]


def _notes_change(
    establishment: Establishment, key: tuple[int, int], changed: Changed, found: _Found
) -> bool:
    """Whether a step's notes differ under the current settings. Another name sent changes
    both notes of a step where some record carries an « Identifiant CAS » in the file (without
    one, neither note is written, whatever the settings). A duplicate refused then and no more
    (identity mode or plain http now) makes its ``cas_id_held_elsewhere`` notes untrue — its
    ``cas_id_mismatch`` notes still hold; refused now and not then, the step lacks the
    ``cas_id_held_elsewhere`` notes validation would now write, if any (recomputed)."""
    if NAMES in changed.keys and key in found.bound():
        return True
    if REFUSED not in changed.keys:
        return False
    if changed.then.get(REFUSED):
        return key in found.held()
    return _would_hold_elsewhere(establishment, found.service, key)


class _Found:
    """What the rows of some imports hold, read once and only when asked."""

    def __init__(self, session_ids: set[int], service: Service | None) -> None:
        self.session_ids = list(session_ids)
        self.service = service  # the UAI's PRONOTE service in use
        self._bound: set[tuple[int, int]] | None = None
        self._held: set[tuple[int, int]] | None = None

    def bound(self) -> set[tuple[int, int]]:
        """The steps with a record carrying an « Identifiant CAS »."""
        if self._bound is None:
            pairs = (
                ImportRow.objects.filter(session_id__in=self.session_ids)
                .exclude(cas_id="")
                .values_list("session_id", "category")
                .distinct()
            )
            self._bound = {(s, n) for s, category in pairs if (n := _step_of(category))}
        return self._bound

    def held(self) -> set[tuple[int, int]]:
        """The steps with a row noted ``cas_id_held_elsewhere`` (only rows with notes are
        read, as :func:`~socle.pronote.importer.report.cas_mismatch_rows` does)."""
        if self._held is None:
            rows = ImportRow.objects.filter(session_id__in=self.session_ids)
            self._held = {
                (s, n)
                for s, category, parts in cas_reset_notes(rows)
                if (n := _step_of(category)) and _held(parts)
            }
        return self._held


def _would_hold_elsewhere(
    establishment: Establishment, service: Service | None, key: tuple[int, int]
) -> bool:
    """Whether validation would now note ``cas_id_held_elsewhere`` on a row of the step: the
    import's rule (``importer.plan``, :func:`~socle.pronote.cas_names.duplicates_held`), for
    the names ``service`` (the one in use) sends today."""
    session_id, number = key
    rows = list(
        ImportRow.objects.filter(
            session_id=session_id, category=STEPS[number - 1].category
        ).values_list("pronote_id", "cas_id", "last_name", "first_name", "person_id")
    )
    holders = step_holders((cas, pid, last, first) for pid, cas, last, first, _p in rows)
    records = ((pid, person, pid, cas) for pid, cas, _last, _first, person in rows)
    return bool(duplicates_held(establishment, service, holders, records))


def _recorded(session_ids: Iterable[int]) -> list[tuple[int, int, dict[str, Any]]]:
    """``(session id, step number, settings recorded)`` of the validated steps of these imports
    that recorded their settings, in step order."""
    steps = (
        ImportStep.objects.filter(session_id__in=list(session_ids), state=StepState.VALIDATED)
        .order_by("session_id", "number")
        .values_list("session_id", "number", "predicted_for")
    )
    return [(session, number, then) for session, number, then in steps if then]


def _changed_steps(
    recorded: list[tuple[int, int, dict[str, Any]]], now: dict[str, Any]
) -> dict[tuple[int, int], Changed]:
    """``(session id, step number)`` → :class:`Changed`, for the ``recorded`` steps whose
    settings differ from the current ones (``now``). Reads no import row: whether their notes
    differ is :func:`_notes_change`."""
    return {
        (session, number): Changed(then, keys)
        for session, number, then in recorded
        if (keys := _changed_keys(then, now))
    }


def _step_of(category: str) -> int | None:
    spec = STEP_BY_CATEGORY.get(category)
    return spec.number if spec is not None else None


def _held(parts: object) -> bool:
    return any(part[0] == CAS_HELD_ELSEWHERE for part in cas_reset_parts(parts))


def stale_text(session: ImportSession) -> str:
    """The final page's warning when the service's settings have changed, since a step of this
    import was validated, in a way that changes its notes (:func:`_notes_change`), and the
    refusals a changed user name mode brings (whether the file bore any « Identifiant CAS »
    or not); "" otherwise (and for steps validated before the settings were recorded: nothing
    to compare)."""
    recorded = _recorded([session.pk])
    if not recorded:
        return ""
    establishment = session.establishment
    service = pronote_service(establishment)
    now = _settings_of(service)
    changed = _changed_steps(recorded, now)
    found = _Found({session.pk}, service)
    stale = [
        step for key, step in changed.items() if _notes_change(establishment, key, step, found)
    ]
    text = ""
    if stale:
        then = stale[-1].then
        described = _described(now)
        if _salt_changed(then, now):
            described += gettext(
                ", calculé avec une autre clé (un autre service, ou sa clé renouvelée)"
            )
        text = gettext(
            "Les notes de cet import (« Identifiants CAS différents ») ont été calculées à la "
            "validation, pour les réglages d'alors du service PRONOTE (%(then)s). Le service a "
            "changé depuis (%(now)s) : elles ne valent plus telles quelles. « Diagnostic "
            "PRONOTE » les recalcule avec les réglages actuels."
        ) % {"then": _described(then), "now": described}
    if any(NAMES in step.keys for step in changed.values()):
        text = f"{text} {renamed_text()}".strip()
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


def stale_steps(
    establishment: Establishment, session_ids: Iterable[int]
) -> dict[tuple[int, int], Changed]:
    """``(session id, step number)`` → :class:`Changed`, for the validated steps of these
    imports whose decisive settings changed since: what :func:`is_stale` reads. No import row
    is read — each « Diagnostic PRONOTE » visit asks: :func:`is_stale` gives the answer
    :func:`_notes_change` would (a row with a note implies a step with some « Identifiant
    CAS »; a ``cas_id_held_elsewhere`` note, a duplicate refused then; a step refused now and
    not then has no such note)."""
    recorded = _recorded(session_ids)
    return _changed_steps(recorded, service_settings(establishment)) if recorded else {}


def is_stale(row: ImportRow, stale: Mapping[tuple[int, int], Changed]) -> bool:
    """Whether the row's stored note (``cas_id_mismatch``, ``cas_id_held_elsewhere``) no longer
    holds: its step's settings changed since (:func:`stale_steps`) in a way that changes that
    note — another name sent changes both, a duplicate no longer refused only
    ``cas_id_held_elsewhere``."""
    spec = STEP_BY_CATEGORY.get(row.category)
    step = stale.get((row.session_id, spec.number)) if spec is not None else None
    parts = row.cas_mismatch_parts
    if step is None or not parts:
        return False
    return NAMES in step.keys or (REFUSED in step.keys and _held(parts))


def stale_mark() -> str:
    """What follows such a note where it is quoted."""
    return gettext(
        "(note faite à la validation, pour les réglages d'alors du service PRONOTE, "
        "changés depuis : elle ne vaut plus telle quelle)"
    )
