"""Matching the ENT's users (mode avec alimentation) to PRONOTE's users. Pure: no database.

Names are compared case-, accent- and space-insensitively (``names.name_key``); birth dates
must agree when both sides know them. A PRONOTE user is matched only when it is the single
candidate; responsables with a namesake are told apart by the pupils already matched; nothing
is guessed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from pronotesim.base.categories import ELEVE, ENSEIGNANT, PERSONNEL, RESPONSABLE
from pronotesim.base.names import name_key
from pronotesim.files.rapprochement import EntPerson

CATEGORY_OF_KIND = {
    "Professeur": ENSEIGNANT,
    "Personnel": PERSONNEL,
    "Eleve": ELEVE,
    "Responsable": RESPONSABLE,
}
KIND_ORDER = ("Professeur", "Personnel", "Eleve", "Responsable")

MATCHED = "matched"
NOT_FOUND = "not_found"
AMBIGUOUS = "ambiguous"
CONFLICT = "conflict"


@dataclass(frozen=True)
class Candidate:
    """The PRONOTE side of a user, as matching needs it."""

    pk: int
    category: str
    pronote_id: str
    last_name: str
    first_name: str
    birth_date: date | None
    cas_identifier: str
    responsables: frozenset[int] = frozenset()  # pks of a pupil's responsables


@dataclass
class MatchRow:
    person: EntPerson
    status: str
    candidate: Candidate | None = None
    detail: str = ""
    candidates: list[str] = field(default_factory=list)  # pronote ids of ambiguous candidates


def _dates_agree(ent: date | None, pronote: date | None) -> bool:
    return ent is None or pronote is None or ent == pronote


def _by_name(candidates: list[Candidate]) -> dict[tuple[str, str, str], list[Candidate]]:
    index: dict[tuple[str, str, str], list[Candidate]] = {}
    for candidate in candidates:
        key = (candidate.category, name_key(candidate.last_name), name_key(candidate.first_name))
        index.setdefault(key, []).append(candidate)
    return index


def _narrow(
    person: EntPerson, found: list[Candidate], parents_of_children: set[int] | None
) -> list[Candidate]:
    found = [c for c in found if _dates_agree(person.birth_date, c.birth_date)]
    if len(found) > 1 and person.birth_date is not None:
        exact = [c for c in found if c.birth_date == person.birth_date]
        found = exact or found
    if len(found) > 1 and parents_of_children:
        related = [c for c in found if c.pk in parents_of_children]
        found = related or found
    return found


def match_people(people: list[EntPerson], candidates: list[Candidate]) -> list[MatchRow]:
    index = _by_name(candidates)
    rows: list[MatchRow] = []
    # ENT responsable Ident → PRONOTE pks of the responsables of the pupils matched so far.
    parents_via_children: dict[int, set[int]] = {}
    ordered = sorted(people, key=lambda p: KIND_ORDER.index(p.kind))
    for person in ordered:
        category = CATEGORY_OF_KIND[person.kind]
        key = (category, name_key(person.last_name), name_key(person.first_name))
        hint = parents_via_children.get(person.ident) if person.kind == "Responsable" else None
        found = _narrow(person, index.get(key, []), hint)
        if not found:
            rows.append(
                MatchRow(person, NOT_FOUND, detail="Aucun utilisateur PRONOTE correspondant")
            )
            continue
        if len(found) > 1:
            rows.append(
                MatchRow(
                    person,
                    AMBIGUOUS,
                    detail=f"{len(found)} utilisateurs PRONOTE homonymes",
                    candidates=[c.pronote_id for c in found],
                )
            )
            continue
        rows.append(MatchRow(person, MATCHED, candidate=found[0]))
        if person.kind == "Eleve":
            for ent_ref in person.responsables:
                parents_via_children.setdefault(ent_ref, set()).update(found[0].responsables)
    _mark_conflicts(rows, candidates)
    return rows


def _mark_conflicts(rows: list[MatchRow], candidates: list[Candidate]) -> None:
    matched = [row for row in rows if row.status == MATCHED and row.candidate]
    taken = Counter(row.candidate.pk for row in matched if row.candidate)
    given = Counter((row.person.partner_id, CATEGORY_OF_KIND[row.person.kind]) for row in matched)
    for row in matched:
        if row.candidate is not None and taken[row.candidate.pk] > 1:
            row.status, row.detail = CONFLICT, "Plusieurs comptes ENT désignent cet utilisateur"
        elif given[(row.person.partner_id, CATEGORY_OF_KIND[row.person.kind])] > 1:
            row.status, row.detail = CONFLICT, "Identifiant ENT présent plusieurs fois"
    # An identifier kept by a PRONOTE user of the same category this file does not match stays
    # with that user. (One ENT identity may hold accounts of several categories.)
    matched_pks = {row.candidate.pk for row in rows if row.status == MATCHED and row.candidate}
    holders = {(c.cas_identifier, c.category): c for c in candidates if c.cas_identifier}
    for row in rows:
        if row.status != MATCHED or row.candidate is None:
            continue
        holder = holders.get((row.person.partner_id, row.candidate.category))
        if holder and holder.pk != row.candidate.pk and holder.pk not in matched_pks:
            row.status = CONFLICT
            row.detail = (
                f"Identifiant CAS déjà porté par {holder.last_name} {holder.first_name} "
                f"({holder.pronote_id})"
            )
