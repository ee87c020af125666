"""The establishment's accounts as the matching sees them, indexed once per step.

Pure code: :class:`Account` rows are built by ``directory_index.build_index`` from four queries;
:class:`DirectoryIndex` answers "who has this name key / PRONOTE id / CAS user name" from dicts and
"who looks like this name" with rapidfuzz.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz import fuzz, process

from socle.cas.usernames import pairwise_id
from socle.directory.names import normalize_name as _normalize_name
from socle.pronote import labels

FUZZY_CUTOFF = 70
_BLOCKING_THRESHOLD = 5000  # above this many accounts, fuzzy search only within first letter

# Names repeat a lot (families, common first names): normalise each spelling once.
normalize_name = lru_cache(maxsize=20_000)(_normalize_name)


def name_key(last_name: str, first_name: str) -> str:
    """The exact-match key: normalised, spaces removed (``"Le Goff"`` = ``"LEGOFF"``)."""
    return (
        normalize_name(last_name).replace(" ", "")
        + "|"
        + normalize_name(first_name).replace(" ", "")
    )


def display_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


@dataclass(frozen=True)
class Account:
    """What the matching needs to know of one directory person in the establishment."""

    id: int
    last_name: str
    first_name: str
    birth_last_name: str = ""
    birth_date: dt.date | None = None
    profiles: frozenset[str] = frozenset()
    class_name: str = ""
    login: str = ""
    uid: str = ""
    children: frozenset[int] = frozenset()
    pronote_id: str = ""  # its current PRONOTE id for this UAI

    @cached_property
    def label_parts(self) -> dict[str, str]:
        """The label as data (``socle.pronote.labels``), rendered in a language where shown."""
        birth_name = ""
        if self.birth_last_name and normalize_name(self.birth_last_name) != normalize_name(
            self.last_name
        ):
            birth_name = self.birth_last_name.upper()
        return labels.parts(
            f"{self.last_name.upper()} {self.first_name}".strip(),
            birth_name,
            self.class_name,
            display_date(self.birth_date),
            self.login,
        )

    @cached_property
    def label(self) -> str:
        """In French (``labels.render`` gives it in the active language)."""
        return labels.french(self.label_parts)

    @cached_property
    def name_keys(self) -> frozenset[str]:
        keys = {name_key(self.last_name, self.first_name)}
        if self.birth_last_name:
            keys.add(name_key(self.birth_last_name, self.first_name))
        return frozenset(keys)

    @cached_property
    def fuzzy_text(self) -> str:
        return f"{normalize_name(self.last_name)} {normalize_name(self.first_name)}"


class DirectoryIndex:
    """The establishment's accounts, indexed once: by name key, PRONOTE id and CAS user name.

    ``pairwise_salts`` are those of the UAI's PRONOTE services: the pairwise ids they send
    (``socle.cas.usernames.pairwise_id``) are CAS user names of ours too.
    """

    def __init__(self, accounts: Iterable[Account], pairwise_salts: Iterable[str] = ()) -> None:
        self.accounts: dict[int, Account] = {}
        self.by_key: dict[str, list[Account]] = defaultdict(list)
        self.by_pronote_id: dict[str, Account] = {}
        self.parents_by_child: dict[int, list[Account]] = defaultdict(list)
        self.pairwise_salts = tuple(dict.fromkeys(salt for salt in pairwise_salts if salt))
        for account in accounts:
            if account.id in self.accounts:
                continue
            self.accounts[account.id] = account
            for key in account.name_keys:
                self.by_key[key].append(account)
            if account.pronote_id:
                self.by_pronote_id[account.pronote_id] = account
            for child in account.children:
                self.parents_by_child[child].append(account)
        self._fuzzy: dict[frozenset[str], dict[str, tuple[list[str], list[Account]]]] = {}

    @cached_property
    def by_cas_name(self) -> dict[str, Account]:
        """Every CAS user name Socle may have sent PRONOTE for an account: its uid, its login
        and its pairwise id for each PRONOTE service of the UAI. Built at the first row that
        carries an « Identifiant CAS » (most files carry none: no HMAC computed for them)."""
        names: dict[str, Account] = {}
        for account in self.accounts.values():
            for name in (account.uid, account.login):
                if name:
                    names.setdefault(name, account)
        for salt in self.pairwise_salts:
            for account in self.accounts.values():
                if account.uid:
                    names.setdefault(pairwise_id(account.uid, salt), account)
        return names

    def __len__(self) -> int:
        return len(self.accounts)

    def fuzzy(self, profiles: frozenset[str], text: str, limit: int) -> list[tuple[Account, int]]:
        """Accounts holding one of ``profiles`` whose name resembles ``text`` (best first)."""
        buckets = self._fuzzy.get(profiles)
        if buckets is None:
            buckets = defaultdict(lambda: ([], []))
            big = len(self.accounts) > _BLOCKING_THRESHOLD
            for account in self.accounts.values():
                if account.profiles & profiles:
                    for variant in {
                        account.fuzzy_text,
                        normalize_name(f"{account.birth_last_name} {account.first_name}"),
                    }:
                        if not variant.strip():
                            continue
                        bucket = buckets[variant[:1] if big else ""]
                        bucket[0].append(variant)
                        bucket[1].append(account)
            self._fuzzy[profiles] = buckets
        big = len(self.accounts) > _BLOCKING_THRESHOLD
        choices, owners = buckets.get(text[:1] if big else "", ([], []))
        found: dict[int, tuple[Account, int]] = {}
        for _choice, score, position in process.extract(
            text, choices, scorer=fuzz.token_sort_ratio, limit=limit * 2, score_cutoff=FUZZY_CUTOFF
        ):
            account = owners[position]
            if account.id not in found or found[account.id][1] < score:
                found[account.id] = (account, int(score))
        return sorted(found.values(), key=lambda pair: -pair[1])[:limit]


def with_profiles(accounts: Iterable[Account], profiles: frozenset[str]) -> list[Account]:
    seen: set[int] = set()
    kept = []
    for account in accounts:
        if account.id not in seen and not account.profiles.isdisjoint(profiles):
            seen.add(account.id)
            kept.append(account)
    return kept
