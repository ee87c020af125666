"""Reading the ENT's RapprochementSSO v2.0 document (root ``PARTENAIRE_INDEX``).

Checked element by element against the structure of Index Education's RapprochementSSO.xsd:
order of the sections, the ``Nomenclatures`` (``Civilites/Civilite``), required attributes, no
unknown attribute (the sections take none), no text where the schema has elements only,
``Ident`` as unsignedInt, ``DateNaissance`` as xs:date, ``Date`` as xs:dateTime.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from pronotesim.files.xmlsafe import XmlError, element_children, parse_xml
from pronotesim.files.xsdtypes import is_xs_datetime, parse_unsigned_int, parse_xs_date

NS = "http://www.index-education.com/rapprochementssoV2.0"
SECTIONS = (
    "Nomenclatures",
    "Etablissements",
    "EtablissementsGeres",
    "Personnels",
    "Professeurs",
    "Responsables",
    "Eleves",
)
REQUIRED_SECTIONS = {"Etablissements", "EtablissementsGeres"}
ADDRESS = {
    "Adresse1",
    "Adresse2",
    "Adresse3",
    "Adresse4",
    "CodePostal",
    "Ville",
    "Pays",
}
PERSON_BASE = {"Ident", "Nom", "Prenom", "ID_Partenaire"}
# element → (required attributes, optional attributes)
PEOPLE = {
    "Personnel": (PERSON_BASE, ADDRESS),
    "Professeur": (PERSON_BASE, ADDRESS | {"DateNaissance"}),
    "Responsable": (PERSON_BASE, ADDRESS),
    "Eleve": (PERSON_BASE | {"DateNaissance"}, ADDRESS | {"Sexe", "NumeroNational"}),
}
SECTION_OF = {
    "Personnels": "Personnel",
    "Professeurs": "Professeur",
    "Responsables": "Responsable",
    "Eleves": "Eleve",
}
ESTABLISHMENT_OPTIONAL = ADDRESS | {"TelSecretariat", "TelScolarite", "Fax", "EMail"}


class RapprochementError(ValueError):
    """The document does not follow RapprochementSSO v2.0; the message (French) says where."""


@dataclass
class EntPerson:
    kind: str  # Personnel, Professeur, Responsable, Eleve
    ident: int
    last_name: str
    first_name: str
    partner_id: str
    birth_date: date | None = None
    responsables: list[int] = field(default_factory=list)


@dataclass
class RapprochementFile:
    date: str
    partner: str
    establishments: dict[int, tuple[str, str]]  # Ident → (UAI, name)
    managed: list[int]
    people: list[EntPerson]

    def managed_uais(self) -> set[str]:
        return {self.establishments[i][0].upper() for i in self.managed if i in self.establishments}


def _local(element: etree._Element) -> str:
    if not element.tag.startswith(f"{{{NS}}}"):
        raise RapprochementError(f"Élément <{element.tag}> hors de l'espace de noms {NS}.")
    return etree.QName(element).localname


def _children(element: etree._Element) -> list[etree._Element]:
    """The element's child elements; text between them is refused (element-only content)."""
    return element_children(element, RapprochementError)


def _section(section: etree._Element, name: str) -> list[etree._Element]:
    """A section's children; the schema gives the section itself no attribute."""
    _attributes(section, name, set(), set())
    return _children(section)


def _attributes(
    element: etree._Element, where: str, required: set[str], optional: set[str]
) -> dict[str, str]:
    found = dict(element.attrib)
    missing = sorted(required - found.keys())
    if missing:
        raise RapprochementError(
            f"{where} : attribut(s) obligatoire(s) manquant(s) : {', '.join(missing)}."
        )
    unknown = sorted(found.keys() - required - optional)
    if unknown:
        raise RapprochementError(f"{where} : attribut(s) inconnu(s) : {', '.join(unknown)}.")
    return found


def _ident(value: str, where: str) -> int:
    number = parse_unsigned_int(value)
    if number is None:
        raise RapprochementError(f"{where} : Ident « {value} » n'est pas un entier positif.")
    return number


def _nomenclatures(section: etree._Element) -> None:
    """Only ``Civilites`` (once), holding at least one ``Civilite Ident Libelle``."""
    children = _section(section, "Nomenclatures")
    if len(children) > 1 or any(_local(child) != "Civilites" for child in children):
        names = ", ".join(_local(child) for child in children)
        raise RapprochementError(f"Nomenclatures : éléments {names} ; attendu : Civilites.")
    for civilites in children:
        elements = _section(civilites, "Nomenclatures/Civilites")
        if not elements:
            raise RapprochementError("Nomenclatures/Civilites : section vide.")
        for index, element in enumerate(elements, start=1):
            where = f"Nomenclatures/Civilites/Civilite n° {index}"
            if _local(element) != "Civilite":
                raise RapprochementError(f"{where} : élément <{_local(element)}> inattendu.")
            _leaf(element, where)
            _ident(_attributes(element, where, {"Ident", "Libelle"}, set())["Ident"], where)


def _leaf(element: etree._Element, where: str) -> None:
    if _children(element):
        raise RapprochementError(f"{where} : élément(s) inattendu(s).")


def _establishments(section: etree._Element) -> dict[int, tuple[str, str]]:
    result: dict[int, tuple[str, str]] = {}
    for index, element in enumerate(_section(section, "Etablissements"), start=1):
        where = f"Etablissements/Etablissement n° {index}"
        if _local(element) != "Etablissement":
            raise RapprochementError(f"{where} : élément <{_local(element)}> inattendu.")
        attrs = _attributes(element, where, {"Ident", "Numero", "Nom"}, ESTABLISHMENT_OPTIONAL)
        _leaf(element, where)
        result[_ident(attrs["Ident"], where)] = (attrs["Numero"].strip(), attrs["Nom"])
    if not result:
        raise RapprochementError("Etablissements : au moins un établissement est attendu.")
    return result


def _managed(section: etree._Element) -> list[int]:
    result = []
    for index, element in enumerate(_section(section, "EtablissementsGeres"), start=1):
        where = f"EtablissementsGeres/Etablissement n° {index}"
        if _local(element) != "Etablissement":
            raise RapprochementError(f"{where} : élément <{_local(element)}> inattendu.")
        attrs = _attributes(element, where, {"Ident"}, set())
        _leaf(element, where)
        result.append(_ident(attrs["Ident"], where))
    if not result:
        raise RapprochementError("EtablissementsGeres : au moins un établissement est attendu.")
    return result


def _person(element: etree._Element, kind: str, where: str) -> EntPerson:
    required, optional = PEOPLE[kind]
    attrs = _attributes(element, where, required, optional)
    person = EntPerson(
        kind=kind,
        ident=_ident(attrs["Ident"], where),
        last_name=attrs["Nom"],
        first_name=attrs["Prenom"],
        partner_id=attrs["ID_Partenaire"],
    )
    if "DateNaissance" in attrs:
        person.birth_date = parse_xs_date(attrs["DateNaissance"])
        if person.birth_date is None:
            raise RapprochementError(
                f"{where} : DateNaissance « {attrs['DateNaissance']} » invalide."
            )
    if attrs.get("Sexe") not in (None, "Masculin", "Feminin"):
        raise RapprochementError(f"{where} : Sexe « {attrs['Sexe']} » invalide.")
    if not person.partner_id:
        raise RapprochementError(f"{where} : ID_Partenaire vide.")
    children = _children(element)
    if kind == "Responsable" and len(children) > 1:
        raise RapprochementError(f"{where} : une seule <Civilite> attendue.")
    for child in children:
        name = _local(child)
        if kind == "Eleve" and name == "Responsable":
            ref = _attributes(child, f"{where}/Responsable", {"Ident"}, set())
            _leaf(child, f"{where}/Responsable")
            person.responsables.append(_ident(ref["Ident"], f"{where}/Responsable"))
        elif kind == "Responsable" and name == "Civilite" and not _children(child):
            civility = _attributes(child, f"{where}/Civilite", {"Ident"}, set())
            _ident(civility["Ident"], f"{where}/Civilite")
        else:
            raise RapprochementError(f"{where} : élément <{name}> inattendu.")
    return person


def _people(section: etree._Element, section_name: str) -> list[EntPerson]:
    kind = SECTION_OF[section_name]
    result = []
    for index, element in enumerate(_section(section, section_name), start=1):
        where = f"{section_name}/{kind} n° {index}"
        if _local(element) != kind:
            raise RapprochementError(f"{where} : élément <{_local(element)}> inattendu.")
        result.append(_person(element, kind, where))
    if not result:
        raise RapprochementError(f"{section_name} : section vide.")
    return result


def parse_rapprochement(data: bytes) -> RapprochementFile:
    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise RapprochementError(str(exc)) from None
    if root.tag != f"{{{NS}}}PARTENAIRE_INDEX":
        raise RapprochementError(
            f'Élément racine <{root.tag}> inattendu : <PARTENAIRE_INDEX xmlns="{NS}"> attendu.'
        )
    attrs = _attributes(
        root, "PARTENAIRE_INDEX", {"Date", "Partenaire"}, {"ProtocoleDelegationAuthentification"}
    )
    if not is_xs_datetime(attrs["Date"]):
        raise RapprochementError(f"PARTENAIRE_INDEX : Date « {attrs['Date']} » invalide.")
    protocol = attrs.get("ProtocoleDelegationAuthentification")
    if protocol not in (None, "CAS", "ADFS"):
        raise RapprochementError(
            f"PARTENAIRE_INDEX : ProtocoleDelegationAuthentification « {protocol} » invalide "
            "(CAS ou ADFS attendu)."
        )
    sections = _children(root)
    names = [_local(section) for section in sections]
    positions = [SECTIONS.index(name) if name in SECTIONS else -1 for name in names]
    if (
        -1 in positions
        or positions != sorted(set(positions))
        or not set(names) >= REQUIRED_SECTIONS
    ):
        raise RapprochementError(
            f"PARTENAIRE_INDEX : sections {', '.join(names)} ; "
            f"ordre attendu : {', '.join(SECTIONS)} "
            "(Etablissements et EtablissementsGeres obligatoires)."
        )
    establishments: dict[int, tuple[str, str]] = {}
    managed: list[int] = []
    people: list[EntPerson] = []
    for name, section in zip(names, sections, strict=True):
        if name == "Nomenclatures":
            _nomenclatures(section)
        elif name == "Etablissements":
            establishments = _establishments(section)
        elif name == "EtablissementsGeres":
            managed = _managed(section)
        elif name in SECTION_OF:
            people.extend(_people(section, name))
    return RapprochementFile(attrs["Date"], attrs["Partenaire"], establishments, managed, people)
