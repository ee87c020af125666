"""« Exporter les identifiants PRONOTE »: ``IdPN_To_<PARTENAIRE>.xml``.

The inner XML (docs/pronote-files.md, "The identifier document") is wrapped in Index Education's
``EXPORT_INDEX_EDUCATION`` envelope, encrypted for the ENT partner's RSA public key.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from pronotesim.base.categories import (
    ELEVE,
    ENSEIGNANT,
    INSPECTEUR,
    MAITRE_DE_STAGE,
    PERSONNEL,
    RESPONSABLE,
)
from pronotesim.base.models import Establishment, PronoteUser
from pronotesim.files.crypto import seal

ENVELOPE_VERSION = "1.0"
SOFTWARE = "PRONOTE"

# (category, container, element), in PRONOTE's order.
CONTAINERS: tuple[tuple[str, str, str], ...] = (
    (ENSEIGNANT, "Professeurs", "Professeur"),
    (ELEVE, "Eleves", "Eleve"),
    (RESPONSABLE, "Responsables", "Responsable"),
    (MAITRE_DE_STAGE, "MaitresDeStage", "MaitreDeStage"),
    (INSPECTEUR, "Inspecteurs", "Inspecteur"),
    (PERSONNEL, "Personnels", "Personnel"),
)


def file_name(partner: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", partner) or "PARTENAIRE"
    return f"IdPN_To_{safe}.xml"


def identifiants_xml(
    establishment: Establishment, users: Iterable[PronoteUser], responsables: dict[int, list[str]]
) -> bytes:
    """The clear inner document; ``responsables`` maps a pupil's pk to its responsables' ids."""
    root = etree.Element("IDENTIFIANTS_PRONOTE", UAI=establishment.uai)
    by_category: dict[str, list[PronoteUser]] = {}
    for user in users:
        by_category.setdefault(user.category, []).append(user)
    for category, container_name, element_name in CONTAINERS:
        members = by_category.get(category, [])
        if not members:
            continue
        container = etree.SubElement(root, container_name)
        for user in members:
            attributes = {"IDPN": user.pronote_id, "Nom": user.last_name, "Prenom": user.first_name}
            if user.birth_date:
                attributes["DateNaissance"] = user.birth_date.strftime("%d/%m/%Y")
            attributes["CodePostal"] = user.postal_code
            if category == ELEVE:
                attributes["Classe"] = user.class_name
            if user.cas_identifier:
                attributes["IdentifiantCAS"] = user.cas_identifier
            person = etree.SubElement(container, element_name, attributes)
            for ref in responsables.get(user.pk, []):
                etree.SubElement(person, "Responsable", IDPN=ref)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def envelope(
    inner: bytes,
    *,
    partner: str,
    public_key: rsa.RSAPublicKey,
    establishment: Establishment,
    now: datetime,
) -> bytes:
    sealed = seal(inner, public_key)
    root = etree.Element("EXPORT_INDEX_EDUCATION")
    etree.SubElement(root, "VERSION").text = ENVELOPE_VERSION
    etree.SubElement(root, "LOGICIEL").text = SOFTWARE
    keys = etree.SubElement(root, "CLES")
    etree.SubElement(keys, "PARTENAIRE", NOM=partner).text = _b64(sealed.wrapped_key)
    content = etree.SubElement(root, "CONTENU", CompresseAvantChiffrement="true")
    content.text = _b64(sealed.ciphertext)
    etree.SubElement(root, "VERIFICATION").text = _b64(sealed.verification)
    etree.SubElement(root, "DATEHEURE").text = now.replace(microsecond=0).isoformat()
    etree.SubElement(root, "UAI").text = establishment.uai
    etree.SubElement(root, "NOMETABLISSEMENT").text = establishment.name
    postal_city = " ".join(part for part in (establishment.postal_code, establishment.city) if part)
    etree.SubElement(root, "CODEPOSTALVILLE").text = postal_city
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
