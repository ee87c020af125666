"""The one XML parser configuration pronotesim uses: no entities, no DTD, no network; and the
element-only content its files' schemas give their containers."""

from collections.abc import Callable

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


def element_children(
    element: etree._Element, error: Callable[[str], ValueError]
) -> list[etree._Element]:
    """The element's child elements (comments left out); text between them is refused with
    ``error`` (element-only content)."""
    if any(text and text.strip() for text in (element.text, *(child.tail for child in element))):
        where = etree.QName(element).localname
        raise error(f"<{where}> : texte inattendu (éléments seuls attendus).")
    return [child for child in element if isinstance(child.tag, str)]
