"""PRONOTE identifiers: 16 characters from PRONOTE's alphabet (no I, O, 0, 1)."""

import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 16


def is_valid_pronote_id(value: str) -> bool:
    return len(value) == LENGTH and all(char in ALPHABET for char in value)


def new_pronote_id() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
