"""Verify-only hashers for password hashes brought from another ENT or CAS (« réversibilité »).

The directory's CSV import (column ``password_hash``, docs/directory.md) takes the hashes such
systems store — LDAP ``{SSHA}``, ``{SSHA256}``, ``{SSHA512}``, ``{SHA}``, crypt-style bcrypt
(``$2a$``, ``$2b$``, ``$2y$``), sha512-crypt (``$6$``) and Django's ``pbkdf2_sha256$`` — and
stores them as Django-style encoded hashes (``ldap_ssha$…``, ``bcrypt_crypt$$2b$…``,
``sha512_crypt$$6$…``; Django's own format as is). These hashers only *verify*: they never
encode (``encode`` raises), they come after Argon2id in ``PASSWORD_HASHERS``, and Django's
``check_password`` re-encodes a verified password with Argon2id at once (the algorithm differs
from the preferred one: ``must_update``). Comparisons use :func:`hmac.compare_digest`.

sha512-crypt is written here from Ulrich Drepper's specification ("Unix crypt using SHA-256 and
SHA-512", tested against its reference vectors in tests/core/test_legacy_hashers.py): the
standard library's ``crypt`` is deprecated and gone in Python 3.13 (and depends on the C
library), and ``libpass`` (passlib's fork) would bring a framework of thirty schemes for one,
whose own fallback is the same pure-Python algorithm. A verify costs what the hash's rounds say:
the import refuses hashes dearer than :data:`MAX_SHA512_ROUNDS`, :data:`MAX_BCRYPT_COST` and
:data:`MAX_PBKDF2_ITERATIONS`, since every verify runs in a login's admission slot (one hash per
core, ``socle.core.admission``).

Older systems hashed the bytes of the password in their own encoding, Windows-1252 (a superset
of Latin-1 that has « œ » and « € »), rather than UTF-8: for a password with a letter outside
ASCII (« Élodie », « cœur »), :func:`password_bytes` gives both spellings and the verify-only
hashers try the second when the first fails. The same characters are typed either way; only a
failing non-ASCII password costs a second verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash

# What the import accepts (named in its French message; the strings are not translated).
ACCEPTED_FORMATS = (
    "{SSHA}, {SSHA256}, {SSHA512}, {SHA}, bcrypt ($2a$, $2b$, $2y$), sha512-crypt ($6$), "
    "pbkdf2_sha256$ (Django)"
)
MAX_BCRYPT_COST = 14  # about 1 s of one core: 2¹⁴ rounds
MAX_SHA512_ROUNDS = 1_000_000  # pure Python: about 1 s (5,000 by default, passlib 656,000)
MAX_PBKDF2_ITERATIONS = 1_200_000  # Django 6.0's default; Django 5.2 writes 1,000,000

BCRYPT_MAX_BYTES = 72  # bcrypt reads no further; the package refuses longer passwords (5.0)


class UnsupportedHash(ValueError):
    """Not one of :data:`ACCEPTED_FORMATS`, or malformed (the message never holds the hash)."""


class TooCostly(UnsupportedHash):
    """A valid hash whose verify would cost more than the limits above allow."""

    def __init__(self, limit: str) -> None:
        super().__init__(limit)
        self.limit = limit


LEGACY_ENCODING = "cp1252"


def password_bytes(password: str) -> tuple[bytes, ...]:
    """The bytes a system may have hashed for ``password``: UTF-8, then Windows-1252 when the
    password has a character outside ASCII that Windows-1252 can write."""
    utf8 = password.encode()
    if password.isascii():
        return (utf8,)
    try:
        return (utf8, password.encode(LEGACY_ENCODING))
    except UnicodeEncodeError:
        return (utf8,)


class VerifyOnlyHasher(BasePasswordHasher):
    """Checks passwords against imported hashes; never makes one."""

    def salt(self) -> str:
        raise NotImplementedError(f"{self.algorithm} only verifies imported hashes")

    def encode(self, password: str, salt: str) -> str:
        raise NotImplementedError(f"{self.algorithm} only verifies imported hashes")

    def must_update(self, encoded: str) -> bool:
        return True  # anything verified here is re-encoded with the preferred hasher

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass

    def payload(self, encoded: str) -> str:
        algorithm, _, data = encoded.partition("$")
        if algorithm != self.algorithm:
            raise ValueError(f"not a {self.algorithm} hash")
        return data

    def decode(self, encoded: str) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "hash": self.payload(encoded), "salt": ""}

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        return {"algorithm": self.algorithm, "hash": mask_hash(self.payload(encoded))}

    @staticmethod
    def matches(password: str, expected: bytes, hashed: Callable[[bytes], bytes]) -> bool:
        """Whether ``hashed`` of one spelling of ``password`` (:func:`password_bytes`) is
        ``expected``, compared in constant time."""
        return any(
            hmac.compare_digest(hashed(candidate), expected)
            for candidate in password_bytes(password)
        )


# --- LDAP {SHA}, {SSHA}, {SSHA256}, {SSHA512} -------------------------------------------------


def _b64(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise UnsupportedHash("base64") from None


class _LdapShaHasher(VerifyOnlyHasher):
    digest: Any = hashlib.sha1
    salted = True

    def split(self, data: str) -> tuple[bytes, bytes]:
        raw = _b64(data)
        size = self.digest().digest_size
        if len(raw) < size + (1 if self.salted else 0) or (not self.salted and len(raw) != size):
            raise UnsupportedHash("length")
        if len(raw) > size + 64:
            raise UnsupportedHash("salt")
        return raw[:size], raw[size:]

    def verify(self, password: str, encoded: str) -> bool:
        try:
            expected, salt = self.split(self.payload(encoded))
        except ValueError:
            return False
        return self.matches(
            password, expected, lambda candidate: self.digest(candidate + salt).digest()
        )


class LdapShaHasher(_LdapShaHasher):
    algorithm = "ldap_sha"
    salted = False


class LdapSshaHasher(_LdapShaHasher):
    algorithm = "ldap_ssha"


class LdapSsha256Hasher(_LdapShaHasher):
    algorithm = "ldap_ssha256"
    digest = hashlib.sha256


class LdapSsha512Hasher(_LdapShaHasher):
    algorithm = "ldap_ssha512"
    digest = hashlib.sha512


_LDAP = {
    "{SHA}": LdapShaHasher,
    "{SSHA}": LdapSshaHasher,
    "{SSHA256}": LdapSsha256Hasher,
    "{SSHA512}": LdapSsha512Hasher,
}


# --- bcrypt, crypt-style ($2a$, $2b$, $2y$) ---------------------------------------------------

_BCRYPT_RE = re.compile(r"^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$")


class BcryptCryptHasher(VerifyOnlyHasher):
    """``bcrypt_crypt$`` + the hash as crypt writes it. Unlike Django's ``bcrypt_sha256``, the
    password goes to bcrypt as is, cut at 72 bytes as the systems that wrote these hashes did."""

    algorithm = "bcrypt_crypt"
    library = "bcrypt"

    def verify(self, password: str, encoded: str) -> bool:
        data = self.payload(encoded)
        if not _BCRYPT_RE.match(data):
            return False
        bcrypt = self._load_library()  # type: ignore[attr-defined]
        expected = data.encode("ascii")
        return self.matches(
            password,
            expected,
            lambda candidate: bcrypt.hashpw(candidate[:BCRYPT_MAX_BYTES], expected),
        )


# --- sha512-crypt ($6$), Ulrich Drepper's specification ---------------------------------------

_SHA512_CRYPT_RE = re.compile(
    r"^\$6\$(?:rounds=([1-9][0-9]{0,8})\$)?([^$\n]{0,16})\$([./0-9A-Za-z]{86})$"
)
_CRYPT_ALPHABET = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SHA512_DEFAULT_ROUNDS = 5000
SHA512_MIN_ROUNDS = 1000
SHA512_MAX_ROUNDS = 999_999_999


def _repeat(block: bytes, length: int) -> bytes:
    return (block * (length // len(block) + 1))[:length]


def sha512_crypt_checksum(password: bytes, salt: bytes, rounds: int) -> str:
    """The 86 characters after the salt of ``$6$rounds=…$salt$`` (steps 1–22 of the spec)."""
    salt = salt[:16]
    rounds = min(max(rounds, SHA512_MIN_ROUNDS), SHA512_MAX_ROUNDS)
    b = hashlib.sha512(password + salt + password).digest()
    a = hashlib.sha512(password + salt)
    n = len(password)
    a.update(_repeat(b, n) if n else b"")
    while n:
        a.update(b if n & 1 else password)
        n >>= 1
    da = a.digest()
    p = (
        _repeat(hashlib.sha512(password * len(password)).digest(), len(password))
        if password
        else b""
    )
    s = _repeat(hashlib.sha512(salt * (16 + da[0])).digest(), len(salt)) if salt else b""
    c = da
    for i in range(rounds):
        h = hashlib.sha512(p if i & 1 else c)
        if i % 3:
            h.update(s)
        if i % 7:
            h.update(p)
        h.update(c if i & 1 else p)
        c = h.digest()
    out = bytearray()
    for k in range(21):
        trio = (c[k], c[k + 21], c[k + 42])  # the spec's order: rotated by one at each group
        b2, b1, b0 = trio[k % 3 :] + trio[: k % 3]
        out += _to64((b2 << 16) | (b1 << 8) | b0, 4)
    out += _to64(c[63], 2)
    return out.decode("ascii")


def _to64(value: int, count: int) -> bytes:
    chars = bytearray()
    for _ in range(count):
        chars.append(_CRYPT_ALPHABET[value & 0x3F])
        value >>= 6
    return bytes(chars)


def sha512_crypt(password: bytes, setting: str) -> str:
    """The whole ``$6$…`` string for ``password`` and a setting ``$6$[rounds=N$]salt``, as
    ``crypt(3)`` writes it (for tests and known vectors)."""
    match = re.match(r"^\$6\$(?:rounds=(\d+)\$)?([^$]*)", setting)
    if match is None:
        raise ValueError("not a sha512-crypt setting")
    salt = match.group(2)[:16]
    rounds = int(match.group(1)) if match.group(1) else SHA512_DEFAULT_ROUNDS
    checksum = sha512_crypt_checksum(password, salt.encode(), rounds)
    if match.group(1) is None:
        return f"$6${salt}${checksum}"
    shown = min(max(rounds, SHA512_MIN_ROUNDS), SHA512_MAX_ROUNDS)
    return f"$6$rounds={shown}${salt}${checksum}"


class Sha512CryptHasher(VerifyOnlyHasher):
    algorithm = "sha512_crypt"

    def verify(self, password: str, encoded: str) -> bool:
        match = _SHA512_CRYPT_RE.match(self.payload(encoded))
        if match is None:
            return False
        rounds = int(match.group(1)) if match.group(1) else SHA512_DEFAULT_ROUNDS
        expected = match.group(3).encode("ascii")
        salt = match.group(2).encode()
        return self.matches(
            password,
            expected,
            lambda candidate: sha512_crypt_checksum(candidate, salt, rounds).encode("ascii"),
        )


# --- The import ---------------------------------------------------------------------------------

_PBKDF2_RE = re.compile(
    r"^pbkdf2_sha256\$([1-9][0-9]{0,8})\$[A-Za-z0-9./+=_-]{1,128}\$[A-Za-z0-9+/]{43}=$"
)


def import_hash(value: str) -> str:
    """The Django-encoded hash to store for ``value``, a hash written by another system.

    Raises :class:`UnsupportedHash` for anything but :data:`ACCEPTED_FORMATS` (a malformed one
    included), :class:`TooCostly` for a hash whose verify would hold a login's slot too long.
    """
    value = value.strip()
    if value.startswith("{"):
        scheme, brace, data = value.partition("}")
        hasher = _LDAP.get(scheme.upper() + brace)
        if hasher is None:
            raise UnsupportedHash("scheme")
        hasher().split(data)  # raises UnsupportedHash when malformed
        return f"{hasher.algorithm}${data}"
    if bcrypt := _BCRYPT_RE.match(value):
        if int(bcrypt.group(1)) < 4:  # bcrypt's least cost: no system writes less
            raise UnsupportedHash("cost")
        if int(bcrypt.group(1)) > MAX_BCRYPT_COST:
            raise TooCostly(f"bcrypt ≤ {MAX_BCRYPT_COST}")
        return f"{BcryptCryptHasher.algorithm}${value}"
    if sha := _SHA512_CRYPT_RE.match(value):
        if sha.group(1) and int(sha.group(1)) > MAX_SHA512_ROUNDS:
            raise TooCostly(f"sha512-crypt rounds ≤ {MAX_SHA512_ROUNDS}")
        return f"{Sha512CryptHasher.algorithm}${value}"
    if pbkdf2 := _PBKDF2_RE.match(value):
        if int(pbkdf2.group(1)) > MAX_PBKDF2_ITERATIONS:
            raise TooCostly(f"pbkdf2_sha256 ≤ {MAX_PBKDF2_ITERATIONS}")
        return value
    raise UnsupportedHash("format")
