"""PRONOTE identifiers: characters from PRONOTE's alphabet (no I, O, 0, 1), 14 to 16 of them
(the field documents show « 8WRBFX9Q73AVJK » and « AZKH9C7WSQ2R54DP »); generated ones have 16."""

import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 16
MIN_LENGTH = 14


def is_valid_pronote_id(value: str) -> bool:
    return MIN_LENGTH <= len(value) <= LENGTH and all(char in ALPHABET for char in value)


def new_pronote_id() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
