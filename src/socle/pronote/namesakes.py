"""Namesakes PRONOTE cannot tell apart by identity, once a complete export reset them.

With « Avec l'identité de l'utilisateur », PRONOTE recognises a user it has not bound yet by the
category, names, birth date and postal code the CAS sends (docs/pronote.md): a record fits when
the birth date and postal code it has agree with the identity's. So the owner of a record (who
sends its birth date and postal code) is refused when another record of the category and names
fits them too — one with the same birth date or with none, unless both postal codes are known
and differ: PRONOTE finds two candidates, never guesses, and answers
« Identification impossible » (twins differ by their first names). The owner of an undated
record beside a dated one is found (the dated one does not fit an identity without that date).
Bound users are recognised by their « Identifiant CAS » instead; but the complete export
(« Uniquement les utilisateurs sans identifiants CAS » unticked) resets every one it exports, so
after it these namesakes are refused at their next connection. The field documents say only that
homonyms need a manual match; that PRONOTE then refuses them is what its identity rule implies
(pronotesim does so).

The list comes from the newest Complet import of the establishment (the export of every user,
which reset them): the diagnostics, the import's final page and ``pronote_import --auto-only``
show it when the service sends the identity (identity or « Les deux (migration) » recognition),
with the fix — import the identifiers, each namesake matched to their own record, and recognise
by the PRONOTE identifier, which tells them apart. Their words are in
:mod:`socle.pronote.namesake_notes`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from socle.directory.dates import local_day
from socle.directory.models import Establishment
from socle.pronote.cas_names import pronote_service
from socle.pronote.categories import STEP_BY_CATEGORY, Category
from socle.pronote.matching_index import name_key
from socle.pronote.models import ImportMode, ImportSession, PronoteIdentity

MAX_ROWS = 200_000  # a region-sized file is read once, in chunks


@dataclass(frozen=True)
class Record:
    pronote_id: str
    last_name: str
    first_name: str
    birth_date: dt.date | None
    postal_code: str
    person_id: int | None
    login: str
    class_name: str = ""


@dataclass
class NamesakeGroup:
    category: str  # PRONOTE's category (``Category`` value)
    records: list[Record] = field(default_factory=list)  # the namesakes PRONOTE mixes up
    # refused record's pronote_id → the pronote_ids of the group's other records its owner's
    # identity (the record's own birth date and postal code) fits: the ones that make it refused
    fitted: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def refused(self) -> frozenset[str]:
        """The records whose owner PRONOTE finds among several."""
        return frozenset(self.fitted)

    @property
    def label(self) -> str:
        """PRONOTE's category label (« élève »)."""
        return str(Category(self.category).label)

    @property
    def name(self) -> str:
        first = self.records[0]
        return f"{first.last_name} {first.first_name}".strip()

    @property
    def born(self) -> str:
        dates = {r.birth_date for r in self.records if r.birth_date}
        return ", ".join(f"{d:%d/%m/%Y}" for d in sorted(dates))

    def fitting(self, record: Record, birth_date: dt.date | None, postal_code: str) -> list[Record]:
        """The group's other records an identity fits (``record``'s owner's, or an account's)."""
        return [r for r in self.records if r is not record and fits(r, birth_date, postal_code)]


@dataclass
class Namesakes:
    session: ImportSession
    groups: list[NamesakeGroup]
    recognition: str = "identity"  # the service's: « identity », or « both » (migration)

    @property
    def date(self) -> str:
        return local_day(self.session.created_at)

    def group_of(self, person: Any, profiles: Iterable[str]) -> NamesakeGroup | None:
        """The group of an ENT account holding ``profiles`` in the school: one of the records
        PRONOTE refuses was matched to it, or PRONOTE would find several of the group's records
        for its own identity — category, names, birth date and postal code, as the CAS sends
        them (namesakes are seldom matched automatically)."""
        key = name_key(person.last_name, person.first_name)
        held = frozenset(profiles)
        for group in self.groups:
            mine = (r for r in group.records if r.person_id == person.pk)
            if any(r.pronote_id in group.refused for r in mine):
                return group
            if STEP_BY_CATEGORY[group.category].profiles.isdisjoint(held):
                continue
            first = group.records[0]
            if name_key(first.last_name, first.first_name) != key:
                continue
            found = [r for r in group.records if fits(r, person.birth_date, person.postal_code)]
            if len(found) >= 2:
                return group
        return None


def fits(record: Record, birth_date: dt.date | None, postal_code: str) -> bool:
    """Whether PRONOTE's identity rule gives ``record`` to an identity of its names with this
    birth date and postal code (pronotesim's ``identity.matches``: a birth date or postal code
    the record has must agree with the identity's)."""
    if record.birth_date and record.birth_date != birth_date:
        return False
    codes = (record.postal_code.replace(" ", ""), (postal_code or "").replace(" ", ""))
    return not (all(codes) and codes[0] != codes[1])


def _group(category: str, records: list[Record]) -> NamesakeGroup | None:
    """The records of one category and name that PRONOTE mixes up: a record is refused when
    its owner's identity (the record's own birth date and postal code) fits another record too;
    the group lists the refused records and those they fit, in the file's order."""
    fitted: dict[str, frozenset[str]] = {}
    involved: set[int] = set()
    for index, owner in enumerate(records):
        others = {
            at
            for at, other in enumerate(records)
            if at != index and fits(other, owner.birth_date, owner.postal_code)
        }
        if others:
            fitted[owner.pronote_id] = frozenset(records[at].pronote_id for at in others)
            involved |= others | {index}
    if not fitted:
        return None
    kept = [r for at, r in enumerate(records) if at in involved]
    return NamesakeGroup(category, kept, fitted)


def latest_complete_import(establishment: Establishment) -> ImportSession | None:
    return (
        ImportSession.objects.filter(establishment=establishment, mode=ImportMode.COMPLET)
        .order_by("-created_at", "-id")
        .first()
    )


def identity_namesakes(
    establishment: Establishment, service: Any, session: ImportSession | None = None
) -> Namesakes | None:
    """The namesakes of ``session`` (a Complet import; by default the establishment's newest),
    when ``service`` (the one in use) sends the identity: « Avec l'identité de l'utilisateur »,
    or « Les deux (migration) », where PRONOTE recognises by whichever mode its own console
    has (pronotesim: the identity attributes in identity mode, ``idPronote`` alone in
    identifier mode) — the text then says both cases. ``None`` otherwise, or when there are
    none."""
    from socle.portal.models import PronoteRecognition

    recognition = getattr(service, "pronote_recognition", "")
    if recognition not in (PronoteRecognition.IDENTITY, PronoteRecognition.BOTH):
        return None
    session = session or latest_complete_import(establishment)
    if session is None or session.mode != ImportMode.COMPLET:
        return None
    by_key: dict[tuple[str, str], list[Record]] = defaultdict(list)
    rows = session.rows.order_by("position").values_list(
        "category",
        "pronote_id",
        "last_name",
        "first_name",
        "birth_date",
        "postal_code",
        "person_id",
        "person__login",
        "class_name",
    )
    for category, pid, last, first, born, code, person_id, login, class_name in rows[
        :MAX_ROWS
    ].iterator(chunk_size=5000):
        record = Record(pid, last, first, born, code or "", person_id, login or "", class_name)
        by_key[(category, name_key(last, first))].append(record)
    groups = []
    for (category, _key), records in by_key.items():
        group = _group(category, records) if len(records) >= 2 else None
        if group is not None:
            groups.append(group)
    if not groups:
        return None
    groups.sort(key=lambda g: (g.name, g.born))
    return Namesakes(session, groups, str(recognition))


def import_namesakes(session: ImportSession) -> Namesakes | None:
    """The namesakes the final page of ``session`` lists, and ``pronote_import --auto-only``
    prints: those of a Complet import, for the UAI's PRONOTE service in use."""
    if session.mode != ImportMode.COMPLET:
        return None
    establishment = session.establishment
    return identity_namesakes(establishment, pronote_service(establishment), session)


def own_record(person: Any, group: NamesakeGroup, establishment: Establishment) -> Record | None:
    """The person's own record among the group's: the one whose identifier the ENT holds for
    them, else the one the import matched to them, else the only one of their class among
    those their identity fits; ``None`` when nothing tells."""
    by_id = {r.pronote_id: r for r in group.records}
    held = (
        PronoteIdentity.objects.filter(
            person=person, establishment=establishment, pronote_id__in=list(by_id)
        )
        .order_by("pk")
        .values_list("pronote_id", flat=True)
        .first()
    )
    if held is not None:
        return by_id[held]
    for record in group.records:
        if record.person_id == person.pk:
            return record
    classes = {
        c.strip().casefold()
        for c in person.memberships.filter(establishment=establishment).values_list(
            "class_name", flat=True
        )
        if c.strip()
    }
    same_class = [
        r
        for r in group.records
        if r.class_name.strip().casefold() in classes
        and fits(r, person.birth_date, person.postal_code)
    ]
    return same_class[0] if len(same_class) == 1 else None
