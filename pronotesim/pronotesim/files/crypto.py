"""Index Education's hybrid encryption, shared by both file directions.

A random AES-128 key and IV are wrapped with the recipient's RSA public key (PKCS#1 v1.5) as
48 bytes: key (16) ‖ IV (16) ‖ MD5(key ‖ IV) (16). The payload is zlib-compressed (RFC 1950),
then AES-128-CBC with PKCS#7 padding; the check value is SHA-256 of the compressed bytes.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class CryptoError(ValueError):
    """A key or an encrypted file is unusable; the message (French) says which step failed."""


@dataclass(frozen=True)
class Sealed:
    wrapped_key: bytes
    ciphertext: bytes
    verification: bytes


def load_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise CryptoError(
            "Clé publique illisible : une clé RSA au format PEM est attendue."
        ) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise CryptoError("La clé publique n'est pas une clé RSA.")
    return key


def load_private_key(pem: str | bytes) -> rsa.RSAPrivateKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise CryptoError(
            "Clé privée illisible : une clé RSA PEM non chiffrée est attendue."
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CryptoError("La clé privée n'est pas une clé RSA.")
    return key


def generate_private_key_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem_of(private_pem: str) -> str:
    return (
        load_private_key(private_pem)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def seal(plaintext: bytes, public_key: rsa.RSAPublicKey) -> Sealed:
    key, iv = os.urandom(16), os.urandom(16)
    block = key + iv + hashlib.md5(key + iv).digest()  # noqa: S324 - Index Education's format
    compressed = zlib.compress(plaintext)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(compressed) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return Sealed(
        wrapped_key=public_key.encrypt(block, PKCS1v15()),
        ciphertext=encryptor.update(padded) + encryptor.finalize(),
        verification=hashlib.sha256(compressed).digest(),
    )


WRONG_KEY = "le fichier n'a pas été chiffré pour la clé publique {whose}, ou il a été altéré"


def unwrap_key(
    wrapped: bytes, private_key: rsa.RSAPrivateKey, *, whose: str = "de ce serveur"
) -> tuple[bytes, bytes]:
    """The AES key and IV. With the wrong RSA key, OpenSSL's implicit rejection returns random
    bytes instead of failing: the length and MD5 checks are what catch it."""
    try:
        block = private_key.decrypt(wrapped, PKCS1v15())
    except ValueError:
        block = b""
    if len(block) != 48:
        raise CryptoError(f"Clé de chiffrement indéchiffrable : {WRONG_KEY.format(whose=whose)}.")
    key, iv, check = block[:16], block[16:32], block[32:]
    if hashlib.md5(key + iv).digest() != check:  # noqa: S324 - Index Education's format
        raise CryptoError(f"Contrôle MD5 de la clé AES en échec : {WRONG_KEY.format(whose=whose)}.")
    return key, iv


def open_sealed(
    sealed: Sealed, private_key: rsa.RSAPrivateKey, *, max_size: int = 50 * 1024 * 1024
) -> bytes:
    key, iv = unwrap_key(sealed.wrapped_key, private_key, whose="Index Education de ce serveur")
    if not sealed.ciphertext or len(sealed.ciphertext) % 16:
        raise CryptoError("Contenu chiffré de taille invalide (AES-CBC).")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(sealed.ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        compressed = unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise CryptoError("Bourrage PKCS#7 invalide après déchiffrement AES.") from None
    if hashlib.sha256(compressed).digest() != sealed.verification:
        raise CryptoError("Contrôle SHA-256 du contenu en échec.")
    inflater = zlib.decompressobj()
    try:
        plaintext = inflater.decompress(compressed, max_size + 1)
    except zlib.error:
        raise CryptoError("Contenu non décompressible (zlib).") from None
    if len(plaintext) > max_size or inflater.unconsumed_tail:
        raise CryptoError("Contenu décompressé trop volumineux.")
    return plaintext
