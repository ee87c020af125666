"""The one XML parser configuration pronotesim uses: no entities, no DTD, no network."""

from lxml import etree


class XmlError(ValueError):
    """Malformed or forbidden XML; the message is French."""


def parse_xml(data: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"XML mal formé : {exc}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise XmlError("Les déclarations DOCTYPE ne sont pas acceptées.")
    return root
