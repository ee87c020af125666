"""The decrypted identifier XML (``IdPN_To_<PARTENAIRE>.xml``), read through ``mapping``.

The real inner schema is not public, so the reader is tolerant: the root may have any name;
person elements (``Eleve``, ``Professeur``…) are found at any depth outside another person, inside
plural containers or not; each field may be an attribute or a child element, in any case. Inside a
pupil, ``Responsable`` elements (or a ``Responsables`` container of them) are references carrying
the responsable's PRONOTE id — as an ``IDPN`` attribute, an ``IDPN`` child or plain text.
"""

from __future__ import annotations

import re
from collections import Counter

from django.utils.translation import gettext as _
from lxml import etree

from socle.core.pronote_names import fold
from socle.pronote.categories import Category
from socle.pronote.files.mapping import (
    FIELD_LABELS,
    FIELD_MAIN_NAME,
    FIELDS,
    PERSON_ELEMENTS,
    REFERENCE_ELEMENTS,
)
from socle.pronote.files.records import (
    FORMAT_XML,
    ParsedFile,
    PronoteFileError,
    PronoteRecord,
    check_lengths,
    check_records,
    clean_pronote_id,
    record_of,
)
from socle.pronote.files.safexml import local_name

_ID_SPLIT = re.compile(r"[\s,;|]+")


def _text(element: etree._Element) -> str:
    return "".join(element.itertext()).strip()


def _has_children(element: etree._Element) -> bool:
    return any(isinstance(child.tag, str) for child in element)


def _reference_id(element: etree._Element) -> str:
    for key, value in element.attrib.items():
        if FIELDS.get(fold(str(key))) == "pronote_id":
            return value.strip()
    for child in element:
        if isinstance(child.tag, str) and FIELDS.get(fold(local_name(child))) == "pronote_id":
            return _text(child)
    return "" if _has_children(element) else _text(element)


def _looks_like_a_person(element: etree._Element) -> bool:
    """A PRONOTE identifier and a name, as attributes or leaf children: a person of a category
    the reader does not know (reported, not imported)."""
    fields = {FIELDS.get(fold(str(key))) for key in element.attrib}
    fields |= {
        FIELDS.get(fold(local_name(child)))
        for child in element
        if isinstance(child.tag, str) and not _has_children(child)
    }
    return {"pronote_id", "last_name"} <= fields


class _Reader:
    def __init__(self) -> None:
        self.records: list[PronoteRecord] = []
        self.uai = ""
        self.counts: Counter[str] = Counter()
        self.ignored: Counter[str] = Counter()

    def walk(self, element: etree._Element) -> None:
        for child in element:
            name = local_name(child)
            if not name:
                continue
            folded = fold(name)
            category = PERSON_ELEMENTS.get(folded)
            if category is not None:
                self.records.append(self.person(child, name, category))
            elif folded == "uai" and not _has_children(child):
                self.uai = self.uai or _text(child)
            else:
                if _looks_like_a_person(child):
                    self.ignored[name] += 1
                self.walk(child)

    def references(self, element: etree._Element, category: Category, where: str) -> list[str]:
        wanted = REFERENCE_ELEMENTS.get(category)
        ids: list[str] = []
        for child in element:
            name = local_name(child)
            if not name:
                continue
            folded = fold(name)
            if wanted is not None and PERSON_ELEMENTS.get(folded) == wanted:
                ref = _reference_id(child)
                ref_where = _("%(where)s, <%(element)s> ligne %(line)s") % {
                    "where": where,
                    "element": name,
                    "line": child.sourceline,
                }
                ids.append(clean_pronote_id(ref, ref_where))
            elif folded not in PERSON_ELEMENTS and _has_children(child):
                ids.extend(self.references(child, category, where))
        return ids

    def person(self, element: etree._Element, name: str, category: Category) -> PronoteRecord:
        self.counts[name] += 1
        where = _("élément <%(element)s> n° %(number)s (ligne %(line)s)") % {
            "element": name,
            "number": self.counts[name],
            "line": element.sourceline,
        }
        values: dict[str, str] = {}
        for key, value in element.attrib.items():
            field = FIELDS.get(fold(str(key)))
            if field and field not in values:
                values[field] = value.strip()
        responsables: list[str] = []
        for child in element:
            child_name = local_name(child)
            if not child_name:
                continue
            field = FIELDS.get(fold(child_name))
            if field and not _has_children(child):
                values.setdefault(field, _text(child))
        if category in REFERENCE_ELEMENTS:
            responsables = self.references(element, category, where)
        if "responsables" in values and not responsables:
            responsables = [
                clean_pronote_id(v, where) for v in _ID_SPLIT.split(values["responsables"]) if v
            ]
        for field in ("last_name",):
            if not values.get(field):
                raise PronoteFileError(
                    _("%(where)s : %(label)s (%(name)s) manquant.")
                    % {
                        "where": where,
                        "label": _(FIELD_LABELS[field]),
                        "name": FIELD_MAIN_NAME[field],
                    }
                )
        check_lengths(values, where)
        return record_of(values, category.value, list(dict.fromkeys(responsables)), where)


def parse_identifier_xml(root: etree._Element) -> ParsedFile:
    """Reads every person of the document; raises :class:`PronoteFileError` on the first fault."""
    reader = _Reader()
    for key, value in root.attrib.items():
        if fold(str(key)) == "uai":
            reader.uai = value.strip()
    reader.walk(root)
    if not reader.records:
        raise PronoteFileError(
            _(
                "Aucune personne trouvée dans le document XML (racine <%(root)s>) : "
                "éléments Professeur, Eleve, Responsable, MaitreDeStage, Inspecteur ou Personnel "
                "attendus."
            )
            % {"root": local_name(root)}
        )
    return ParsedFile(
        FORMAT_XML,
        check_records(reader.records),
        uai=reader.uai.upper(),
        ignored=dict(reader.ignored),
    )
