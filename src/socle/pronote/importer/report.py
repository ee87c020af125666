"""The import report: the summary line (a French contract, translated on the pages), per-step
counts and the text report (the CSV download is ``socle.pronote.importer.csv_report``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from socle.directory.models import Establishment
from socle.pronote.cas_names import reset_text
from socle.pronote.categories import STEP_COUNT, STEPS, Step
from socle.pronote.models import (
    ImportMode,
    ImportRow,
    ImportSession,
    MatchMethod,
    Outcome,
    PronoteIdentity,
    RowStatus,
    StepState,
)
from socle.pronote.reasons import cas_reset_notes, cas_reset_parts
from socle.pronote.school_year import last_writing_import


def summary_line(establishment: Establishment) -> str:
    """« 1401 identifiant(s) PRONOTE importé(s). Dernier import fait le : 05/09/2011 à 18:10 en mode
    Partiel. » — the header of PRONOTE's historical import page, in the active language (the
    French is the contract: the same « (s) » wording whatever the count). The year has four
    digits, as everywhere else in Socle (PRONOTE's page writes two). The import named is the
    last that wrote identifiers (``school_year.last_writing_import``): one that validated only
    empty steps is not named."""
    total = PronoteIdentity.objects.filter(establishment=establishment).count()
    line = ngettext(
        "%(count)d identifiant(s) PRONOTE importé(s).",
        "%(count)d identifiant(s) PRONOTE importé(s).",
        total,
    ) % {"count": total}
    last = last_writing_import(establishment)
    if last is not None:
        previous, at = last
        when = timezone.localtime(at)
        line += " " + gettext("Dernier import fait le : %(date)s à %(time)s en mode %(mode)s.") % {
            "date": f"{when:%d/%m/%Y}",
            "time": f"{when:%H:%M}",
            "mode": ImportMode(previous.mode).label,
        }
    return line


@dataclass
class StepSummary:
    number: int
    plural: str
    state: str
    recognised: int
    unrecognised: int
    created: int
    unchanged: int
    replaced: int
    conflicts: int
    removed: int
    in_file: int
    label: str = ""  # ``plural`` in the active language (pages, text report)
    validated: bool = False
    # What became of the rows (the final page): a validated step's ``kept`` (automatic matches
    # not removed by hand) + ``manual`` (accounts picked by hand) + ``left`` (rows left without
    # account) = ``in_file``, and ``kept`` + ``manual`` = created + unchanged + replaced +
    # conflicts. A step not validated keeps the automatic counts: recognised, 0, unrecognised.
    kept: int = 0
    manual: int = 0
    left: int = 0
    # rows written (or left as conflicts) whose « Identifiant CAS » in PRONOTE is not the name
    # Socle will send their account, or whose account's name PRONOTE already stores on another
    # record of the file: PRONOTE will answer « Identification impossible »
    cas_mismatches: int = 0


@dataclass
class _RowCounts:
    total: int = 0
    kept: int = 0  # automatic match written (or left as a conflict)
    manual: int = 0  # account picked by hand, written (or left as a conflict)
    left: int = 0  # no account: not identified, or its automatic match removed


def _row_counts(session: ImportSession) -> dict[str, _RowCounts]:
    counts: dict[str, _RowCounts] = {}
    grouped = (
        session.rows.order_by()
        .values_list("category", "status", "method", "outcome")
        .annotate(n=Count("id"))
    )
    for category, status, method, outcome, n in grouped:
        count = counts.setdefault(category, _RowCounts())
        count.total += n
        if outcome == Outcome.NOT_IDENTIFIED:
            count.left += n
        elif method == MatchMethod.MANUAL and outcome:
            count.manual += n
        elif status == RowStatus.RECOGNISED and outcome:
            count.kept += n
    return counts


def cas_mismatch_rows(session: ImportSession, limit: int | None = None) -> list[ImportRow]:
    """The rows validation noted ``cas_id_mismatch`` or ``cas_id_held_elsewhere`` (only rows
    with notes are read; the second note is on a row whose own « Identifiant CAS » is empty)."""
    found = []
    rows = session.rows.exclude(outcome_detail_parts=[]).order_by("position")
    for row in rows.iterator(chunk_size=2000):
        if cas_reset_parts(row.outcome_detail_parts):
            found.append(row)
            if limit is not None and len(found) >= limit:
                break
    return found


def _cas_mismatch_counts(session: ImportSession) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _session, category, _parts in cas_reset_notes(session.rows.all()):
        counts[category] = counts.get(category, 0) + 1
    return counts


def step_summaries(session: ImportSession) -> list[StepSummary]:
    counts = _row_counts(session)
    mismatched = _cas_mismatch_counts(session)
    summaries = []
    for stored in session.steps.order_by("number"):
        spec = STEPS[stored.number - 1]
        rows = counts.get(spec.category.value, _RowCounts())
        validated = stored.state == StepState.VALIDATED
        summaries.append(
            StepSummary(
                stored.number,
                spec.plural,
                stored.get_state_display(),
                stored.recognised,
                stored.unrecognised,
                stored.created,
                stored.unchanged,
                stored.replaced,
                stored.conflicts,
                len(stored.removed),
                rows.total,
                spec.label,
                validated,
                kept=rows.kept if validated else stored.recognised,
                manual=rows.manual if validated else 0,
                left=rows.left if validated else stored.unrecognised,
                cas_mismatches=mismatched.get(spec.category.value, 0) if validated else 0,
            )
        )
    return summaries


def step_heading(spec: Step) -> str:
    """« Étape 2/6 : rapprochement des élèves »: the step page's title, in the active language."""
    return gettext("Étape %(n)s/%(total)s : rapprochement des %(nouns)s") % {
        "n": spec.number,
        "total": STEP_COUNT,
        "nouns": spec.plural_noun,
    }


def recognition_counts(spec: Step, recognised: int, unrecognised: int) -> str:
    """« 1 maître de stage reconnu, 2 maîtres de stage non reconnus »: the step page's counts,
    worded as the ENT's screens of the field documents (« 12 Élèves reconnus, 3 Élèves non
    reconnus »)."""
    return (
        ngettext("%(n)s %(noun)s reconnu", "%(n)s %(noun)s reconnus", recognised)
        % {"n": recognised, "noun": spec.noun(recognised)}
        + ", "
        + ngettext("%(n)s %(noun)s non reconnu", "%(n)s %(noun)s non reconnus", unrecognised)
        % {"n": unrecognised, "noun": spec.noun(unrecognised)}
    )


def outcome_counts(summary: StepSummary) -> str:
    """« 2 importés, 1 inchangé, 0 remplacés, 0 conflits, 0 supprimés »: what validating the
    step did, with the step page's words."""
    return ", ".join(
        [
            ngettext("%(n)s importé", "%(n)s importés", summary.created) % {"n": summary.created},
            ngettext("%(n)s inchangé", "%(n)s inchangés", summary.unchanged)
            % {"n": summary.unchanged},
            ngettext("%(n)s remplacé", "%(n)s remplacés", summary.replaced)
            % {"n": summary.replaced},
            ngettext("%(n)s conflit", "%(n)s conflits", summary.conflicts)
            % {"n": summary.conflicts},
            ngettext("%(n)s supprimé", "%(n)s supprimés", summary.removed) % {"n": summary.removed},
        ]
    )


def report_text(session: ImportSession) -> str:
    """Plain-text report (what ``pronote_import`` prints): one line per step, « Étape 2/6 :
    rapprochement des élèves — 3 élèves dans le fichier, 2 reconnus, 1 non reconnu — validée :
    2 importés, 0 inchangés, … »."""
    summaries = step_summaries(session)
    lines = [
        gettext("Import %(number)s — %(establishment)s — mode %(mode)s — %(status)s")
        % {
            "number": session.pk,
            "establishment": session.establishment,
            "mode": ImportMode(session.mode).label,
            "status": session.get_status_display(),
        }
    ]
    for s in summaries:
        spec = STEPS[s.number - 1]
        counts = ", ".join(
            [
                gettext("%(n)s %(noun)s dans le fichier")  # the noun agrees with n
                % {"n": s.in_file, "noun": spec.noun(s.in_file)},
                ngettext("%(n)s reconnu", "%(n)s reconnus", s.recognised) % {"n": s.recognised},
                ngettext("%(n)s non reconnu", "%(n)s non reconnus", s.unrecognised)
                % {"n": s.unrecognised},
            ]
        )
        state = (
            gettext("%(state)s : %(counts)s") % {"state": s.state, "counts": outcome_counts(s)}
            if s.validated
            else s.state
        )
        lines.append(f"{step_heading(spec)} — {counts} — {state}")
    mismatches = sum(s.cas_mismatches for s in summaries)
    if mismatches:
        lines.append(reset_text(mismatches))
    return "\n".join(lines)
