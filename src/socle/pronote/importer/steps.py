"""Validating the steps of an import session: the accounts chosen, the plan written in one
transaction, the next step; interrupting; ``--auto-only``. Their automatic matching is
``step_matching.py``'s."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from socle.core.fastsql import update_rows
from socle.directory.blocking import present
from socle.directory.models import Person
from socle.pronote import journal
from socle.pronote.cas_names import step_holders
from socle.pronote.categories import STEP_COUNT, Category, step
from socle.pronote.importer.plan import CONFLICT, Pair, Plan, execute, make_plan
from socle.pronote.importer.removals import RemovalCheck, refusal
from socle.pronote.importer.session import mark_interrupted
from socle.pronote.importer.step_matching import MATCH_FIELDS, StepRow, prepare_step, step_rows
from socle.pronote.journal import Actor
from socle.pronote.models import (
    ImportMode,
    ImportRow,
    ImportSession,
    ImportStep,
    MatchMethod,
    Outcome,
    PronoteIdentity,
    RowStatus,
    SessionStatus,
    StepState,
)
from socle.pronote.predicted_for import service_settings


class StepError(ValueError):
    """The step cannot be validated as asked; the message is French and shown as is."""


class StepMoved(StepError):
    """The session is no longer at this step: another request validated it (a double click, a
    second tab) or ended the import (``closed``) while this one waited for the session."""

    def __init__(self, message: str, *, current_step: int, closed: bool) -> None:
        self.current_step = current_step
        self.closed = closed
        super().__init__(message)


class LargeRemoval(StepError):
    """A Complet step would remove many identifiers (``removals.RemovalCheck.large``) and the
    removal was not confirmed; nothing was written."""

    def __init__(self, check: RemovalCheck) -> None:
        self.check = check
        super().__init__(refusal(check))


OUTCOME_FIELDS = ["person", "method", "outcome", "outcome_detail", "outcome_detail_parts"]


def _pairs(rows: list[StepRow], choices: dict[int, int | None]) -> list[Pair]:
    """The accounts to write: automatic matches unless cleared, plus manual choices."""
    chosen_ids = {pid for pid in choices.values() if pid}
    active = set(Person.objects.filter(present(), id__in=chosen_ids).values_list("id", flat=True))
    unknown = chosen_ids - active
    if unknown:
        raise StepError(
            gettext("Un compte choisi n'existe pas ou n'est plus actif ; recommencez la recherche.")
        )
    pairs = []
    for row in rows:
        if row.id in choices:
            person_id = choices[row.id]
            method = (
                row.method
                if person_id and person_id == row.person_id and row.status == RowStatus.RECOGNISED
                else MatchMethod.MANUAL
            )
        else:
            person_id = row.person_id if row.status == RowStatus.RECOGNISED else None
            method = row.method
        if person_id:
            pairs.append(Pair(row.id, person_id, row.pronote_id, method, row.cas_id))
    _refuse_shared_accounts(rows, pairs)
    return pairs


def _refuse_shared_accounts(rows: list[StepRow], pairs: list[Pair]) -> None:
    """An account holds one PRONOTE identifier per establishment: one chosen for several rows is
    refused, naming the account and the rows (« Le compte ROUX Emma (emma.roux) est choisi pour
    plusieurs lignes : ROUX Emma (ELEVE…1), ROUX Emmy (ELEVE…2). »)."""
    rows_of: dict[int, list[int]] = {}
    for pair in pairs:
        rows_of.setdefault(pair.person_id, []).append(pair.row_id)
    shared = {person_id: ids for person_id, ids in rows_of.items() if len(ids) > 1}
    if not shared:
        return
    by_id = {row.id: row for row in rows}
    people = Person.objects.in_bulk(list(shared))
    sentences = []
    for person_id, row_ids in shared.items():
        person = people[person_id]
        sentences.append(
            gettext("Le compte %(account)s est choisi pour plusieurs lignes : %(rows)s.")
            % {
                "account": f"{person.last_name.upper()} {person.first_name} ({person.login})",
                "rows": ", ".join(
                    f"{by_id[i].last_name} {by_id[i].first_name} ({by_id[i].pronote_id})"
                    for i in row_ids
                ),
            }
        )
    sentences.append(
        gettext(
            "Un compte ne peut avoir qu'un identifiant PRONOTE par établissement : gardez une "
            "seule de ces lignes (« retirer » sur une ligne reconnue, « — non identifié — » sur "
            "une autre)."
        )
    )
    raise StepError(" ".join(sentences))


def _listed(session: ImportSession) -> dict[str, set[str]]:
    """The import's PRONOTE ids by category (``make_plan``'s ``listed``)."""
    listed: dict[str, set[str]] = {}
    for pronote_id, category in session.rows.values_list("pronote_id", "category"):
        listed.setdefault(category, set()).add(pronote_id)
    return listed


def _stored_cas(rows: list[StepRow]) -> dict[str, tuple[str, str]]:
    """The step's records that carry an « Identifiant CAS » (``make_plan``'s ``stored_cas``)."""
    return step_holders((row.cas_id, row.pronote_id, row.last_name, row.first_name) for row in rows)


def plan_step(
    session: ImportSession,
    number: int,
    choices: dict[int, int | None] | None = None,
    confirmed: set[int] | None = None,
) -> Plan:
    """What validating would write now (shown on the step page, then executed)."""
    return _plan_rows(session, number, step_rows(session, number), choices, confirmed)


def _plan_rows(
    session: ImportSession,
    number: int,
    rows: list[StepRow],
    choices: dict[int, int | None] | None,
    confirmed: set[int] | None,
) -> Plan:
    """:func:`plan_step` on the step's ``rows`` already read."""
    return make_plan(
        session.establishment,
        step(number).category.value,
        session.mode,
        _pairs(rows, choices or {}),
        file_ids={r.pronote_id for r in rows},
        confirmed=confirmed or set(),
        listed=_listed(session),
        stored_cas=_stored_cas(rows),
    )


def removal_check(session: ImportSession, number: int, plan: Plan) -> RemovalCheck | None:
    """How many identifiers validating would remove, against how many the category holds;
    ``None`` when it removes none (mode Partiel always)."""
    if session.mode != ImportMode.COMPLET or not plan.removals:
        return None
    category = step(number).category.value
    return RemovalCheck(
        category=category,
        removals=len(plan.removals),
        held=PronoteIdentity.objects.filter(
            establishment=session.establishment, category=category
        ).count(),
        no_cas_id=not session.rows.exclude(cas_id="").exists(),
    )


def validate_step(
    session: ImportSession,
    number: int,
    choices: dict[int, int | None] | None = None,
    confirmed: set[int] | None = None,
    *,
    confirm_removals: bool = False,
    actor: Actor | None = None,
) -> ImportStep:
    """Writes this step's identifiers in one transaction and moves to the next step.
    ``choices`` maps a row id to the account picked by hand (``None`` clears the row). A large
    removal (``removals.RemovalCheck.large``) raises :class:`LargeRemoval`, nothing written,
    unless ``confirm_removals``. ``actor``: who the trace names (default: who started it)."""
    with transaction.atomic():
        session = ImportSession.objects.select_for_update().get(pk=session.pk)
        if session.status != SessionStatus.IN_PROGRESS:
            raise StepMoved(
                gettext("Cet import est terminé ou interrompu : relancez un import."),
                current_step=session.current_step,
                closed=True,
            )
        if session.current_step != number:
            raise StepMoved(
                gettext("Cet import en est à l'étape %(step)s/%(count)s.")
                % {"step": session.current_step, "count": STEP_COUNT},
                current_step=session.current_step,
                closed=False,
            )
        spec = step(number)
        rows = step_rows(session, number)
        current = prepare_step(session, number, rows, write_rows=False)
        plan = _plan_rows(session, number, rows, choices, confirmed)
        check = removal_check(session, number, plan)
        if check is not None and check.large and not confirm_removals:
            raise LargeRemoval(check)
        execute(plan, session.establishment, spec.category.value, session)
        _record_outcomes(rows, plan)
        current.created = plan.count("created")
        current.unchanged = plan.count("unchanged")
        current.replaced = plan.count("replaced")
        current.conflicts = plan.count(CONFLICT)
        current.removed = [{k: v for k, v in r.items() if k != "identity"} for r in plan.removals]
        current.state = StepState.VALIDATED
        current.validated_at = timezone.now()
        current.predicted_for = service_settings(session.establishment)
        current.save()
        journal.step_validated(session, current, STEP_COUNT, actor or _starter(session))
        if spec.category == Category.ELEVE:  # responsables are matched against these choices
            session.steps.filter(category=Category.RESPONSABLE, state=StepState.MATCHED).update(
                state=StepState.PENDING
            )
        if number == STEP_COUNT:
            session.status = SessionStatus.FINISHED
            session.finished_at = timezone.now()
        else:
            session.current_step = number + 1
        session.save(update_fields=["status", "finished_at", "current_step"])
        return current


def _record_outcomes(rows: list[StepRow], plan: Plan) -> None:
    planned = {item.pair.row_id: item for item in plan.items}
    for row in rows:
        item = planned.get(row.id)
        if item is None:
            row.person_id = None
            row.outcome, row.outcome_detail = Outcome.NOT_IDENTIFIED, ""
            row.outcome_detail_parts = []
        else:
            row.person_id = item.pair.person_id
            if item.pair.method == MatchMethod.MANUAL:
                row.method = MatchMethod.MANUAL
            row.outcome, row.outcome_detail = item.action, item.detail[:300]
            row.outcome_detail_parts = item.detail_parts
    just_matched = bool(rows) and rows[0].just_matched
    matched = [f for f in MATCH_FIELDS if f not in OUTCOME_FIELDS] if just_matched else []
    update_rows(ImportRow, rows, OUTCOME_FIELDS + matched)


def interrupt(session: ImportSession, actor: Actor | None = None) -> ImportSession:
    """Stops the import; steps already validated keep what they wrote."""
    with transaction.atomic():
        session = ImportSession.objects.select_for_update().get(pk=session.pk)
        if session.status == SessionStatus.IN_PROGRESS:
            mark_interrupted(session)
            journal.import_interrupted(session, actor or _starter(session), by_new=False)
    return session


def _starter(session: ImportSession) -> Actor:
    return Actor(person=session.created_by)


def run_automatic(
    session: ImportSession,
    *,
    confirm_removals: bool = False,
    large_removals: list[RemovalCheck] | None = None,
    actor: Actor | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSession:
    """``--auto-only``: validates every remaining step with the automatic matches alone;
    ``progress`` is told each step's number as its validation starts.

    A large removal raises :class:`LargeRemoval` unless ``confirm_removals``; when the caller
    passes a ``large_removals`` list, such steps are validated anyway and their checks listed
    there, for the caller to decide (``pronote_import`` rolls everything back without
    ``--force``)."""
    session.refresh_from_db()
    while session.status == SessionStatus.IN_PROGRESS:
        number = session.current_step
        if progress is not None:
            progress(number)
        try:
            validate_step(session, number, confirm_removals=confirm_removals, actor=actor)
        except LargeRemoval as exc:
            if large_removals is None:
                raise
            large_removals.append(exc.check)
            validate_step(session, number, confirm_removals=True, actor=actor)
        session.refresh_from_db()
    return session
