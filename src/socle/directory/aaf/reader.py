"""Streaming reader of one AAF XML file (root ``ficAlimMENESR``).

The parser is hardened: the DOCTYPE every real file carries is never fetched (``load_dtd=False``,
``no_network=True``) and entities are never expanded (``resolve_entities=False``), so an
external or recursive entity can neither read a local file nor blow memory up. A file that
declares entities (``<!ENTITY`` in its DOCTYPE) or uses one (``&nom;``, other than XML's five
and character references) is refused whole: no export of the AAF does, and importing it with
the reference dropped would store a name or an identifier cut short. Records are
yielded one by one and freed as soon as they are read (constant memory whatever the file size).
The encoding comes from the XML declaration (UTF-8, ISO-8859-1, ISO-8859-15…).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _
from lxml import etree

from socle.core.plain_errors import xml_error
from socle.core.safe_xml import SAFE_OPTIONS

ROOT = "ficAlimMENESR"
OPERATIONS = {"addRequest": "add", "modifyRequest": "modify", "deleteRequest": "delete"}


class MalformedFile(Exception):
    """The file is not a readable AAF file; the message says why (French)."""


@dataclass
class RawRecord:
    operation: str  # add | modify | delete
    id: str
    attributes: dict[str, list[str]]  # attr/@name (add) or modification/@name (modify) → values
    line: int | None = None


def _text(element: etree._Element) -> str:
    text = element.text or ""
    if len(element):  # stray children: keep their tails only; an entity reference is refused
        for child in element:
            if isinstance(child, etree._Entity):
                raise MalformedFile(
                    _entity_error(child.text or f"&{child.name};", child.sourceline)
                )
        text += "".join(child.tail or "" for child in element)
    return text.strip()


def _entity_error(reference: str, line: int | None) -> str:
    return _(
        "référence d'entité XML %(reference)s (ligne %(line)s) : un export AAF n'en contient "
        "jamais, refusée par sécurité. Demandez un nouvel export."
    ) % {"reference": f"« {reference} »", "line": line or "?"}


def _declared_entities(element: etree._Element) -> list[str]:
    """The entities the file's DOCTYPE declares (``<!DOCTYPE … [<!ENTITY …>]>``)."""
    dtd = element.getroottree().docinfo.internalDTD
    return [] if dtd is None else [str(entity.name) for entity in dtd.iterentities()]


def read_records(stream: IO[bytes]) -> Iterator[RawRecord]:
    """Yields the records of one file; raises :class:`MalformedFile` when it cannot be read."""
    context = etree.iterparse(
        stream,
        events=("end",),
        tag=tuple(OPERATIONS),
        **SAFE_OPTIONS,
    )
    checked = False
    try:
        for _event, element in context:
            parent = element.getparent()
            if not checked:
                if parent is None or parent.tag != ROOT:
                    found = parent.tag if parent is not None else element.tag
                    raise MalformedFile(_root_error(found))
                if declared := _declared_entities(element):
                    raise MalformedFile(
                        _(
                            "le fichier déclare des entités XML (<!ENTITY %(names)s …>) : un "
                            "export AAF n'en contient jamais, refusé par sécurité. Demandez un "
                            "nouvel export."
                        )
                        % {"names": ", ".join(declared[:3])}
                    )
                checked = True
            elif parent is None or parent.getparent() is not None:
                element.clear()
                continue  # a request nested somewhere else is not a record
            operation = OPERATIONS[str(element.tag)]
            container = "modifications" if operation == "modify" else "attributes"
            record_id = ""
            attributes: dict[str, list[str]] = {}
            for child in element:  # plain child loops: much faster than path searches
                if child.tag == "identifier":
                    id_element = child.find("id")
                    record_id = _text(id_element) if id_element is not None else ""
                elif child.tag == container:
                    for attr in child:
                        name = attr.get("name")
                        if not name:
                            continue
                        values = attributes.setdefault(name, [])
                        for value in attr:  # inlined: this loop runs millions of times
                            text = _text(value) if len(value) else value.text
                            if text and (text := text.strip()):
                                values.append(text)
            record = RawRecord(
                operation=operation,
                id=record_id,
                attributes=attributes,
                line=element.sourceline,
            )
            element.clear()
            while element.getprevious() is not None:
                del parent[0]
            yield record
    except etree.XMLSyntaxError as exc:
        if not exc.lineno:  # not one byte: libxml2 says « no element found », line 0
            raise MalformedFile(
                _("fichier vide : transfert interrompu ou disque plein à l'écriture ?")
            ) from None
        raise MalformedFile(
            _("XML mal formé (ligne %(line)s) : %(error)s")
            % {"line": exc.lineno, "error": xml_error(exc)}
        ) from None
    except (LookupError, UnicodeDecodeError, ValueError) as exc:
        raise MalformedFile(_("encodage illisible : %(error)s") % {"error": exc}) from None
    if not checked:
        root = context.root
        if root is None or root.tag != ROOT:
            raise MalformedFile(_root_error(root.tag if root is not None else _("rien")))


def _root_error(found: object) -> str:
    return _("élément racine %(expected)s attendu, %(found)s trouvé.") % {
        "expected": ROOT,
        "found": found,
    }
