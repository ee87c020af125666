"""Automatic rapprochement of PRONOTE rows with directory accounts. Pure code: no database.

The caller builds a :class:`DirectoryIndex` once per step (one query, see ``directory_index``)
and calls :func:`match_rows`. Rules (issue 3):

- names are compared after :func:`socle.directory.names.normalize_name` with spaces removed, on
  both the usage name (``last_name``) and the birth name (``birth_last_name``);
- a PRONOTE id this school already gave the account, or PRONOTE's ``IdentifiantCAS`` naming one of
  our accounts, is a match of its own (if the name still agrees);
- pupils: name + first name + birth date;
- teachers, staff, maîtres de stage, inspectors: name + first name, + birth date when both sides
  have it; always within the establishment and the step's national profiles;
- responsables: name + first name, homonyms told apart by the children matched in step 2;
- an account is matched automatically only when it is the single candidate; everything else
  goes to the manual list with ranked candidates (rapidfuzz) and the reason.

Reasons are data (``socle.pronote.reasons``: codes and parameters), not text: this module calls
no translation, and the pages render them in their visitor's language. ``Match.reason`` and
``Candidate.why`` give the French text, as stored in ``ImportRow.reason`` and printed by the CLI.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from socle.pronote.categories import Category
from socle.pronote.matching_index import (
    FUZZY_CUTOFF,
    Account,
    DirectoryIndex,
    display_date,
    name_key,
    normalize_name,
    with_profiles,
)
from socle.pronote.reasons import Reason, encode, french, part

__all__ = [
    "Account",
    "Candidate",
    "DirectoryIndex",
    "Match",
    "Row",
    "children_by_responsable",
    "match_rows",
    "name_key",
]

MAX_CANDIDATES = 5


@dataclass(frozen=True)
class Row:
    key: int  # the caller's row identifier
    category: str
    pronote_id: str
    last_name: str
    first_name: str
    birth_date: dt.date | None = None
    class_name: str = ""
    cas_id: str = ""


@dataclass(frozen=True)
class Candidate:
    id: int
    label: str
    score: int
    why_parts: Reason
    label_parts: Mapping[str, str] = field(default_factory=dict)

    @property
    def why(self) -> str:
        """In French (``reasons.render`` gives it in the active language)."""
        return french(self.why_parts)

    def as_dict(self) -> dict[str, object]:
        """The stored form (``ImportRow.candidates``): the French ``label`` and ``why``, and
        their parts."""
        return {
            "id": self.id,
            "label": self.label,
            "label_parts": dict(self.label_parts),
            "score": self.score,
            "why": self.why,
            "why_parts": encode(self.why_parts),
        }


@dataclass
class Match:
    row: Row
    account_id: int | None = None  # set only for an automatic match
    method: str = ""  # socle.pronote.models.MatchMethod value
    reason_parts: Reason = ()
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def recognised(self) -> bool:
        return self.account_id is not None

    @property
    def reason(self) -> str:
        """In French (``reasons.render`` gives it in the active language)."""
        return french(self.reason_parts)


def _name_agrees(row: Row, account: Account) -> bool:
    text = normalize_name(f"{row.last_name} {row.first_name}")
    variants = [
        account.fuzzy_text,
        normalize_name(f"{account.birth_last_name} {account.first_name}"),
    ]
    if name_key(row.last_name, row.first_name) in account.name_keys:
        return True
    return max(fuzz.token_sort_ratio(text, v) for v in variants) >= FUZZY_CUTOFF


def _namesake_elsewhere(
    row: Row, account: Account, index: DirectoryIndex, profiles: frozenset[str]
) -> bool:
    """The row bears exactly another account's name, and only a near name of ``account``'s: an
    identifier (or PRONOTE « Identifiant CAS ») kept for ``account`` on the near name alone would
    keep twins or homonyms swapped by an earlier match (Maëlys's record on Maëlle's account)."""
    key = name_key(row.last_name, row.first_name)
    if key in account.name_keys:
        return False
    return any(
        other.id != account.id for other in with_profiles(index.by_key.get(key, ()), profiles)
    )


def _why(row: Row, account: Account, extra: Reason = ()) -> Reason:
    same_name = name_key(row.last_name, row.first_name) in account.name_keys
    reasons = [part("same_name" if same_name else "close_name")]
    if row.birth_date and account.birth_date:
        if row.birth_date == account.birth_date:
            reasons.append(part("same_birth_date"))
        else:
            reasons.append(
                part(
                    "other_birth_date",
                    directory=display_date(account.birth_date),
                    file=display_date(row.birth_date),
                )
            )
    elif row.birth_date or account.birth_date:
        reasons.append(part("birth_date_one_side"))
    if (
        row.class_name
        and account.class_name
        and normalize_name(row.class_name) == normalize_name(account.class_name)
    ):
        reasons.append(part("same_class", class_name=account.class_name))
    return (*reasons, *extra)


def _rank(
    row: Row,
    index: DirectoryIndex,
    profiles: frozenset[str],
    preferred: Iterable[tuple[Account, Reason]] = (),
) -> list[Candidate]:
    """Candidates for the manual list: exact homonyms and fuzzy look-alikes, best first."""
    text = normalize_name(f"{row.last_name} {row.first_name}")
    key = name_key(row.last_name, row.first_name)
    scored: dict[int, Candidate] = {}

    def add(account: Account, fuzzy_score: int | None = None, extra: Reason = ()) -> None:
        if key in account.name_keys:
            score = 95
        elif fuzzy_score is not None:
            score = fuzzy_score
        else:
            score = int(max(fuzz.token_sort_ratio(text, account.fuzzy_text), FUZZY_CUTOFF - 10))
        if extra:  # a reason beyond the name (e.g. parent of a matched child) ranks higher
            score += 5
        if row.birth_date and account.birth_date:
            score += 10 if row.birth_date == account.birth_date else -15
        score = max(0, min(100, score))
        if account.id not in scored or scored[account.id].score < score:
            scored[account.id] = Candidate(
                account.id, account.label, score, _why(row, account, extra), account.label_parts
            )

    for account, extra in preferred:
        add(account, extra=extra)
    for account in with_profiles(index.by_key.get(key, ()), profiles):
        add(account)
    for account, fuzzy_score in index.fuzzy(profiles, text, MAX_CANDIDATES):
        add(account, fuzzy_score)
    return sorted(scored.values(), key=lambda c: (-c.score, c.label))[:MAX_CANDIDATES]


def _match_one(
    row: Row, index: DirectoryIndex, profiles: frozenset[str], children: frozenset[int]
) -> Match:
    known = index.by_pronote_id.get(row.pronote_id)
    if known is not None and known.profiles & profiles:
        agrees = _name_agrees(row, known)
        if agrees and not _namesake_elsewhere(row, known, index, profiles):
            return Match(row, known.id, "existing_id", (part("known_id"),))
        code = "id_of_namesake" if agrees else "id_of_other"
        return Match(
            row,
            None,
            "",
            (part(code, label=known.label, label_parts=known.label_parts),),
            _rank(row, index, profiles, [(known, ())]),
        )
    if row.cas_id:
        named = index.by_cas_name.get(row.cas_id)
        if (
            named is not None
            and named.profiles & profiles
            and _name_agrees(row, named)
            and not _namesake_elsewhere(row, named, index, profiles)
        ):
            return Match(row, named.id, "cas_id", (part("known_cas_id"),))

    homonyms = with_profiles(
        index.by_key.get(name_key(row.last_name, row.first_name), ()), profiles
    )

    def manual(
        code: str, preferred: Iterable[tuple[Account, Reason]] = (), **params: str | int
    ) -> Match:
        return Match(row, None, "", (part(code, **params),), _rank(row, index, profiles, preferred))

    def matched(account: Account, method: str, code: str, **params: str | int) -> Match:
        return Match(row, account.id, method, (part(code, **params),))

    if row.category == Category.ELEVE:
        if not homonyms:
            return manual("no_pupil")
        if row.birth_date is None:
            return manual("no_birth_date_in_file")
        same_day = [a for a in homonyms if a.birth_date == row.birth_date]
        if len(same_day) == 1:
            return matched(same_day[0], "name", "name_first_birth")
        if len(same_day) > 1:
            return manual("same_day_pupils", count=len(same_day))
        if all(a.birth_date is None for a in homonyms):
            return manual("no_birth_date_in_directory")
        return manual("born_another_day")

    if row.category == Category.RESPONSABLE and children:
        parents = [
            (a, (part("parent_of_matched_child"),))
            for a in with_profiles(
                (p for child in children for p in index.parents_by_child.get(child, ())), profiles
            )
        ]
        if len(homonyms) > 1:
            narrowed = [a for a in homonyms if a.children & children]
            if len(narrowed) == 1:
                return matched(narrowed[0], "children", "homonyms_told_apart", count=len(homonyms))
            return manual("homonym_responsables", parents, count=len(homonyms))
        if len(homonyms) == 1:
            account = homonyms[0]
            if account.children and not account.children & children:
                return manual("not_parent_of_matched", parents)
            return matched(account, "name", "name_first")
        return manual("no_responsable", parents)

    if row.birth_date:
        kept = [a for a in homonyms if a.birth_date is None or a.birth_date == row.birth_date]
    else:
        kept = homonyms
    if len(kept) == 1:
        both_dates = row.birth_date and kept[0].birth_date
        return matched(kept[0], "name", "name_first_birth" if both_dates else "name_first")
    if len(kept) > 1:
        return manual("homonyms", count=len(kept))
    if homonyms:
        return manual("born_another_day")
    if row.category == Category.RESPONSABLE:  # none of their children matched in step 2 either
        return manual("no_responsable_nor_child")
    return manual("no_account")


#: Matches grounded in what PRONOTE and Socle already share for the account, not in its name.
BOUND_METHODS = frozenset({"existing_id", "cas_id"})


def match_rows(
    rows: Iterable[Row],
    index: DirectoryIndex,
    profiles: frozenset[str],
    *,
    children_by_responsable: dict[str, frozenset[int]] | None = None,
) -> list[Match]:
    """Matches one step's rows. ``children_by_responsable`` maps a responsable's PRONOTE id to
    the accounts of the pupils (step 2) that name it."""
    children_by_responsable = children_by_responsable or {}
    matches = [
        _match_one(row, index, profiles, children_by_responsable.get(row.pronote_id, frozenset()))
        for row in rows
    ]
    # Two PRONOTE rows landing on one account: a PRONOTE duplicate; never guess which, unless
    # one of them is already this account's (the identifier it holds here, or the « Identifiant
    # CAS » PRONOTE stored for it): that one is kept, since giving the account the other would
    # make PRONOTE refuse the person (its first record holds their CAS user name).
    by_account: dict[int, list[Match]] = defaultdict(list)
    for match in matches:
        if match.account_id is not None:
            by_account[match.account_id].append(match)
    for account_id, same in by_account.items():
        if len(same) < 2:
            continue
        account = index.accounts[account_id]
        bound = [m for m in same if m.method in BOUND_METHODS]
        if len(bound) == 1:
            (kept,) = bound
            reason = (
                part(
                    "duplicate_of_bound",
                    pronote_id=kept.row.pronote_id,
                    label=account.label,
                    label_parts=account.label_parts,
                ),
            )
            for match in same:
                if match is not kept:
                    match.account_id = None
                    match.method = ""
                    match.reason_parts = reason
                    match.candidates = _rank(match.row, index, profiles, [])
            continue
        reason = (
            part(
                "duplicate", count=len(same), label=account.label, label_parts=account.label_parts
            ),
        )
        for match in same:
            match.account_id = None
            match.method = ""
            match.reason_parts = reason
            match.candidates = _rank(
                match.row, index, profiles, [(account, (part("chosen_for_rows"),))]
            )
    return matches


def children_by_responsable(
    pupils: Iterable[tuple[int, Iterable[str]]],
) -> dict[str, frozenset[int]]:
    """``[(pupil account id, [responsable PRONOTE ids])]`` → responsable id → pupil accounts."""
    found: dict[str, set[int]] = defaultdict(set)
    for account_id, responsables in pupils:
        for pronote_id in responsables:
            found[pronote_id].add(account_id)
    return {key: frozenset(value) for key, value in found.items()}
