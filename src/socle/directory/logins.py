"""Login and uid generation. Logins are ``prenom.nom`` in ASCII; uids are random and opaque."""

import re
import secrets
from collections.abc import Callable

from unidecode import unidecode

UID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
UID_LENGTH = 16


def new_uid() -> str:
    """A random, opaque, never-derived identifier (80 bits)."""
    return "".join(secrets.choice(UID_ALPHABET) for _ in range(UID_LENGTH))


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
