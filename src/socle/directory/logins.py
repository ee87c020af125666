"""Login and uid generation. Logins are ``prenom.nom`` in ASCII; uids are random and opaque."""

import re
import secrets
from collections.abc import Callable, Iterable
from functools import lru_cache

from unidecode import unidecode

UID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
UID_LENGTH = 16


def new_uid() -> str:
    """A random, opaque, never-derived identifier (80 bits: 16 characters of a 32-letter
    alphabet, 5 random bits each)."""
    return new_uids(1)[0]


def new_uids(count: int) -> list[str]:
    """``count`` uids from one read of the system's random source (bulk imports)."""
    size = UID_LENGTH * 5 // 8
    pool = secrets.token_bytes(size * count)
    uids = []
    for start in range(0, size * count, size):
        number = int.from_bytes(pool[start : start + size], "big")
        chars = []
        for _ in range(UID_LENGTH):
            number, index = divmod(number, 32)
            chars.append(UID_ALPHABET[index])
        uids.append("".join(chars))
    return uids


@lru_cache(maxsize=65_536)
def _slug(text: str) -> str:
    ascii_text = unidecode(text or "").lower()
    ascii_text = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return ascii_text


def login_base(first_name: str, last_name: str) -> str:
    first = _slug(first_name) or "x"
    last = _slug(last_name) or "x"
    return f"{first}.{last}"[:60]


def generate_login(first_name: str, last_name: str, taken: Callable[[str], bool]) -> str:
    """``prenom.nom``, then ``prenom.nom2``, ``prenom.nom3``… until ``taken`` says it is free."""
    base = login_base(first_name, last_name)
    if not taken(base):
        return base
    suffix = 2
    while taken(f"{base}{suffix}"):
        suffix += 1
    return f"{base}{suffix}"


class LoginAllocator:
    """Hands out free ``prenom.nom[N]`` logins during a bulk import without a query per candidate.

    ``taken_with_prefix(base)`` returns every existing login starting with ``base``; it is called at
    most once per distinct base (or never, when ``preloaded`` already holds every login). Logins
    handed out are remembered, so two people of the same file never get the same one.
    """

    def __init__(
        self,
        taken_with_prefix: Callable[[str], Iterable[str]],
        preloaded: Iterable[str] | None = None,
    ) -> None:
        self._taken_with_prefix = taken_with_prefix
        self._complete = preloaded is not None
        self._taken: set[str] = set(preloaded or ())
        self._loaded_bases: set[str] = set()
        self._next_suffix: dict[str, int] = {}

    def reserve(self, login: str) -> None:
        """Marks a login as used (e.g. one given explicitly by the import file)."""
        self._taken.add(login)

    def is_taken(self, login: str) -> bool:
        self._load(login.rstrip("0123456789") or login)
        return login in self._taken

    def _load(self, base: str) -> None:
        if self._complete or base in self._loaded_bases:
            return
        self._loaded_bases.add(base)
        self._taken.update(self._taken_with_prefix(base))

    def allocate(self, first_name: str, last_name: str) -> str:
        base = login_base(first_name, last_name)
        self._load(base)
        if base not in self._taken:
            login = base
        else:
            suffix = self._next_suffix.get(base, 2)
            while f"{base}{suffix}" in self._taken:
                suffix += 1
            self._next_suffix[base] = suffix + 1
            login = f"{base}{suffix}"
        self._taken.add(login)
        return login


def login_allocator_for(expected_new_people: int) -> LoginAllocator:
    """An allocator backed by the database: every login loaded at once for a big import (one
    query), one prefix query per distinct ``prenom.nom`` for a small one."""
    from socle.directory.models import Person

    def with_prefix(base: str) -> list[str]:
        return list(Person.objects.filter(login__startswith=base).values_list("login", flat=True))

    if expected_new_people > 50:
        every_login = Person.objects.values_list("login", flat=True).iterator()
        return LoginAllocator(with_prefix, every_login)
    return LoginAllocator(with_prefix)
