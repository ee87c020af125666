"""What validating a step writes: the plan (computed, shown, then executed in one transaction).

Per pair (file row → chosen account, PRONOTE id X):

- the account already holds X here → *inchangé*;
- the account holds another id Y here → mode complet: *remplacé*; mode partiel: *conflit*
  unless the administrator confirms;
- the account holds the id Y of another category (a teacher who is also a parent) that the import
  still lists, or whose category it does not cover → *conflit* unless confirmed, in both modes:
  an account has one id per establishment, and the other record is still current;
- X is held by another account → *conflit* unless confirmed (or unless that account is given
  another id in the same step, a swap);
- the same account chosen for two rows → *conflit* (never confirmable).

Mode complet then removes the ids of this category, for this UAI, that the file no longer lists.

Whatever the action, a row whose « Identifiant CAS » (what PRONOTE had stored when exporting)
is not the CAS user name Socle will send its account gets the note ``cas_id_mismatch``: the
complete export the file comes from reset it, and PRONOTE will store Socle's name at the
person's next connection from the ENT (``socle.pronote.cas_names``) — a note, not a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field

from django.utils import timezone

from socle.core.fastsql import insert_rows
from socle.directory.models import Establishment, Person
from socle.pronote import reasons
from socle.pronote.cas_names import (
    duplicate_refused,
    duplicates_held,
    mismatches,
    pronote_service,
)
from socle.pronote.models import ImportMode, ImportSession, PronoteIdentity
from socle.pronote.reasons import (
    CAS_HELD_ELSEWHERE,
    CAS_MISMATCH,
    CAS_RESETS,
    DETAIL_SEPARATOR,
    Part,
    part,
)

CREATE = "created"
UNCHANGED = "unchanged"
REPLACE = "replaced"
CONFLICT = "conflict"


@dataclass(frozen=True)
class Pair:
    row_id: int
    person_id: int
    pronote_id: str
    method: str = ""
    cas_id: str = ""  # the row's « Identifiant CAS », as PRONOTE stored it


@dataclass
class Planned:
    pair: Pair
    action: str
    notes: tuple[Part, ...] = ()  # why, as reason parts (``socle.pronote.reasons``)
    confirmable: bool = False
    releases: list[int] = field(default_factory=list)  # identity ids deleted to write this one
    depends_on: int | None = None  # person whose own pair must be written to free the id

    @property
    def detail(self) -> str:
        """The notes in French (``ImportRow.outcome_detail``, the CLI and the CSV report)."""
        return reasons.french(self.notes, DETAIL_SEPARATOR)

    @property
    def localized_detail(self) -> str:
        """The notes in the active language (the pages)."""
        return reasons.render(self.notes, DETAIL_SEPARATOR)

    @property
    def detail_parts(self) -> list[list[object]]:
        """The notes as stored (``ImportRow.outcome_detail_parts``)."""
        return reasons.encode(self.notes)

    @property
    def cas_mismatch(self) -> tuple[Part, ...]:
        """The ``cas_id_mismatch`` or ``cas_id_held_elsewhere`` note, if any: the record was
        bound in PRONOTE to another name, reset by the complete export of the file."""
        return tuple(note for note in self.notes if note[0] in CAS_RESETS)

    @property
    def localized_cas_mismatch(self) -> str:
        return reasons.render(self.cas_mismatch)


@dataclass
class Plan:
    items: list[Planned]
    removals: list[dict[str, object]]  # mode complet: {"identity", "pronote_id", "person", "login"}

    def count(self, action: str) -> int:
        return sum(1 for item in self.items if item.action == action)


def _labels(person_ids: set[int]) -> dict[int, str]:
    return {
        pid: f"{last.upper()} {first} ({login})"
        for pid, last, first, login in Person.objects.filter(id__in=person_ids).values_list(
            "id", "last_name", "first_name", "login"
        )
    }


def make_plan(
    establishment: Establishment,
    category: str,
    mode: str,
    pairs: list[Pair],
    *,
    file_ids: set[str],
    confirmed: set[int] = frozenset(),  # type: ignore[assignment]
    listed: Mapping[str, Set[str]] | None = None,
    stored_cas: Mapping[str, tuple[str, str]] | None = None,
) -> Plan:
    """``listed``: the PRONOTE ids of the whole import, by category (``None``: unknown, every
    identifier of another category is taken as still current). ``stored_cas``: the step's
    records that carry an « Identifiant CAS », as that name → (PRONOTE id, « NOM Prénom »)."""
    current = list(
        PronoteIdentity.objects.filter(establishment=establishment).values_list(
            "id", "person_id", "pronote_id", "category"
        )
    )
    by_person = {person: (ident, pid, cat) for ident, person, pid, cat in current}
    by_pid = {pid: (ident, person) for ident, person, pid, _cat in current}
    targets = {pair.person_id for pair in pairs}
    labels = _labels(
        {
            by_pid[p.pronote_id][1]
            for p in pairs
            if p.pronote_id in by_pid and by_pid[p.pronote_id][1] != p.person_id
        }
    )

    items: list[Planned] = []
    first_row_of: dict[int, Pair] = {}
    for pair in pairs:
        if pair.person_id in first_row_of:
            other = first_row_of[pair.person_id]
            items.append(
                Planned(pair, CONFLICT, (part("account_chosen_for", pronote_id=other.pronote_id),))
            )
            continue
        first_row_of[pair.person_id] = pair
        own = by_person.get(pair.person_id)
        holder = by_pid.get(pair.pronote_id)
        if own and own[1] == pair.pronote_id:
            items.append(Planned(pair, UNCHANGED))
            continue
        item = Planned(pair, CREATE)
        notes: list[Part] = []
        if own:
            other_record = own[2] != category and _still_current(own[1], own[2], listed)
            if (mode == ImportMode.PARTIEL or other_record) and pair.row_id not in confirmed:
                item.action, item.confirmable = CONFLICT, True
                code = "account_has_other_record_id" if other_record else "account_has_id"
                notes.append(part(code, pronote_id=own[1]))
            else:
                item.action = REPLACE
                item.releases.append(own[0])
                notes.append(part("replaces_id", pronote_id=own[1]))
        if holder and holder[1] != pair.person_id:
            holder_label = labels.get(holder[1], str(holder[1]))
            if holder[1] in targets:
                item.releases.append(holder[0])
                item.depends_on = holder[1]
                notes.append(part("taken_from", label=holder_label))
            elif pair.row_id in confirmed:
                item.releases.append(holder[0])
                notes.append(part("removed_from", label=holder_label))
                if item.action == CREATE:
                    item.action = REPLACE
            else:
                item.action, item.confirmable = CONFLICT, True
                notes.append(part("id_given_to", label=holder_label))
        if item.action == CONFLICT:
            item.releases = []
        item.notes = tuple(notes)
        items.append(item)

    _settle_swaps(items)
    _note_cas_mismatches(establishment, items, stored_cas or {})
    return Plan(items, _removals(establishment, category, mode, file_ids, items))


def _still_current(pronote_id: str, category: str, listed: Mapping[str, Set[str]] | None) -> bool:
    """Whether an account's identifier of another category than the step's belongs to a PRONOTE
    record that is still current: the import lists it, or does not cover its category at all
    (then nothing tells it is gone). A teacher who is also a parent has two records in PRONOTE,
    each with its own id; mode Complet must not replace one by the other."""
    if listed is None or not listed.get(category):
        return True
    return pronote_id in listed[category]


def _note_cas_mismatches(
    establishment: Establishment,
    items: list[Planned],
    stored_cas: Mapping[str, tuple[str, str]],
) -> None:
    """Adds ``cas_id_mismatch`` to the items whose row carries an « Identifiant CAS » that is
    not the name Socle will send their account, and ``cas_id_held_elsewhere`` to those whose
    account's name PRONOTE stored on another record of the step (a duplicate record bound
    first, which would have made PRONOTE refuse the person) — unless the UAI's service in use
    recognises users by their identity, where no identifier designates this record and PRONOTE
    would open the bound one (:func:`~socle.pronote.cas_names.duplicate_refused`). Notes, not
    refusals: the complete export the file comes from reset both. No query when no row carries
    an « Identifiant CAS »."""
    found = mismatches(
        establishment,
        ((index, item.pair.person_id, item.pair.cas_id) for index, item in enumerate(items)),
    )
    for index, (stored, sent) in found.items():
        item = items[index]
        item.notes = (*item.notes, part(CAS_MISMATCH, stored=stored, sent=sent))
    if not stored_cas or not items:
        return
    service = pronote_service(establishment)
    if not duplicate_refused(service):  # identity mode: PRONOTE opens the bound record
        return
    held = duplicates_held(
        establishment,
        service,
        stored_cas,
        (
            (index, item.pair.person_id, item.pair.pronote_id, item.pair.cas_id)
            for index, item in enumerate(items)
        ),
    )
    for index, (name, holder) in held.items():
        item = items[index]
        item.notes = (
            *item.notes,
            part(CAS_HELD_ELSEWHERE, sent=name, pronote_id=holder[0], label=holder[1]),
        )


def _settle_swaps(items: list[Planned]) -> None:
    """An id freed by a swap stays taken if the other account's own pair is not written."""
    written = {i.pair.person_id for i in items if i.action != CONFLICT}
    changed = True
    while changed:
        changed = False
        for item in items:
            if (
                item.action != CONFLICT
                and item.depends_on is not None
                and item.depends_on not in written
            ):
                item.action, item.confirmable, item.releases = CONFLICT, True, []
                item.notes = (part("id_held_by_conflict"),)
                written.discard(item.pair.person_id)
                changed = True


def _removals(
    establishment: Establishment, category: str, mode: str, file_ids: set[str], items: list[Planned]
) -> list[dict[str, object]]:
    if mode != ImportMode.COMPLET or not file_ids:
        return []
    released = {ident for item in items for ident in item.releases}
    rows = PronoteIdentity.objects.filter(establishment=establishment, category=category)
    return [
        {"identity": ident, "pronote_id": pid, "person": f"{last.upper()} {first}", "login": login}
        for ident, pid, last, first, login in rows.values_list(
            "id", "pronote_id", "person__last_name", "person__first_name", "person__login"
        )
        if pid not in file_ids and ident not in released
    ]


def execute(
    plan: Plan, establishment: Establishment, category: str, session: ImportSession | None
) -> None:
    """Writes the plan. The caller holds the transaction."""
    to_delete = {
        ident for item in plan.items if item.action in (CREATE, REPLACE) for ident in item.releases
    }
    to_delete |= {int(str(r["identity"])) for r in plan.removals}
    ordered = sorted(to_delete)
    for start in range(0, len(ordered), 500):
        PronoteIdentity.objects.filter(id__in=ordered[start : start + 500]).delete()
    now = timezone.now()
    source_id = session.pk if session else None
    insert_rows(
        PronoteIdentity,
        (
            (
                item.pair.person_id,
                establishment.pk,
                item.pair.pronote_id,
                category,
                item.pair.method,
                source_id,
                now,
            )
            for item in plan.items
            if item.action in (CREATE, REPLACE)
        ),
        (
            "person_id",
            "establishment_id",
            "pronote_id",
            "category",
            "method",
            "source_id",
            "imported_at",
        ),
    )
    unchanged = [item.pair.person_id for item in plan.items if item.action == UNCHANGED]
    for start in range(0, len(unchanged), 500):
        PronoteIdentity.objects.filter(
            establishment=establishment, person_id__in=unchanged[start : start + 500]
        ).exclude(category=category).update(category=category)
