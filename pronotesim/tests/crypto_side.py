"""The ENT's side of Index Education's files, written independently of pronotesim's code:
a decryptor for EXPORT_INDEX_EDUCATION and an ImportChiffre / RapprochementSSO builder."""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from lxml import etree

CONTAINER_NS = "http://www.index-education.com/containeurimportchiffreV1"
SSO_NS = "http://www.index-education.com/rapprochementssoV2.0"


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


@dataclass
class Opened:
    root: etree._Element
    inner: bytes


def open_envelope(data: bytes, key: rsa.RSAPrivateKey, partner: str) -> Opened:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == "EXPORT_INDEX_EDUCATION"
    wrapped = root.find(f"CLES/PARTENAIRE[@NOM='{partner}']")
    assert wrapped is not None
    block = key.decrypt(base64.b64decode(wrapped.text), PKCS1v15())
    assert len(block) == 48
    aes_key, iv, check = block[:16], block[16:32], block[32:]
    assert hashlib.md5(aes_key + iv).digest() == check
    decryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(base64.b64decode(root.findtext("CONTENU"))) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    compressed = unpadder.update(padded) + unpadder.finalize()
    assert hashlib.sha256(compressed).digest() == base64.b64decode(root.findtext("VERIFICATION"))
    return Opened(root, zlib.decompress(compressed))


def seal_for(plain: bytes, public_key: rsa.RSAPublicKey) -> tuple[str, str, str]:
    """(Cle, Contenu, Verification) in base64."""
    aes_key, iv = os.urandom(16), os.urandom(16)
    block = aes_key + iv + hashlib.md5(aes_key + iv).digest()
    compressed = zlib.compress(plain, 9)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(compressed) + padder.finalize()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    b64 = base64.b64encode
    return (
        b64(public_key.encrypt(block, PKCS1v15())).decode(),
        b64(encryptor.update(padded) + encryptor.finalize()).decode(),
        b64(hashlib.sha256(compressed).digest()).decode(),
    )


def import_chiffre(
    plain: bytes, public_key: rsa.RSAPublicKey, *, uai: str = "0312609T", partner: str = "SOCLE"
) -> bytes:
    cle, contenu, verification = seal_for(plain, public_key)
    root = etree.Element(
        f"{{{CONTAINER_NS}}}ImportChiffre", nsmap={None: CONTAINER_NS}, Version="1.0"
    )
    for name, text in (
        ("Partenaire", partner),
        ("Description", "Export des comptes de l'ENT pour PRONOTE"),
        ("Cle", cle),
        ("Contenu", contenu),
        ("Verification", verification),
        ("DateExport", "2026-09-05T18:10:00"),
        ("UAI", uai),
    ):
        etree.SubElement(root, f"{{{CONTAINER_NS}}}{name}").text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@dataclass
class EntAccount:
    kind: str  # Personnel, Professeur, Responsable, Eleve
    ident: int
    last_name: str
    first_name: str
    partner_id: str
    birth_date: str | None = None  # AAAA-MM-JJ
    responsables: tuple[int, ...] = ()


SECTIONS = (
    ("Personnels", "Personnel"),
    ("Professeurs", "Professeur"),
    ("Responsables", "Responsable"),
    ("Eleves", "Eleve"),
)


def rapprochement(accounts: list[EntAccount], *, uai: str = "0312609T") -> bytes:
    root = etree.Element(
        f"{{{SSO_NS}}}PARTENAIRE_INDEX",
        nsmap={None: SSO_NS},
        Date="2026-09-05T18:10:00",
        Partenaire="SOCLE",
        ProtocoleDelegationAuthentification="CAS",
    )
    etabs = etree.SubElement(root, f"{{{SSO_NS}}}Etablissements")
    etree.SubElement(
        etabs,
        f"{{{SSO_NS}}}Etablissement",
        Ident="1",
        Numero=uai,
        Nom="Collège Jean Jaurès",
        CodePostal="31000",
        Ville="Toulouse",
    )
    managed = etree.SubElement(root, f"{{{SSO_NS}}}EtablissementsGeres")
    etree.SubElement(managed, f"{{{SSO_NS}}}Etablissement", Ident="1")
    for section, kind in SECTIONS:
        members = [a for a in accounts if a.kind == kind]
        if not members:
            continue
        container = etree.SubElement(root, f"{{{SSO_NS}}}{section}")
        for account in members:
            attrs = {
                "Ident": str(account.ident),
                "Nom": account.last_name,
                "Prenom": account.first_name,
            }
            if account.birth_date and kind in ("Professeur", "Eleve"):
                attrs["DateNaissance"] = account.birth_date
            attrs["ID_Partenaire"] = account.partner_id
            element = etree.SubElement(container, f"{{{SSO_NS}}}{kind}", attrs)
            for ref in account.responsables:
                etree.SubElement(element, f"{{{SSO_NS}}}Responsable", Ident=str(ref))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
