"""Index Education's ``ImportChiffre`` container (namespace containeurimportchiffreV1).

``Cle`` = base64 RSA-PKCS#1 v1.5 (Index Education's public key) of key ‖ IV ‖ MD5(key ‖ IV);
``Contenu`` = base64 AES-128-CBC/PKCS#7 of the zlib-compressed payload; ``Verification`` = base64
SHA-256 of the compressed bytes (the same conventions as ``EXPORT_INDEX_EDUCATION``).
"""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from socle.pronote.files import crypto
from socle.pronote.files.crypto import EnvelopeError
from socle.pronote.files.safexml import local_name, parse_xml

NS = "http://www.index-education.com/containeurimportchiffreV1"
VERSION = "1.0"


def build_container(
    payload: bytes,
    public_key: rsa.RSAPublicKey,
    *,
    partner: str,
    uai: str,
    description: str,
    when: dt.datetime | None = None,
) -> bytes:
    sealed = crypto.seal(payload, public_key)
    root = etree.Element(f"{{{NS}}}ImportChiffre", nsmap={None: NS}, Version=VERSION)
    for name, text in (
        ("Partenaire", partner),
        ("Description", description),
        ("Cle", sealed.key_b64),
        ("Contenu", sealed.content_b64),
        ("Verification", sealed.verification_b64),
        ("DateExport", (when or dt.datetime.now()).replace(microsecond=0).isoformat()),
        ("UAI", uai),
    ):
        etree.SubElement(root, f"{{{NS}}}{name}").text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def open_container(
    data: bytes, private_key: rsa.RSAPrivateKey, max_size: int = 200 * 1024 * 1024
) -> tuple[dict[str, str], bytes]:
    """Checks and opens a container (for tests and verification): ``(fields, payload)``."""
    root = parse_xml(data, "Le conteneur ImportChiffre")
    if local_name(root) != "ImportChiffre" or etree.QName(root).namespace != NS:
        raise EnvelopeError("structure du conteneur", "élément racine ImportChiffre attendu.")
    fields = {local_name(child): (child.text or "") for child in root}
    for name in ("Cle", "Contenu", "Verification"):
        if name not in fields:
            raise EnvelopeError("structure du conteneur", f"élément <{name}> absent.")
    sealed = crypto.Sealed(fields["Cle"], fields["Contenu"], fields["Verification"])
    return fields, crypto.unseal(private_key, sealed, max_size=max_size)
