"""What ``socle pronote_import`` prints before it imports: each step's recognition counts and
plan (``--dry-run`` and the preview of the automatic import), the people whose « Identifiant
CAS » the export reset and the conflicts, at most :data:`SHOWN` of each kind (the rest in
``--report``), and the namesakes PRONOTE cannot tell apart by identity (at most :data:`SHOWN`
groups, the rest in « Diagnostic PRONOTE » and ``pronote_doctor --all``). A mixin of the
command (``socle.pronote.management.commands.pronote_import``), kept apart so that the command
module stays about running the import."""

from __future__ import annotations

from typing import Any

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socle.pronote.cas_names import reset_text
from socle.pronote.categories import STEPS
from socle.pronote.importer import renumbered
from socle.pronote.importer.removals import csv_hint, newcomers_hint, warning
from socle.pronote.importer.report import cas_mismatch_rows, recognition_counts, step_heading
from socle.pronote.importer.step_matching import prepare_step
from socle.pronote.importer.steps import StepError, plan_step, removal_check
from socle.pronote.models import FileFormat, ImportRow, RowStatus
from socle.pronote.namesake_notes import namesakes_shown
from socle.pronote.namesakes import import_namesakes
from socle.pronote.reasons import localized_candidate

SHOWN = 50  # listed per kind (conflicts, different Identifiants CAS, namesake groups)


class ImportPreview:
    """The preview's printing; the command gives ``stdout``, ``verbosity`` and its progress."""

    stdout: OutputWrapper
    verbosity: int

    def _step_progress(self, number: int) -> None:
        raise NotImplementedError  # the command's progress line

    def _preview(self, session: Any) -> None:
        for spec in STEPS:
            self._step_progress(spec.number)
            current = prepare_step(session, spec.number)
            self.stdout.write(
                f"{step_heading(spec)} — "
                f"{recognition_counts(spec, current.recognised, current.unrecognised)}"
            )
            limit = None if self.verbosity > 1 else 20
            rows = ImportRow.objects.filter(
                session=session, category=spec.category.value, status=RowStatus.UNRECOGNISED
            ).order_by("position")
            shown = list(rows[:limit] if limit else rows)
            for row in shown:  # the reasons and labels in the command's language
                best = (
                    localized_candidate(row.candidates[0])["label"]
                    if row.candidates
                    else _("aucun candidat")
                )
                self.stdout.write(
                    "  - "
                    + _(
                        "%(last_name)s %(first_name)s (%(pronote_id)s) : %(reason)s ; proposé : "
                        "%(candidate)s"
                    )
                    % {
                        "last_name": row.last_name,
                        "first_name": row.first_name,
                        "pronote_id": row.pronote_id,
                        "reason": row.localized_reason,
                        "candidate": best,
                    }
                )
            if limit and current.unrecognised > limit:
                self.stdout.write(
                    "  "
                    + ngettext(
                        "… et %(count)s autre (--verbosity 2 pour tout voir)",
                        "… et %(count)s autres (--verbosity 2 pour tout voir)",
                        current.unrecognised - limit,
                    )
                    % {"count": current.unrecognised - limit}
                )
            self._preview_plan(session, spec.number, limit)

    def _preview_plan(self, session: Any, number: int, limit: int | None) -> None:
        """What validating the step with its automatic matches would meet: « Identifiant
        CAS » that the export reset (a note), accounts holding another identifier in mode Partiel (a
        renewed PRONOTE base?), the identifiers a Complet validation removes (a large removal:
        the page will ask)."""
        try:
            plan = plan_step(session, number)
        except StepError:
            return
        mismatched = [item for item in plan.items if item.cas_mismatch]
        if mismatched:
            self.stdout.write(f"  {reset_text(len(mismatched))}")
            rows = ImportRow.objects.in_bulk([item.pair.row_id for item in mismatched])
            for item in mismatched[:limit] if limit else mismatched:
                self._refused(rows[item.pair.row_id], item.localized_cas_mismatch)
        stale = renumbered.hint(renumbered.planned_count(plan.items), command=True)
        if stale:
            self.stdout.write(f"  {stale}")
        check = removal_check(session, number, plan)
        if plan.removals and not (check is not None and check.large):
            # the step page's notice (the same msgid): former pupils, staff who left…
            self.stdout.write(
                "  "
                + ngettext(
                    "Mode Complet : %(n)s identifiant absent du fichier sera supprimé à la "
                    "validation.",
                    "Mode Complet : %(n)s identifiants absents du fichier seront supprimés à la "
                    "validation.",
                    len(plan.removals),
                )
                % {"n": len(plan.removals)}
                + (" " + newcomers_hint(command=True) if check and check.no_cas_id else "")
            )
        if plan.removals and session.file_format == FileFormat.CSV:
            self.stdout.write("  " + csv_hint(len(plan.removals)))
        if check is not None and check.large:
            self.stdout.write(
                "  "
                + warning(check, command=True)
                + " "
                + _(
                    "La validation de cette étape demandera de confirmer la suppression "
                    "(ou, avec --auto-only, l'option --force)."
                )
            )

    def _more(self, total: int) -> None:
        """The line after a list cut at :data:`SHOWN` people."""
        if total > SHOWN:
            more = total - SHOWN
            self.stdout.write(
                "  "
                + ngettext(
                    "… et %(count)s autre (liste complète : --report FICHIER.csv)",
                    "… et %(count)s autres (liste complète : --report FICHIER.csv)",
                    more,
                )
                % {"count": more}
            )

    def _cas_mismatches(self, session: Any) -> None:
        """The people the report's count notes, under the final page's heading: a record bound
        to another name, or another record (a duplicate) bound to theirs — both reset by the
        complete export of the file."""
        rows = cas_mismatch_rows(session)
        if rows:
            self.stdout.write(_("Identifiants CAS réinitialisés par l'export :"))
        for row in rows[:SHOWN]:
            self._refused(row, row.localized_cas_mismatch)
        self._more(len(rows))

    def _namesakes(self, session: Any) -> None:
        """The final page's « Homonymes que PRONOTE ne distingue pas par l'identité », in its
        words: the note, then one line per group (a Complet import, the service sending the
        identity)."""
        text, lines = namesakes_shown(import_namesakes(session))
        if not lines:
            return
        self.stdout.write(_("Homonymes que PRONOTE ne distingue pas par l'identité :"))
        self.stdout.write(text)
        for line in lines[:SHOWN]:
            self.stdout.write("  - " + line)
        if len(lines) > SHOWN:
            more = len(lines) - SHOWN
            self.stdout.write(
                "  "
                + ngettext(
                    "… et %(count)s autre (liste complète : « Diagnostic PRONOTE », ou "
                    "pronote_doctor --all)",
                    "… et %(count)s autres (liste complète : « Diagnostic PRONOTE », ou "
                    "pronote_doctor --all)",
                    more,
                )
                % {"count": more}
            )

    def _refused(self, row: Any, detail: str) -> None:
        """One person of such a list, as the pages list them: « NOM Prénom (id) — note »."""
        self.stdout.write(
            "  - "
            + _("%(last_name)s %(first_name)s (%(pronote_id)s) — %(detail)s")
            % {
                "last_name": row.last_name,
                "first_name": row.first_name,
                "pronote_id": row.pronote_id,
                "detail": detail,
            }
        )

    def _conflicts(self, session: Any) -> None:
        rows = session.rows.filter(outcome="conflict").order_by("position")
        for row in rows[:SHOWN]:
            self.stdout.write(
                "  "
                + _("conflit : %(last_name)s %(first_name)s (%(pronote_id)s) — %(detail)s")
                % {
                    "last_name": row.last_name,
                    "first_name": row.first_name,
                    "pronote_id": row.pronote_id,
                    "detail": row.localized_outcome_detail,
                }
            )
        self._more(rows.count())
