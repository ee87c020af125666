"""Verify-only hashers of imported password hashes (``socle.core.legacy_hashers``)."""

from __future__ import annotations

import base64

import bcrypt
import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

import socle.settings
from socle.core import legacy_hashers
from socle.core.legacy_hashers import (
    BcryptCryptHasher,
    Sha512CryptHasher,
    TooCostly,
    UnsupportedHash,
    import_hash,
    sha512_crypt,
)
from tests.core.legacy import LEGACY, PASSWORD, legacy_hashes

# Ulrich Drepper, "Unix crypt using SHA-256 and SHA-512", the SHA-512 test vectors.
DREPPER_VECTORS = [
    (
        "$6$saltstring",
        "Hello world!",
        "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOf"
        "aS35inz1",
    ),
    (
        "$6$rounds=10000$saltstringsaltstring",
        "Hello world!",
        "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vO"
        "uZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
    ),
    (
        "$6$rounds=5000$toolongsaltstring",
        "This is just a test",
        "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1y"
        "xdYcz/e1JSbq3y6JMxxl8audkUEm0",
    ),
    (
        "$6$rounds=1400$anotherlongsaltstring",
        "a very much longer text to encrypt.  This one even stretches over morethan one line.",
        "$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9"
        "t0oSwbtEW7o7UmJEiDwGqd8p4ur1",
    ),
    (
        "$6$rounds=77777$short",
        "we have a short salt string but not a short password",
        "$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFm"
        "tlcGZelFl5CxtgfiAc0",
    ),
    (
        "$6$rounds=123456$asaltof16chars..",
        "a short string",
        "$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoB"
        "K25fs2xXgMNrCzIMVcgEJAstJeonj1",
    ),
    (
        "$6$rounds=10$roundstoolow",
        "the minimum number is still observed",
        "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4Z"
        "EQpyUNGc0dqbpBYYBaHHrsX.",
    ),
]


@pytest.mark.parametrize(("setting", "password", "expected"), DREPPER_VECTORS)
def test_it_computes_sha512_crypt_as_drepper_s_reference_vectors(setting, password, expected):
    assert sha512_crypt(password.encode(), setting) == expected


@pytest.mark.parametrize(("setting", "password", "expected"), DREPPER_VECTORS)
def test_it_verifies_the_reference_vectors_once_imported(
    socle_hashers, setting, password, expected
):
    encoded = import_hash(expected)
    assert encoded == f"sha512_crypt${expected}"
    assert Sha512CryptHasher().verify(password, encoded)
    assert not Sha512CryptHasher().verify(password + "!", encoded)


@pytest.mark.parametrize("kind", sorted(legacy_hashes()))
def test_it_verifies_each_accepted_format_and_refuses_a_wrong_password(socle_hashers, kind):
    encoded = import_hash(legacy_hashes()[kind])
    assert check_password(PASSWORD, encoded)
    assert not check_password("un autre mot de passe", encoded)
    assert not check_password("", encoded)


ACCENTED = "Élodie cœur 20€"  # « œ » and « € » are in Windows-1252, not in Latin-1
WINDOWS_1252 = sorted(set(legacy_hashes()) - {"pbkdf2_sha256"})


@pytest.mark.parametrize("kind", WINDOWS_1252)
def test_it_verifies_a_password_an_old_system_hashed_in_windows_1252(socle_hashers, kind):
    encoded = import_hash(legacy_hashes(ACCENTED, encoding="cp1252")[kind])
    assert check_password(ACCENTED, encoded)
    assert not check_password("Elodie coeur 20€", encoded)
    assert check_password(ACCENTED, import_hash(legacy_hashes(ACCENTED)[kind]))  # UTF-8 still


def test_it_tries_windows_1252_only_for_a_password_it_can_write():
    assert legacy_hashers.password_bytes("abc") == (b"abc",)
    assert legacy_hashers.password_bytes("é") == ("é".encode(), b"\xe9")
    assert legacy_hashers.password_bytes("ĳ 😀") == ("ĳ 😀".encode(),)


def test_it_stores_django_style_hashes_of_verify_only_algorithms(socle_hashers):
    hashes = legacy_hashes()
    algorithms = {
        kind: identify_hasher(import_hash(value)).algorithm for kind, value in hashes.items()
    }
    assert algorithms == {
        "ssha": "ldap_ssha",
        "ssha256": "ldap_ssha256",
        "ssha512": "ldap_ssha512",
        "sha": "ldap_sha",
        "bcrypt_2a": "bcrypt_crypt",
        "bcrypt_2b": "bcrypt_crypt",
        "bcrypt_2y": "bcrypt_crypt",
        "sha512_crypt": "sha512_crypt",
        "pbkdf2_sha256": "pbkdf2_sha256",
    }
    assert import_hash(hashes["pbkdf2_sha256"]) == hashes["pbkdf2_sha256"]  # Django's, as is


def test_it_reads_ldap_scheme_names_in_any_case(socle_hashers):
    lower = legacy_hashes()["ssha"].replace("{SSHA}", "{ssha}")
    assert check_password(PASSWORD, import_hash(lower))


def test_it_checks_bcrypt_on_the_first_72_bytes_as_the_old_system_did(socle_hashers):
    long = "é" * 50  # 100 bytes: bcrypt 5 refuses more than 72 instead of cutting
    encoded = import_hash(bcrypt.hashpw(long.encode()[:72], bcrypt.gensalt(4)).decode())
    assert check_password(long, encoded)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "motdepasseenclair",
        "{MD5}X03MO1qnZdYdgyfeuILPmQ==",
        "{CRYPT}$1$abc$def",
        "{SSHA}pas du base64 !",
        "{SSHA}" + base64.b64encode(b"trop court").decode(),
        "{SHA}" + base64.b64encode(b"x" * 24).decode(),  # 24 bytes: not a SHA-1 digest
        "$2b$10$tropcourt",
        "$2x$10$" + "a" * 53,
        "$2b$03$" + "a" * 53,  # below bcrypt's least cost
        "$5$sel$" + "a" * 43,  # sha256-crypt: not accepted
        "$6$sel$tropcourt",
        "$1$abcdefgh$abcdefghijklmnopqrstuv",
        "pbkdf2_sha1$1000$sel$" + "a" * 27 + "=",
        "argon2$argon2id$v=19$m=19456,t=2,p=1$c2Vs$aGFzaA",
        "bcrypt_crypt$$2b$04$" + "a" * 53,  # our own stored form is not an import format
    ],
)
def test_it_refuses_anything_but_the_accepted_formats(value):
    with pytest.raises(UnsupportedHash):
        import_hash(value)


@pytest.mark.parametrize(
    "value",
    [
        "$2b$15$" + "a" * 53,
        "$6$rounds=1000001$sel$" + "a" * 86,
        "pbkdf2_sha256$5000000$sel$" + "a" * 43 + "=",
    ],
)
def test_it_refuses_hashes_too_costly_to_verify_at_each_login(value):
    with pytest.raises(TooCostly):
        import_hash(value)


def test_verify_only_hashers_never_encode(socle_hashers):
    for algorithm in ("ldap_ssha", "bcrypt_crypt", "sha512_crypt", "ldap_sha"):
        with pytest.raises(NotImplementedError):
            make_password(PASSWORD, hasher=algorithm)


def test_socle_keeps_argon2id_first_and_lists_every_verify_only_hasher():
    hashers = socle.settings.PASSWORD_HASHERS
    assert hashers[0] == "socle.core.hashers.SocleArgon2PasswordHasher"
    verify_only = {
        f"socle.core.legacy_hashers.{cls.__name__}"
        for cls in vars(legacy_hashers).values()
        if isinstance(cls, type)
        and issubclass(cls, legacy_hashers.VerifyOnlyHasher)
        and not cls.__name__.startswith("_")
        and cls is not legacy_hashers.VerifyOnlyHasher
    }
    assert len(verify_only) == 6
    assert verify_only == set(LEGACY)
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in hashers


def test_the_admin_s_summary_masks_the_hash(socle_hashers):
    encoded = import_hash(legacy_hashes()["bcrypt_2b"])
    summary = BcryptCryptHasher().safe_summary(encoded)
    assert summary["algorithm"] == "bcrypt_crypt"
    assert encoded[20:40] not in str(summary)
