"""Password hashes as other ENTs and CAS servers write them, for the verify-only hashers' tests
(``socle.core.legacy_hashers``)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import bcrypt
from django.contrib.auth.hashers import PBKDF2PasswordHasher

import socle.settings
from socle.core.legacy_hashers import sha512_crypt

# Socle's verify-only hashers, in the order of its settings
LEGACY = [h for h in socle.settings.PASSWORD_HASHERS if h.startswith("socle.core.legacy_hashers.")]
PASSWORD = "cheval correct agrafe"
ARGON2_PREFIX = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


def _ldap(scheme: str, digest: Any, password: bytes, salt: bytes) -> str:
    raw = digest(password + salt).digest() + salt
    return f"{{{scheme}}}" + base64.b64encode(raw).decode()


def legacy_hashes(password: str = PASSWORD, encoding: str = "utf-8") -> dict[str, str]:
    """A hash of ``password`` in each accepted format, as the other systems write them: of its
    bytes in ``encoding`` (Django's PBKDF2 always hashes UTF-8)."""
    data = password.encode(encoding)
    bcrypt_2b = bcrypt.hashpw(data, bcrypt.gensalt(4)).decode()
    return {
        "ssha": _ldap("SSHA", hashlib.sha1, data, b"\x01\x02\x03\x04"),
        "ssha256": _ldap("SSHA256", hashlib.sha256, data, b"salt-of-8"),
        "ssha512": _ldap("SSHA512", hashlib.sha512, data, b"0123456789abcdef"),
        "sha": _ldap("SHA", hashlib.sha1, data, b""),
        "bcrypt_2a": bcrypt.hashpw(data, bcrypt.gensalt(4, prefix=b"2a")).decode(),
        "bcrypt_2b": bcrypt_2b,
        "bcrypt_2y": bcrypt_2b.replace("$2b$", "$2y$"),  # PHP's name for the same algorithm
        "sha512_crypt": sha512_crypt(data, "$6$rounds=5000$Zx9.sel"),
        "pbkdf2_sha256": PBKDF2PasswordHasher().encode(password, "selDeDjango", iterations=1000),
    }
