"""pronotesim's run-time checks of the ENT's file agree with Index Education's XSDs: each change
below makes a valid ImportChiffre or RapprochementSSO document invalid for the schema, and
pronotesim must refuse it too (it has no schema engine at run time); valid variants pass both."""

from collections.abc import Callable

import pytest
import xmlschema
from lxml import etree

from pronotesim.files.import_chiffre import NS as CONTAINER_NS
from pronotesim.files.import_chiffre import ContainerError, read_container
from pronotesim.files.rapprochement import NS, RapprochementError, parse_rapprochement
from tests.crypto_side import EntAccount, import_chiffre, rapprochement

Edit = Callable[[etree._Element], None]


def q(name: str, ns: str = NS) -> str:
    return f"{{{ns}}}{name}"


def base_document() -> etree._Element:
    accounts = [
        EntAccount("Professeur", 1, "LEFÈVRE", "Hélène", "uid-1", "1980-01-02"),
        EntAccount("Responsable", 2, "MARTIN", "Sophie", "uid-2"),
        EntAccount("Eleve", 3, "MARTIN", "Camille", "uid-3", "2012-03-04", (2,)),
    ]
    root = etree.fromstring(rapprochement(accounts))
    nomenclatures = etree.Element(q("Nomenclatures"))
    civilites = etree.SubElement(nomenclatures, q("Civilites"))
    etree.SubElement(civilites, q("Civilite"), Ident="1", Libelle="M.")
    root.insert(0, nomenclatures)
    return root


def first(root: etree._Element, path: str) -> etree._Element:
    found = root.find(path, {"r": NS})
    assert found is not None, path
    return found


def set_attr(path: str, name: str, value: str) -> Edit:
    return lambda root: first(root, path).set(name, value)


def add_child(path: str, tag: str, **attrs: str) -> Edit:
    return lambda root: first(root, path).append(etree.Element(tag, attrs))


def set_text(path: str, text: str) -> Edit:
    def edit(root: etree._Element) -> None:
        first(root, path).text = text

    return edit


REFUSED_BY_THE_SCHEMA: dict[str, Edit] = {
    "an unknown element in Nomenclatures": add_child("r:Nomenclatures", q("Matieres")),
    "a Civilite without Libelle": lambda root: first(
        root, "r:Nomenclatures/r:Civilites/r:Civilite"
    ).attrib.pop("Libelle"),
    "a Civilite whose Ident is not a number": set_attr(
        "r:Nomenclatures/r:Civilites/r:Civilite", "Ident", "M"
    ),
    "empty Civilites": lambda root: first(root, "r:Nomenclatures/r:Civilites").clear(),
    "an attribute on a section": set_attr("r:Eleves", "Nombre", "1"),
    "an attribute on Nomenclatures": set_attr("r:Nomenclatures", "Version", "1"),
    "text inside a pupil": set_text("r:Eleves/r:Eleve", "Camille"),
    "text inside a section": set_text("r:Professeurs", "1 professeur"),
    "a child inside an establishment": add_child("r:Etablissements/r:Etablissement", q("Classe")),
    "a child inside a managed establishment": add_child(
        "r:EtablissementsGeres/r:Etablissement", q("Classe")
    ),
    "a child inside a pupil's Responsable": add_child("r:Eleves/r:Eleve/r:Responsable", q("Lien")),
    "two civilities for one responsable": lambda root: [
        first(root, "r:Responsables/r:Responsable").append(etree.Element(q("Civilite"), Ident="2"))
        for _ in range(2)
    ],
    "a responsable's civility that is not a number": add_child(
        "r:Responsables/r:Responsable", q("Civilite"), Ident="Mme"
    ),
    "a delegation protocol other than CAS or ADFS": set_attr(
        ".", "ProtocoleDelegationAuthentification", "SAML"
    ),
    "a pupil's sex other than Masculin or Feminin": set_attr("r:Eleves/r:Eleve", "Sexe", "F"),
    "a Date on the 30th of February": set_attr(".", "Date", "2026-02-30T10:00:00"),
    "a Date at 25 o'clock": set_attr(".", "Date", "2026-09-05T25:00:00"),
    "a Date in a time zone beyond ±14:00": set_attr(".", "Date", "2026-09-05T10:00:00+15:00"),
    "a birth date in a time zone beyond ±14:00": set_attr(
        "r:Eleves/r:Eleve", "DateNaissance", "2012-03-04+14:30"
    ),
}

ACCEPTED_BY_THE_SCHEMA: dict[str, Edit] = {
    "the base document": lambda root: None,
    "no Nomenclatures": lambda root: root.remove(first(root, "r:Nomenclatures")),
    "empty Nomenclatures": lambda root: first(root, "r:Nomenclatures").clear(),
    "a responsable's civility": add_child("r:Responsables/r:Responsable", q("Civilite"), Ident="2"),
    "white space and comments between elements": lambda root: first(root, "r:Eleves").insert(
        0, etree.Comment("élèves")
    ),
    "a Date at 24:00:00 with a time zone": set_attr(".", "Date", "2026-09-05T24:00:00+02:00"),
    "the ADFS delegation protocol": set_attr(".", "ProtocoleDelegationAuthentification", "ADFS"),
}


def edited_document(edit: Edit) -> bytes:
    root = base_document()
    edit(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@pytest.mark.parametrize("change", sorted(REFUSED_BY_THE_SCHEMA))
def test_it_refuses_a_document_the_schema_refuses(
    change: str, sso_schema: xmlschema.XMLSchema10
) -> None:
    data = edited_document(REFUSED_BY_THE_SCHEMA[change])
    assert not sso_schema.is_valid(data.decode())
    with pytest.raises(RapprochementError):
        parse_rapprochement(data)


@pytest.mark.parametrize("change", sorted(ACCEPTED_BY_THE_SCHEMA))
def test_it_accepts_a_document_the_schema_accepts(
    change: str, sso_schema: xmlschema.XMLSchema10
) -> None:
    data = edited_document(ACCEPTED_BY_THE_SCHEMA[change])
    sso_schema.validate(data.decode())
    parsed = parse_rapprochement(data)
    assert [person.partner_id for person in parsed.people] == ["uid-1", "uid-2", "uid-3"]


def container(rsa_key_public: object) -> etree._Element:
    return etree.fromstring(import_chiffre(b"<x/>", rsa_key_public))  # type: ignore[arg-type]


CONTAINER_REFUSED: dict[str, Edit] = {
    "an unknown attribute on ImportChiffre": lambda root: root.set("Compression", "zlib"),
    "an attribute on Cle": lambda root: first_c(root, "Cle").set("Algorithme", "RSA"),
    "an element inside UAI": lambda root: first_c(root, "UAI").append(
        etree.Element(q("Numero", CONTAINER_NS))
    ),
    "text between the children": lambda root: setattr(first_c(root, "Partenaire"), "tail", "x"),
    "a DateExport on the 31st of April": lambda root: setattr(
        first_c(root, "DateExport"), "text", "2026-04-31T10:00:00"
    ),
}


def first_c(root: etree._Element, name: str) -> etree._Element:
    found = root.find(q(name, CONTAINER_NS))
    assert found is not None, name
    return found


@pytest.mark.parametrize("change", sorted(CONTAINER_REFUSED))
def test_it_refuses_a_container_the_schema_refuses(
    change: str, container_schema: xmlschema.XMLSchema11, rsa_key: object
) -> None:
    root = container(rsa_key.public_key())  # type: ignore[attr-defined]
    container_schema.validate(etree.tostring(root).decode())
    CONTAINER_REFUSED[change](root)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert not container_schema.is_valid(data.decode())
    with pytest.raises(ContainerError):
        read_container(data)


def test_it_refuses_a_container_whose_children_are_outside_its_namespace(
    container_schema: xmlschema.XMLSchema11, rsa_key: object
) -> None:
    valid = container(rsa_key.public_key())  # type: ignore[attr-defined]
    root = etree.Element(q("ImportChiffre", CONTAINER_NS), nsmap={"c": CONTAINER_NS}, Version="1.0")
    for child in valid:
        etree.SubElement(root, etree.QName(child).localname).text = child.text
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert b"<Partenaire>" in data and b"xmlns:c=" in data
    assert not container_schema.is_valid(data.decode())
    with pytest.raises(ContainerError, match="hors espace de noms"):
        read_container(data)


def test_it_names_the_element_holding_text_between_elements_in_both_files(
    rsa_key: object,
) -> None:
    """The container and the RapprochementSSO file refuse text between elements alike, and
    take white space and comments there."""
    root = container(rsa_key.public_key())  # type: ignore[attr-defined]
    root.insert(0, etree.Comment("conteneur"))
    first_c(root, "Partenaire").tail = "\n  "
    assert read_container(etree.tostring(root)).partner
    first_c(root, "Partenaire").tail = " x "
    with pytest.raises(ContainerError) as refused:
        read_container(etree.tostring(root))
    assert str(refused.value) == "<ImportChiffre> : texte inattendu (éléments seuls attendus)."
    with pytest.raises(RapprochementError) as refused_file:
        parse_rapprochement(edited_document(set_text("r:Professeurs", "1 professeur")))
    assert str(refused_file.value) == "<Professeurs> : texte inattendu (éléments seuls attendus)."
