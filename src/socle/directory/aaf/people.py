"""Writes a batch of AAF people to the database with a handful of set-based queries.

For each batch: one query loads the people already known (by ``external_id``), one loads their
memberships of the file's profiles, then ``bulk_create``/``bulk_update``/one ``DELETE`` apply
the differences. Nothing is written for a person whose data did not change.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.core.fastsql import insert_rows
from socle.directory.aaf.fastsql import rows_in
from socle.directory.aaf.groups import sync_groups
from socle.directory.aaf.mapping import PUPIL, RELATIVE, STAFF, TYPE_PROFILES
from socle.directory.aaf.memberships import CHUNK, sync_memberships
from socle.directory.aaf.records import (
    PersonData,
    RecordError,
    RelationData,
    StructureIndex,
    complete_staff_modify,
)
from socle.directory.aaf.report import Tally
from socle.directory.logins import LoginAllocator, new_uids
from socle.directory.models import Membership, Person, Source, search_key_for
from socle.directory.names import normalize_name

PERSON_FIELDS = (
    "last_name",
    "birth_last_name",
    "first_name",
    "personal_title",
    "birth_date",
    "postal_code",
    "email",
)
NAME_FIELDS = {"last_name", "birth_last_name", "first_name"}


@dataclass
class Context:
    """State shared by every file of one import."""

    allocator: LoginAllocator
    structures: StructureIndex
    aaf_establishments: set[int]
    uai_by_pk: dict[int, str]


@dataclass
class FileState:
    """What one file changed, kept apart until the file's transaction commits."""

    name: str
    full: bool
    tally: Tally = field(default_factory=Tally)
    seen: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)
    covered: set[int] = field(default_factory=set)
    links: dict[int, list[RelationData]] = field(default_factory=dict)
    deactivated: list[int] = field(default_factory=list)
    # Named by a delete record but already inactive: deactivated by an earlier run of the same
    # file, perhaps interrupted before ``person_deactivated`` was sent; it is sent again.
    signal_again: list[int] = field(default_factory=list)
    relatives: set[int] = field(default_factory=set)
    # Pupils whose record gave their establishments or class but not their relatives (a delta
    # moving them to another school): their relatives' memberships are recomputed too.
    placed_pupils: set[int] = field(default_factory=set)

    def error(self, kind: str, record_id: str, reason: str) -> None:
        self.tally.by_type[kind].errors += 1
        self.tally.errors.append(
            _("%(file)s, enregistrement %(record)s : %(reason)s")
            % {"file": self.name, "record": record_id or "?", "reason": reason}
        )

    def value_error(self, record_id: str, reason: str) -> None:
        """A value set aside: reported like a record in error, but the record is imported."""
        self.tally.errors.append(
            _("%(file)s, enregistrement %(record)s : %(reason)s")
            % {"file": self.name, "record": record_id or "?", "reason": reason}
        )


def unusable_password() -> str:
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


EXISTING_COLUMNS = (
    "pk",
    "external_id",
    "is_active",
    "source",
    *PERSON_FIELDS,
    "aaf_staff_inputs",
    "blocked_at",
    "active_when_unblocked",
)
_INDEX = {name: position for position, name in enumerate(EXISTING_COLUMNS)}


def apply_people(batch: list[PersonData], kind: str, ctx: Context, state: FileState) -> None:
    now = timezone.now()
    now_db = connection.ops.adapt_datetimefield_value(now)  # adapted once for raw inserts
    ids = [data.external_id for data in batch]
    existing = {row[1]: row for row in rows_in(Person, EXISTING_COLUMNS, "external_id", ids)}
    existing.update(_adoptions(batch, existing, kind, state))
    if kind == STAFF:
        batch = _complete_staff(batch, existing, ctx, state)
    to_create: list[dict[str, Any]] = []
    # Grouped by the set of fields that changed: bulk_update writes every listed field.
    to_update: dict[frozenset[str], list[Person]] = defaultdict(list)
    # Staff whose kept profile inputs change; on their own, they are no change to the person.
    to_keep: list[Person] = []
    handled: list[tuple[int | str, PersonData, str]] = []
    for data in batch:
        if data.external_id in state.seen:
            state.error(kind, data.external_id, _("enregistrement en double dans le fichier."))
            continue
        state.seen.add(data.external_id)
        row = existing.get(data.external_id)
        for reason in data.value_errors:
            state.value_error(data.external_id, reason)
        if data.operation == "delete":
            _delete(row, data, kind, state, to_update, now)
            continue
        if row is None and data.operation == "modify":
            state.error(kind, data.external_id, _("modification d'une personne inconnue."))
            continue
        if row is None:
            to_create.append(_new_person(data, ctx, now_db))
            handled.append((data.external_id, data, "created"))
        else:
            changes = _changes(row, data)
            if row[_INDEX["blocked_at"]] is not None:  # blocked by hand: left blocked
                state.tally.left_blocked_ids.add(row[0])
            if changes:
                to_update[frozenset(changes)].append(Person(pk=row[0], updated_at=now, **changes))
            inputs = data.staff_inputs
            if inputs is not None and row[_INDEX["aaf_staff_inputs"]] != inputs:
                to_keep.append(Person(pk=row[0], aaf_staff_inputs=inputs))
            handled.append((row[0], data, "updated" if changes else "unchanged"))
        if state.full:
            state.listed.add(data.external_id)
    if to_create:
        for new_row, uid in zip(to_create, new_uids(len(to_create)), strict=True):
            new_row["uid"] = uid
        insert_rows(Person, to_create)
        created = _pks_of([row["external_id"] for row in to_create])
        handled = [(created[key] if isinstance(key, str) else key, d, st) for key, d, st in handled]
    for fields, people in to_update.items():
        Person.objects.bulk_update(people, sorted(fields | {"updated_at"}), batch_size=CHUNK)
    Person.objects.bulk_update(to_keep, ["aaf_staff_inputs"], batch_size=CHUNK)
    resolved = [(int(pk), data, status) for pk, data, status in handled]
    membership_changes, memberships = sync_memberships(resolved, kind, ctx.aaf_establishments)
    membership_changes |= sync_groups(
        [(pk, data) for pk, data, _status in resolved], kind, state.value_error, memberships
    )
    for pk, data, status in resolved:
        if status == "unchanged" and pk in membership_changes:
            status = "updated"
        state.tally.by_type[kind].bump(status)
        establishments = {est for est, _ in (data.memberships or {})}
        for est in establishments:
            state.tally.by_establishment[ctx.uai_by_pk[est]].bump(status)
        if state.full:
            state.covered |= establishments
        if kind == PUPIL and data.relations is not None:
            state.links[pk] = data.relations
        elif kind == PUPIL and data.memberships is not None:
            state.placed_pupils.add(pk)
        if kind == RELATIVE:
            state.relatives.add(pk)


def _adoptions(
    batch: list[PersonData], existing: dict[str, tuple[Any, ...]], kind: str, state: FileState
) -> dict[str, tuple[Any, ...]]:
    """Accounts the AAF records of this batch take over instead of creating duplicates.

    A school that used the CSV import (or accounts made by hand) before the AAF already has its
    people, without their AAF identifier. A new AAF record adopts such an account when exactly
    one matches: same normalised last and first names, same birth date when the record gives
    one, a membership of the record's profile in one of its establishments, and not fed by the
    AAF yet. The account keeps its uid and login: PRONOTE's « Identifiant CAS » and the other
    services' bindings never change. Several candidates: a new account is created as before
    and the import summary names them, to be merged by hand."""
    wanted = [
        d for d in batch if d.external_id not in existing and d.operation == "add" and d.memberships
    ]
    profiles = sorted(TYPE_PROFILES.get(kind) or ())
    if not wanted or not profiles:
        return {}
    establishments = sorted({est for d in wanted for est, _ in d.memberships or {}})
    candidates = (
        Membership.objects.filter(establishment_id__in=establishments, profile__in=profiles)
        .exclude(person__source=Source.AAF)
        .values_list(
            "person_id",
            "establishment_id",
            "profile",
            "person__last_name",
            "person__first_name",
            "person__birth_date",
            "person__login",
        )
    )
    index: dict[tuple[str, str, int, str], set[tuple[int, Any, str]]] = defaultdict(set)
    for person_id, est, profile, last, first, birth, login in candidates:
        key = (normalize_name(last), normalize_name(first), est, profile)
        index[key].add((person_id, birth, login))
    if not index:
        return {}
    chosen: dict[str, int] = {}
    taken: set[int] = set()
    for data in wanted:
        last = normalize_name(data.fields.get("last_name", ""))
        first = normalize_name(data.fields.get("first_name", ""))
        birth = data.fields.get("birth_date")
        found = {
            (person_id, login)
            for est, profile in data.memberships or {}
            for person_id, their_birth, login in index.get((last, first, est, profile), ())
            if (birth is None or their_birth == birth) and person_id not in taken
        }
        if len(found) == 1:
            person_id, _login = found.pop()
            chosen[data.external_id] = person_id
            taken.add(person_id)
        elif len(found) > 1:
            logins = ", ".join(sorted(login for _person_id, login in found))
            state.tally.notes.append(
                _(
                    "%(file)s, enregistrement %(record)s : plusieurs comptes existants possibles "
                    "(%(logins)s) ; un nouveau compte est créé, à rapprocher à la main."
                )
                % {"file": state.name, "record": data.external_id, "logins": logins}
            )
    if not chosen:
        return {}
    rows = {row[0]: row for row in rows_in(Person, EXISTING_COLUMNS, "pk", list(chosen.values()))}
    state.tally.notes.append(
        _(
            "%(file)s : %(count)s compte(s) existant(s) sans identifiant AAF repris (même nom, "
            "prénom, date de naissance et établissement ; identifiant et uid gardés)."
        )
        % {"file": state.name, "count": len(chosen)}
    )
    return {external_id: rows[pk] for external_id, pk in chosen.items() if pk in rows}


def _complete_staff(
    batch: list[PersonData], existing: dict[str, tuple[Any, ...]], ctx: Context, state: FileState
) -> list[PersonData]:
    """Deduces the memberships of the staff modifies that carry some of the profile inputs,
    with the person's kept inputs for the others; drops (and reports) the records in error,
    as :func:`~socle.directory.aaf.records.build_person` does. A person imported before the
    inputs were kept gets the former behaviour, and is counted for the summary."""
    kept: list[PersonData] = []
    for data in batch:
        if data.operation == "modify" and data.staff_inputs:
            row = existing.get(data.external_id)
            stored = row[_INDEX["aaf_staff_inputs"]] if row is not None else None
            try:
                complete = complete_staff_modify(data, stored, ctx.structures)
            except RecordError as exc:
                state.error(STAFF, data.external_id, str(exc))
                continue
            if not complete and row is not None:
                state.tally.staff_without_inputs += 1
        kept.append(data)
    return kept


def _pks_of(external_ids: list[str]) -> dict[str, int]:
    return {
        external_id: pk
        for external_id, pk in rows_in(Person, ("external_id", "pk"), "external_id", external_ids)
    }


def _delete(
    row: tuple[Any, ...] | None,
    data: PersonData,
    kind: str,
    state: FileState,
    to_update: dict[frozenset[str], list[Person]],
    now: Any,
) -> None:
    if row is None:
        state.error(kind, data.external_id, _("suppression d'une personne inconnue."))
    elif row[_INDEX["is_active"]]:
        to_update[frozenset({"is_active", "deactivated_at"})].append(
            Person(pk=row[0], is_active=False, deactivated_at=now, updated_at=now)
        )
        state.deactivated.append(row[0])
        state.tally.by_type[kind].bump("deactivated")
    elif row[_INDEX["blocked_at"]] is not None and row[_INDEX["active_when_unblocked"]]:
        # blocked by hand: stays blocked, and deactivated when the block ends
        to_update[frozenset({"active_when_unblocked", "deactivated_at"})].append(
            Person(pk=row[0], active_when_unblocked=False, deactivated_at=now, updated_at=now)
        )
        state.deactivated.append(row[0])
        state.tally.by_type[kind].bump("deactivated")
    else:
        state.signal_again.append(row[0])
        state.tally.by_type[kind].bump("unchanged")


def _new_person(data: PersonData, ctx: Context, now: Any) -> dict[str, Any]:
    values: dict[str, Any] = {name: data.fields.get(name, "") for name in PERSON_FIELDS}
    values["birth_date"] = data.fields.get("birth_date")
    values.update(
        login=ctx.allocator.allocate(values["first_name"], values["last_name"]),
        password=unusable_password(),
        external_id=data.external_id,
        source=Source.AAF,
        aaf_staff_inputs=data.staff_inputs,
        search_key=search_key_for(
            values["last_name"], values["birth_last_name"], values["first_name"]
        ),
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    return values


def _changes(row: tuple[Any, ...], data: PersonData) -> dict[str, Any]:
    """The fields to write for a known person (empty: nothing changed)."""
    changes = {name: value for name, value in data.fields.items() if row[_INDEX[name]] != value}
    if row[_INDEX["external_id"]] != data.external_id:  # an account adopted by this record
        changes["external_id"] = data.external_id
    if NAME_FIELDS.intersection(changes):
        names = {n: changes.get(n, row[_INDEX[n]]) for n in NAME_FIELDS}
        changes["search_key"] = search_key_for(
            names["last_name"], names["birth_last_name"], names["first_name"]
        )
    if row[_INDEX["blocked_at"]] is not None:
        # A hand block is never lifted by an import: the account is active when it ends.
        if not row[_INDEX["active_when_unblocked"]]:
            changes["active_when_unblocked"] = True
    elif not row[_INDEX["is_active"]]:
        changes["is_active"] = True
        changes["deactivated_at"] = None
    if row[_INDEX["source"]] != Source.AAF:
        changes["source"] = Source.AAF
    return changes
