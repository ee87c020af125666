"""Reading the ENT's ``ImportChiffre`` container (namespace containeurimportchiffreV1)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from pronotesim.files.crypto import Sealed, open_sealed
from pronotesim.files.xmlsafe import XmlError, element_children, parse_xml
from pronotesim.files.xsdtypes import is_xs_datetime

NS = "http://www.index-education.com/containeurimportchiffreV1"
CHILDREN = ("Partenaire", "Description", "Cle", "Contenu", "Verification", "DateExport", "UAI")


class ContainerError(ValueError):
    """The container is malformed; the message (French) names the element."""


@dataclass(frozen=True)
class Container:
    version: str
    partner: str
    description: str
    date_export: str
    uai: str
    sealed: Sealed


def _b64(element_name: str, text: str) -> bytes:
    compact = "".join(text.split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise ContainerError(f"<{element_name}> : base64 invalide.") from None


def read_container(data: bytes) -> Container:
    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise ContainerError(str(exc)) from None
    if root.tag != f"{{{NS}}}ImportChiffre":
        raise ContainerError(
            f"Élément racine {etree.QName(root).localname!r} inattendu : un conteneur "
            f'<ImportChiffre xmlns="{NS}"> est attendu.'
        )
    version = root.get("Version")
    if version is None:
        raise ContainerError("<ImportChiffre> : attribut Version manquant.")
    unknown = sorted(set(root.attrib) - {"Version"})
    if unknown:
        raise ContainerError(f"<ImportChiffre> : attribut(s) inconnu(s) : {', '.join(unknown)}.")
    children = element_children(root, ContainerError)
    # elementFormDefault="qualified": an element without the namespace is another element
    names = [
        etree.QName(child).localname
        if child.tag.startswith(f"{{{NS}}}")
        else f"{etree.QName(child).localname} (hors espace de noms)"
        for child in children
    ]
    if tuple(names) != CHILDREN:
        raise ContainerError(
            f"<ImportChiffre> : éléments {', '.join(names)} ; attendu : {', '.join(CHILDREN)} "
            f"(espace de noms {NS})."
        )
    for name, child in zip(names, children, strict=True):
        if child.attrib or any(isinstance(grandchild.tag, str) for grandchild in child):
            raise ContainerError(f"<{name}> : texte seul attendu (ni attribut ni élément).")
    text = {name: (child.text or "").strip() for name, child in zip(names, children, strict=True)}
    if not is_xs_datetime(text["DateExport"]):
        raise ContainerError(f"<DateExport> : date-heure invalide « {text['DateExport']} ».")
    sealed = Sealed(
        wrapped_key=_b64("Cle", text["Cle"]),
        ciphertext=_b64("Contenu", text["Contenu"]),
        verification=_b64("Verification", text["Verification"]),
    )
    return Container(
        version=version,
        partner=text["Partenaire"],
        description=text["Description"],
        date_export=text["DateExport"],
        uai=text["UAI"].upper(),
        sealed=sealed,
    )


def decrypt_container(
    container: Container, private_key: rsa.RSAPrivateKey, *, max_size: int
) -> bytes:
    return open_sealed(container.sealed, private_key, max_size=max_size)
