"""Hardened XML parsing: no DTD, no entity expansion, no network, errors in the active
language."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from lxml import etree

from socle.core.plain_errors import xml_error
from socle.core.safe_xml import safe_parser
from socle.pronote.files.records import PronoteFileError

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def parse_xml(data: bytes, what: str | None = None) -> etree._Element:
    """Parses ``data`` and returns the root element, or raises :class:`PronoteFileError`
    naming the line. A document type declaration (DTD) is refused outright. ``what`` names the
    document in the messages (« Le fichier XML » by default)."""
    what = what or _("Le fichier XML")
    refused = _("%(what)s contient une déclaration DOCTYPE/DTD : refusé par sécurité.")
    if _DOCTYPE.search(data[:65536]):
        raise PronoteFileError(refused % {"what": what})
    try:
        tree = etree.fromstring(data, parser=safe_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None) or "?"
        if _cut(data) and exc.code != etree.ErrorTypes.ERR_DOCUMENT_END:
            raise PronoteFileError(
                _(
                    "%(what)s s'arrête au milieu d'une balise ou d'une valeur (ligne %(line)s) : "
                    "le fichier semble coupé (export ou copie interrompus). Refaites l'export "
                    "depuis PRONOTE."
                )
                % {"what": what, "line": line}
            ) from None
        raise PronoteFileError(
            _("%(what)s est mal formé (ligne %(line)s) : %(error)s")
            % {"what": what, "line": line, "error": xml_error(exc)}
        ) from None
    except ValueError as exc:  # e.g. an encoding declaration lxml refuses
        raise PronoteFileError(
            _("%(what)s est illisible : %(error)s") % {"what": what, "error": exc}
        ) from None
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise PronoteFileError(refused % {"what": what})
    return tree.getroot()


def _cut(data: bytes) -> bool:
    """Whether the document stops inside a tag or a value: its last character, blanks aside,
    is not a « > » (the NUL bytes strip UTF-16's half of it). libxml2 then names the construct
    it was reading (« AttValue: ' expected », « attributes construct error »), not the cut."""
    return not data.rstrip(b" \t\r\n\x00").endswith(b">")


def local_name(element: etree._Element) -> str:
    """The element's name without its namespace (``""`` for comments and the like)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]
