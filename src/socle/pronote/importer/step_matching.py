"""The automatic matching of an import step: its rows read as plain :class:`StepRow` objects,
matched against the directory once, the step marked « rapprochée ». Validating it is
``steps.py``'s job."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from socle.core.fastsql import update_rows
from socle.pronote.categories import Category, step
from socle.pronote.directory_index import build_index
from socle.pronote.matching import Row, children_by_responsable, match_rows
from socle.pronote.models import ImportRow, ImportSession, ImportStep, Outcome, RowStatus, StepState
from socle.pronote.reasons import encode


def get_step(session: ImportSession, number: int) -> ImportStep:
    return session.steps.get(number=number)


MATCH_FIELDS = ["status", "person", "method", "reason", "reason_parts", "candidates"]
_ROW_COLUMNS = (
    "id",
    "category",
    "pronote_id",
    "last_name",
    "first_name",
    "birth_date",
    "class_name",
    "cas_id",
    "status",
    "person_id",
    "method",
)


@dataclass(slots=True)
class StepRow:
    """What matching and validation read and write of an :class:`ImportRow` — a plain object:
    instantiating 1,600 Django models per step costs more than the matching itself."""

    id: int
    category: str
    pronote_id: str
    last_name: str
    first_name: str
    birth_date: dt.date | None
    class_name: str
    cas_id: str
    status: str
    person_id: int | None
    method: str
    reason: str = ""
    reason_parts: list[list[object]] = field(default_factory=list)
    candidates: list[dict[str, object]] = field(default_factory=list)
    outcome: str = ""
    outcome_detail: str = ""
    outcome_detail_parts: list[list[object]] = field(default_factory=list)
    just_matched: bool = False

    @property
    def pk(self) -> int:
        return self.id


def step_rows(session: ImportSession, number: int) -> list[StepRow]:
    values = (
        session.rows.filter(category=step(number).category.value)
        .order_by("position")
        .values_list(*_ROW_COLUMNS)
    )
    return [StepRow(*row) for row in values]


def prepare_step(
    session: ImportSession,
    number: int,
    rows: list[StepRow] | None = None,
    *,
    write_rows: bool = True,
) -> ImportStep:
    """Runs the automatic matching of a step once (one directory index, one bulk update).
    ``rows`` (the step's rows, if the caller has them) are updated in place; with
    ``write_rows=False`` the caller writes them (validation, in the same statement).

    The matching is written only if the step is still pending when it is done (a conditional
    UPDATE, then the rows, in one transaction): a page computed while another request validated
    the step must not mark it « rapprochée » again nor put automatic matches back on its rows."""
    current = get_step(session, number)
    if current.state != StepState.PENDING:
        return current
    spec = step(number)
    rows = step_rows(session, number) if rows is None else rows
    children = {}
    if spec.category == Category.RESPONSABLE:
        pupils = (
            session.rows.filter(category=Category.ELEVE, person__isnull=False)
            .exclude(outcome__in=[Outcome.CONFLICT, Outcome.NOT_DONE])
            .values_list("person_id", "responsables")
        )
        children = children_by_responsable(pupils)
    if rows:
        index = build_index(session.establishment, spec.profiles)
        matches = match_rows(
            (
                Row(
                    key=r.id,
                    category=r.category,
                    pronote_id=r.pronote_id,
                    last_name=r.last_name,
                    first_name=r.first_name,
                    birth_date=r.birth_date,
                    class_name=r.class_name,
                    cas_id=r.cas_id,
                )
                for r in rows
            ),
            index,
            spec.profiles,
            children_by_responsable=children,
        )
        by_id = {r.id: r for r in rows}
        for match in matches:
            row = by_id[match.row.key]
            row.status = RowStatus.RECOGNISED if match.recognised else RowStatus.UNRECOGNISED
            row.person_id = match.account_id
            row.method = match.method
            row.reason = match.reason[:300]  # French: the CLI's and the CSV report's text
            row.reason_parts = encode(match.reason_parts)  # the pages render these
            row.candidates = [c.as_dict() for c in match.candidates]
        if not write_rows:
            for row in rows:  # written with the outcome, in the same statement
                row.just_matched = True
    recognised = sum(1 for r in rows if r.status == RowStatus.RECOGNISED)
    with transaction.atomic():
        still_pending = ImportStep.objects.filter(pk=current.pk, state=StepState.PENDING).update(
            recognised=recognised, unrecognised=len(rows) - recognised, state=StepState.MATCHED
        )
        if not still_pending:  # validated (or matched) meanwhile by another request
            return get_step(session, number)
        if write_rows and rows:
            update_rows(ImportRow, rows, MATCH_FIELDS)
    current.recognised, current.unrecognised = recognised, len(rows) - recognised
    current.state = StepState.MATCHED
    return current
