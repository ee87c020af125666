"""What the wizard's pages show: the step page's context (its rows, candidates, planned
outcomes, warnings), and the lines about different « Identifiant CAS » that the step and final
pages list. The views themselves: ``wizard.py``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from socle.directory.models import Person
from socle.pronote.cas_names import reset_text
from socle.pronote.categories import STEP_COUNT, step
from socle.pronote.forms import NEED_LETTER, StepForm
from socle.pronote.importer import renumbered
from socle.pronote.importer.removals import csv_hint, newcomers_hint, warning
from socle.pronote.importer.report import step_summaries
from socle.pronote.importer.step_matching import prepare_step
from socle.pronote.importer.steps import StepError, plan_step, removal_check
from socle.pronote.models import FileFormat, ImportRow, ImportSession, RowStatus
from socle.pronote.reasons import localized_candidate
from socle.pronote.school_year import open_import_warning

RECOGNISED_SHOWN = 2000
CAS_MISMATCHES_SHOWN = 20  # listed under the step page's banner, then « … et N autres »


def step_context(
    session: ImportSession,
    number: int,
    form: StepForm,
    browse_results: dict[int, list[dict[str, Any]]],
    *,
    confirm_interrupt: bool = False,
    removals_refused: bool = False,
) -> dict[str, Any]:
    spec = step(number)
    current = prepare_step(session, number)
    rows = form.rows
    try:
        plan = plan_step(
            session,
            number,
            form.choices() if form.is_bound and form.is_valid() else None,
            form.confirmed() if form.is_bound and form.is_valid() else None,
        )
        planned = {item.pair.row_id: item for item in plan.items}
        renumbered_hint = renumbered.hint(renumbered.planned_count(plan.items))
        removals = plan.removals
        check = removal_check(session, number, plan)
    except StepError:
        planned, removals, check, renumbered_hint = {}, [], None, ""
    unrecognised: list[dict[str, Any]] = []
    recognised: list[dict[str, Any]] = []
    selected = {
        row.id: str(form.data.get(f"row-{row.id}", "")) if form.is_bound else "" for row in rows
    }
    picked = _picked_elsewhere(rows, selected, browse_results, form.allowed)
    for row in rows:
        candidates = [localized_candidate(c) for c in row.candidates]
        candidates += browse_results.get(row.id, [])
        if selected[row.id] in picked and all(str(c["id"]) != selected[row.id] for c in candidates):
            candidates = [*candidates, picked[selected[row.id]]]
        entry = {
            "row": row,
            "plan": planned.get(row.id),
            "candidates": candidates,
            "selected": selected[row.id],
            # ticked boxes stay ticked when the page is shown again (search, « Interrompre »)
            "cleared": form.is_bound and bool(form.data.get(f"clear-{row.id}")),
            "confirmed": form.is_bound and bool(form.data.get(f"confirm-{row.id}")),
        }
        (unrecognised if row.status == RowStatus.UNRECOGNISED else recognised).append(entry)
    conflicts = [
        e
        for e in recognised + unrecognised
        if e["plan"] is not None and e["plan"].action == "conflict"
    ]
    mismatched = [
        mismatch_item(row, planned[row.id].localized_cas_mismatch)
        for row in rows
        if row.id in planned and planned[row.id].cas_mismatch
    ]
    return {
        "session": session,
        "spec": spec,
        "step": current,
        "step_count": STEP_COUNT,
        "need_letter": NEED_LETTER,  # wizard.js says it before asking the server
        "recognised_noun": spec.noun(current.recognised),
        "unrecognised_noun": spec.noun(current.unrecognised),
        "absent_noun": spec.noun(1),  # « Aucun élève », "No pupil"
        "form": form,
        "unrecognised": unrecognised,
        "recognised": recognised[:RECOGNISED_SHOWN],
        "recognised_hidden": max(0, len(recognised) - RECOGNISED_SHOWN),
        "conflicts": conflicts,
        "renumbered_hint": renumbered_hint,  # a Partiel import of a renewed PRONOTE base
        "cas_mismatch_text": cas_mismatch_text(len(mismatched)),
        "cas_mismatches": mismatched[:CAS_MISMATCHES_SHOWN],
        "cas_mismatches_hidden": max(0, len(mismatched) - CAS_MISMATCHES_SHOWN),
        "removals": removals,
        # a large Complet removal: the warning, and « Je confirme la suppression » to tick
        "removal_warning": warning(check) if check is not None and check.large else "",
        # a few removals from a file without any « Identifiant CAS »: the newcomers export's
        # signature (its people bound to the ENT left out), too few for the warning above
        "removal_newcomers_hint": (
            newcomers_hint() if check is not None and not check.large and check.no_cas_id else ""
        ),
        # a CSV cut at a line end cannot be detected: its missing people are these removals
        "csv_cut_hint": (
            csv_hint(len(removals)) if removals and session.file_format == FileFormat.CSV else ""
        ),
        "removals_confirmed": form.is_bound and bool(form.data.get("confirm-removals")),
        "removals_refused": removals_refused,  # validated without the box: aria-invalid
        "in_file": len(rows),
        "steps": step_summaries(session),
        "confirm_interrupt": confirm_interrupt,
        # an import of the former school year left open, resumed at the rentrée
        "open_import_warning": open_import_warning(session),
    }


def cas_mismatch_text(count: int) -> str:
    """« 2 personnes avaient dans PRONOTE un autre identifiant CAS … » (reset by the complete
    export the file comes from: nothing to do)."""
    return reset_text(count) if count else ""


def mismatch_item(row: ImportRow, detail: str) -> dict[str, str]:
    """A line of ``pronote/_cas_mismatches.html``: who, PRONOTE's id, stored vs sent name."""
    return {
        "name": f"{row.last_name} {row.first_name}",
        "pronote_id": row.pronote_id,
        "detail": detail,
    }


def _picked_elsewhere(
    rows: list[ImportRow],
    selected: dict[int, str],
    browse_results: dict[int, list[dict[str, Any]]],
    allowed: set[int] | None,
) -> dict[str, dict[str, Any]]:
    """Accounts chosen earlier with « Parcourir » (not among the stored candidates), so that a
    page redisplayed after another search keeps every choice. Only accounts the administrator
    may pick (``allowed``, ``None`` = any): a posted id of anyone else names no one."""
    known = {str(c["id"]) for row in rows for c in row.candidates + browse_results.get(row.id, [])}
    wanted = {int(v) for v in selected.values() if v.isdigit() and len(v) < 19 and v not in known}
    if allowed is not None:
        wanted &= allowed
    return {
        str(person.pk): {
            "id": person.pk,
            "label": f"{person.last_name.upper()} {person.first_name} — {person.login}",
            "score": 0,
            "why": _("choisi avec « Parcourir »"),
        }
        for person in Person.objects.filter(pk__in=wanted)
    }
