"""Index Education's ``EXPORT_INDEX_EDUCATION`` envelope (PRONOTE → ENT).

::

    <EXPORT_INDEX_EDUCATION>
      <VERSION>1</VERSION> <LOGICIEL>PRONOTE</LOGICIEL>
      <CLES><PARTENAIRE NOM="SOCLE">base64 RSA(key ‖ IV ‖ MD5(key ‖ IV))</PARTENAIRE></CLES>
      <CONTENU CompresseAvantChiffrement="1">base64 AES-128-CBC(zlib(XML))</CONTENU>
      <VERIFICATION>base64 SHA-256(zlib(XML))</VERIFICATION>
      <DATEHEURE>…</DATEHEURE> <UAI>0312609T</UAI>
    </EXPORT_INDEX_EDUCATION>

Element names are matched without regard to case. Each check that fails names its step.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Sequence

from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils.translation import gettext as _
from lxml import etree

from socle.directory.uai import InvalidUAI, normalize_uai
from socle.pronote.files import crypto
from socle.pronote.files.crypto import EnvelopeError
from socle.pronote.files.safexml import local_name

ROOT = "EXPORT_INDEX_EDUCATION"
_TRUE = {"1", "true", "oui", "vrai", "yes"}
_FALSE = {"0", "false", "non", "faux", "no"}


def is_envelope(root: etree._Element) -> bool:
    return local_name(root).upper() == ROOT


def _child(root: etree._Element, name: str) -> etree._Element | None:
    for child in root:
        if local_name(child).upper() == name:
            return child
    return None


def _required(root: etree._Element, name: str) -> etree._Element:
    child = _child(root, name)
    if child is None:
        raise EnvelopeError(
            _("structure de l'enveloppe"), _("élément <%(name)s> absent.") % {"name": name}
        )
    return child


def envelope_time(root: etree._Element) -> dt.datetime | None:
    """When PRONOTE wrote the file (``DATEHEURE``: ISO 8601, or ``JJ/MM/AAAA HH:MM:SS``, local
    time when it has no offset), ``None`` when absent or unreadable: only a warning uses it."""
    from django.utils import timezone

    element = _child(root, "DATEHEURE")
    text = (element.text or "").strip() if element is not None else ""
    when = None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        for layout in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
            try:
                when = dt.datetime.strptime(text, layout)
                break
            except ValueError:
                continue
    if when is None:
        return None
    return when if when.tzinfo else timezone.make_aware(when)


def envelope_uai(root: etree._Element) -> str:
    element = _child(root, "UAI")
    return (element.text or "").strip().upper() if element is not None else ""


def check_uai(file_uai: str, expected_uai: str) -> None:
    if not file_uai:
        return
    try:
        normalized = normalize_uai(file_uai)
    except InvalidUAI as exc:
        raise EnvelopeError(_("UAI du fichier"), str(exc)) from None
    if expected_uai and normalized != expected_uai:
        raise EnvelopeError(
            _("UAI du fichier"),
            another_school(normalized, expected_uai),
        )


def another_school(file_uai: str, uai: str) -> str:
    """Why a file of another school is refused, and the two ways out (encrypted or not)."""
    return _(
        "le fichier est celui de l'établissement %(file_uai)s, pas de %(uai)s. Importez-le pour "
        "%(file_uai)s, ou prenez l'export de la base PRONOTE de %(uai)s."
    ) % {"file_uai": file_uai, "uai": uai}


def open_envelope(
    root: etree._Element,
    *,
    partner: str,
    expected_uai: str,
    private_key: Callable[[], rsa.RSAPrivateKey | Sequence[rsa.RSAPrivateKey]],
    max_size: int,
) -> bytes:
    """Checks the envelope step by step and returns the decrypted, decompressed XML bytes.
    ``private_key`` is called only once the structure, UAI and partner are known to be right;
    it gives the ENT's key, or its keys, the current one first (:func:`crypto.unseal`)."""
    keys = _required(root, "CLES")
    content = _required(root, "CONTENU")
    verification = _required(root, "VERIFICATION")
    check_uai(envelope_uai(root), expected_uai)

    names: list[str] = []
    sealed_key: str | None = None
    for element in keys:
        if local_name(element).upper() != "PARTENAIRE":
            continue
        name = next((v for k, v in element.attrib.items() if str(k).upper() == "NOM"), "")
        names.append(name)
        if name.strip().casefold() == partner.strip().casefold():
            sealed_key = element.text or ""
    if sealed_key is None:
        found = ", ".join(n or _("(sans nom)") for n in names) or _("aucun")
        raise EnvelopeError(
            _("partenaire destinataire"),
            _(
                "le fichier n'est pas chiffré pour « %(partner)s » (SOCLE_PRONOTE_PARTNER) ; "
                "partenaires présents : %(found)s. Dans PRONOTE, choisissez cet ENT dans "
                "« %(pronote_option)s »."
            )
            % {
                "partner": partner,
                "found": found,
                # PRONOTE's own label, quoted as PRONOTE shows it: French in every language
                "pronote_option": "Les données exportées peuvent être déchiffrées par",
            },
        )

    flag = next(
        (v for k, v in content.attrib.items() if str(k).casefold() == "compresseavantchiffrement"),
        "1",
    )
    flag = flag.strip().lower()
    if flag not in _TRUE | _FALSE:
        raise EnvelopeError(
            _("structure de l'enveloppe"),
            _("CompresseAvantChiffrement=« %(value)s » non reconnu.") % {"value": flag[:10]},
        )
    sealed = crypto.Sealed(sealed_key, content.text or "", verification.text or "")
    return crypto.unseal(private_key(), sealed, compressed=flag in _TRUE, max_size=max_size)


def build_envelope(
    payload: bytes,
    recipients: dict[str, rsa.RSAPublicKey],
    *,
    uai: str,
    compress: bool = True,
    software: str = "PRONOTE",
    version: str = "1",
    when: dt.datetime | None = None,
) -> bytes:
    """Builds an envelope as PRONOTE does (used by tests, benchmarks and documentation)."""
    session = crypto.SessionKey.new()
    body = zlib.compress(payload, 9) if compress else payload
    root = etree.Element(ROOT)
    etree.SubElement(root, "VERSION").text = version
    etree.SubElement(root, "LOGICIEL").text = software
    keys = etree.SubElement(root, "CLES")
    for name, public_key in recipients.items():
        element = etree.SubElement(keys, "PARTENAIRE", NOM=name)
        element.text = crypto.b64encode(crypto.wrap_session_key(public_key, session))
    content = etree.SubElement(root, "CONTENU", CompresseAvantChiffrement="1" if compress else "0")
    content.text = crypto.b64encode(crypto.aes_encrypt(session, body))
    etree.SubElement(root, "VERIFICATION").text = crypto.b64encode(crypto.sha256(body))
    etree.SubElement(root, "DATEHEURE").text = (when or dt.datetime.now()).strftime(
        "%d/%m/%Y %H:%M:%S"
    )
    etree.SubElement(root, "UAI").text = uai
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
