"""Index Education's envelope cryptography, shared by both directions.

A random AES-128 key and IV are sealed for the recipient as RSA-PKCS#1 v1.5 over 48 bytes:
``key (16) ‖ IV (16) ‖ MD5(key ‖ IV) (16)``. The payload is zlib-compressed (RFC 1950), then
AES-128-CBC encrypted with PKCS#7 padding. ``SHA-256(compressed bytes)`` lets the reader check the
result. All failures raise :class:`EnvelopeError` naming the step, in the active language.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.x509 import load_pem_x509_certificate
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from socle.core.plain_errors import os_error
from socle.pronote.files.records import PronoteFileError

KEY_SIZE = 16
IV_SIZE = 16
BLOCK_SIZE = KEY_SIZE + IV_SIZE + 16


class EnvelopeError(PronoteFileError):
    """A step of opening (or building) an envelope failed."""

    def __init__(self, step: str, detail: str) -> None:
        self.step = step
        self.detail = detail
        super().__init__(
            _("Fichier chiffré refusé — étape « %(step)s » : %(detail)s")
            % {"step": step, "detail": detail}
        )


class KeyRefused(EnvelopeError):
    """A key cannot be used: said as such, since no file may be involved (the system check of
    the ENT's key, the export's public key)."""

    def __init__(self, step: str, detail: str) -> None:
        self.step = step
        self.detail = detail
        PronoteFileError.__init__(
            self, _("%(step)s refusée : %(detail)s") % {"step": capfirst(step), "detail": detail}
        )


class WrongKey(EnvelopeError):
    """The file's AES key was not sealed for this private key (RSA or MD5 step): another key of
    the ENT (a former one, ``SOCLE_PRONOTE_FORMER_PRIVATE_KEYS``) may open it."""


class KeyFileUnreadable(KeyRefused):
    """The key file could not be read at all (missing, permissions…): system check
    ``socle.E060``, where any other :class:`EnvelopeError` of the key is ``socle.E061``."""


# --- keys ------------------------------------------------------------------------------------
def load_private_key(data: bytes, *, validate: bool = True) -> rsa.RSAPrivateKey:
    """An RSA private key in PEM (PKCS#8 ``BEGIN PRIVATE KEY`` or PKCS#1 ``BEGIN RSA PRIVATE
    KEY``) or DER. Encrypted keys are refused (the file must be readable by the server alone).
    ``validate=False`` skips OpenSSL's (slow) consistency check: only for the operator's own key
    file, which the system check ``socle.E061`` loads with the check."""
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(
                data, password=None, unsafe_skip_rsa_key_validation=not validate
            )
        else:
            key = serialization.load_der_private_key(
                data, password=None, unsafe_skip_rsa_key_validation=not validate
            )
    except TypeError:
        raise KeyRefused(
            _("clé privée de l'ENT"),
            _(
                "la clé est protégée par un mot de passe ; fournissez-la en clair "
                "(fichier lisible par le seul serveur)."
            ),
        ) from None
    except ValueError as exc:
        raise KeyRefused(
            _("clé privée de l'ENT"), _("clé illisible : %(error)s.") % {"error": _key_problem(exc)}
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyRefused(_("clé privée de l'ENT"), _("une clé RSA est attendue."))
    return key


def load_private_key_file(path: str, *, validate: bool = True) -> rsa.RSAPrivateKey:
    if not path:
        raise EnvelopeError(
            _("clé privée de l'ENT"),
            _(
                "SOCLE_PRONOTE_PRIVATE_KEY n'est pas défini : impossible de lire un fichier "
                "chiffré. Indiquez le chemin de la clé privée RSA de l'ENT, ou importez le "
                "fichier déchiffré."
            ),
        )
    try:
        with open(path, "rb") as handle:
            data = handle.read(1024 * 1024)
    except OSError as exc:
        raise KeyFileUnreadable(
            _("clé privée de l'ENT"),
            _("lecture de %(path)s impossible (%(error)s).")
            % {"path": path, "error": os_error(exc)},
        ) from None
    return load_private_key(data, validate=validate)


def _key_problem(exc: Exception) -> str:
    """What is wrong with a key file, in the active language: the library's messages are
    English and long (an FAQ link, ASN.1 details), and name the two usual causes only vaguely."""
    message = str(exc)
    if message.startswith("Unable to load PEM file"):
        return _("le bloc PEM est abîmé (base64 invalide : copie incomplète ou modifiée ?)")
    if message.startswith("Could not deserialize key data"):
        return _("ce n'est pas une clé RSA lisible (format inconnu, ou fichier tronqué)")
    if isinstance(exc, binascii.Error) or message in {"Invalid format", "Invalid data"}:
        return _("clé SSH mal formée (ligne « ssh-rsa AAAA… » attendue, entière)")
    return message


_RFC4716_BEGIN = "---- BEGIN SSH2 PUBLIC KEY ----"
_RFC4716_END = "---- END SSH2 PUBLIC KEY ----"


def _rfc4716_body(text: str) -> str:
    """The base64 body of an RFC 4716 public key (headers and their continuations dropped)."""
    inside = text.split(_RFC4716_BEGIN, 1)[1].split(_RFC4716_END, 1)[0]
    body: list[str] = []
    continuing = False
    for raw in inside.splitlines():
        line = raw.strip()
        if not line:
            continue
        if continuing:  # a header line ending with "\" continues on the next line
            continuing = line.endswith("\\")
            continue
        if ":" in line:
            continuing = line.endswith("\\")
            continue
        body.append(line)
    return "".join(body)


def load_public_key(data: bytes) -> rsa.RSAPublicKey:
    """Index Education's public key: PEM (``PUBLIC KEY``, ``RSA PUBLIC KEY`` or a certificate),
    OpenSSH (``ssh-rsa AAAA…``) or SSH2/RFC 4716 (``---- BEGIN SSH2 PUBLIC KEY ----``)."""
    text = data.decode("ascii", errors="replace").strip()
    key: object
    try:
        if _RFC4716_BEGIN in text:
            body = _rfc4716_body(text)
            key = serialization.load_ssh_public_key(f"ssh-rsa {body}".encode())
        elif text.startswith("ssh-rsa "):
            key = serialization.load_ssh_public_key(text.encode())
        elif "-----BEGIN CERTIFICATE-----" in text:
            key = load_pem_x509_certificate(text.encode()).public_key()
        elif "-----BEGIN" in text:
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = serialization.load_der_public_key(data)
    except (ValueError, TypeError, IndexError, binascii.Error) as exc:
        raise KeyRefused(
            _("clé publique d'Index Education"),
            _("clé illisible : %(error)s ; PEM ou SSH2 (RFC 4716) attendu.")
            % {"error": _key_problem(exc)},
        ) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyRefused(_("clé publique d'Index Education"), _("une clé RSA est attendue."))
    return key


# --- the 48-byte key block -------------------------------------------------------------------
@dataclass(frozen=True)
class SessionKey:
    key: bytes
    iv: bytes

    @classmethod
    def new(cls) -> SessionKey:
        return cls(os.urandom(KEY_SIZE), os.urandom(IV_SIZE))

    @property
    def block(self) -> bytes:
        return self.key + self.iv + hashlib.md5(self.key + self.iv).digest()  # noqa: S324


def wrap_session_key(public_key: rsa.RSAPublicKey, session: SessionKey) -> bytes:
    return public_key.encrypt(session.block, PKCS1v15())


def unwrap_session_key(private_key: rsa.RSAPrivateKey, sealed: bytes) -> SessionKey:
    try:
        block = private_key.decrypt(sealed, PKCS1v15())
    except ValueError:
        raise WrongKey(
            _("déchiffrement RSA de la clé"),
            _("la clé AES n'a pas été chiffrée pour la clé privée de cet ENT."),
        ) from None
    if len(block) != BLOCK_SIZE:
        raise WrongKey(
            _("déchiffrement RSA de la clé"),
            _(
                "%(size)s octets obtenus au lieu de %(expected)s : le fichier n'a pas été "
                "chiffré pour la clé privée de cet ENT."
            )
            % {"size": len(block), "expected": BLOCK_SIZE},
        )
    key, iv, digest = block[:KEY_SIZE], block[KEY_SIZE : KEY_SIZE + IV_SIZE], block[-16:]
    if not hmac.compare_digest(hashlib.md5(key + iv).digest(), digest):  # noqa: S324
        raise WrongKey(
            _("contrôle MD5 de la clé et du vecteur d'initialisation"),
            _(
                "l'empreinte MD5 ne correspond pas : mauvaise clé privée ou fichier "
                "chiffré pour un autre partenaire."
            ),
        )
    return SessionKey(key, iv)


def unwrap_with_any(
    keys: rsa.RSAPrivateKey | Sequence[rsa.RSAPrivateKey], sealed: bytes
) -> SessionKey:
    """:func:`unwrap_session_key` with each key in turn (a single key is a list of one)."""
    candidates = [keys] if isinstance(keys, rsa.RSAPrivateKey) else list(keys)
    first: WrongKey | None = None
    for key in candidates:
        try:
            return unwrap_session_key(key, sealed)
        except WrongKey as exc:
            first = first or exc
    if first is None:
        raise ValueError("unwrap_with_any: no key given")
    # The partner's name matched (checked before): the school did its part; what to do is the
    # operator's, which the school's administrator reading the page must be able to pass on.
    raise WrongKey(
        first.step,
        first.detail
        + " "
        + _(
            "Signalez-le à l'exploitant de l'ENT : la clé publique donnée à Index Education ne "
            "correspond pas à SOCLE_PRONOTE_PRIVATE_KEY (après un changement de clé, "
            "l'ancienne va dans SOCLE_PRONOTE_FORMER_PRIVATE_KEYS)."
        ),
    )


# --- payload -----------------------------------------------------------------------------------
def aes_encrypt(session: SessionKey, data: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(session.key), modes.CBC(session.iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def aes_decrypt(session: SessionKey, data: bytes) -> bytes:
    if not data or len(data) % 16:
        raise EnvelopeError(
            _("déchiffrement AES du contenu"),
            _("la taille du contenu chiffré n'est pas un multiple de 16 octets."),
        )
    decryptor = Cipher(algorithms.AES(session.key), modes.CBC(session.iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise EnvelopeError(
            _("déchiffrement AES du contenu"),
            _("remplissage PKCS#7 incorrect : contenu altéré ou mauvaise clé."),
        ) from None


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def b64decode(text: str | None, step: str) -> bytes:
    cleaned = re.sub(r"\s+", "", text or "")
    if not cleaned:
        raise EnvelopeError(step, _("valeur vide."))
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise EnvelopeError(step, _("base64 invalide.")) from None


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class Sealed:
    key_b64: str  # RSA-wrapped key block
    content_b64: str  # AES(zlib(payload))
    verification_b64: str  # SHA-256(zlib(payload))


def seal(payload: bytes, public_key: rsa.RSAPublicKey, *, compress: bool = True) -> Sealed:
    session = SessionKey.new()
    body = zlib.compress(payload, 9) if compress else payload
    return Sealed(
        key_b64=b64encode(wrap_session_key(public_key, session)),
        content_b64=b64encode(aes_encrypt(session, body)),
        verification_b64=b64encode(sha256(body)),
    )


def unseal(
    private_key: rsa.RSAPrivateKey | Sequence[rsa.RSAPrivateKey],
    sealed: Sealed,
    *,
    compressed: bool = True,
    max_size: int = 50 * 1024 * 1024,
) -> bytes:
    """Checks every step (RSA, MD5, AES, SHA-256, zlib) and returns the payload. Given several
    keys (the ENT's current one first, then its former ones), the first that unwraps the AES
    key opens the file; when none does, the error is the first key's."""
    session = unwrap_with_any(private_key, b64decode(sealed.key_b64, _("lecture de la clé")))
    body = aes_decrypt(session, b64decode(sealed.content_b64, _("lecture du contenu")))
    expected = b64decode(sealed.verification_b64, _("lecture de la vérification"))
    if not hmac.compare_digest(sha256(body), expected):
        raise EnvelopeError(
            _("contrôle SHA-256 (VERIFICATION)"),
            _("l'empreinte du contenu ne correspond pas : fichier altéré ou tronqué."),
        )
    if not compressed:
        return body
    decompressor = zlib.decompressobj()
    try:
        payload = decompressor.decompress(body, max_size + 1)
    except zlib.error as exc:
        raise EnvelopeError(
            _("décompression zlib"),
            _("données compressées invalides (%(error)s).") % {"error": exc},
        ) from None
    if len(payload) > max_size or decompressor.unconsumed_tail:
        raise EnvelopeError(
            _("décompression zlib"),
            _("contenu décompressé trop gros (plus de %(size)s octets).") % {"size": max_size},
        )
    if not decompressor.eof:
        raise EnvelopeError(_("décompression zlib"), _("données compressées tronquées."))
    return payload
