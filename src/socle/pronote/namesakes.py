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
which reset them): the diagnostics show it under the service when it recognises by identity,
with the fix — import the identifiers, each namesake matched to their own record, and recognise
by the PRONOTE identifier, which tells them apart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, ngettext

from socle.directory.dates import local_day
from socle.directory.models import Establishment
from socle.pronote.cas_names import pronote_service
from socle.pronote.categories import STEP_BY_CATEGORY, Category
from socle.pronote.labels import BORN_ON
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
    refused: frozenset[str] = frozenset()  # the records whose owner PRONOTE finds among several

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
        return [r for r in self.records if r is not record and _fits(r, birth_date, postal_code)]


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
            found = [r for r in group.records if _fits(r, person.birth_date, person.postal_code)]
            if len(found) >= 2:
                return group
        return None


def _fits(record: Record, birth_date: dt.date | None, postal_code: str) -> bool:
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
    refused: set[str] = set()
    involved: set[int] = set()
    for index, owner in enumerate(records):
        others = {
            at
            for at, other in enumerate(records)
            if at != index and _fits(other, owner.birth_date, owner.postal_code)
        }
        if others:
            refused.add(owner.pronote_id)
            involved |= others | {index}
    if not refused:
        return None
    kept = [r for at, r in enumerate(records) if at in involved]
    return NamesakeGroup(category, kept, frozenset(refused))


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


def namesakes_text(found: Namesakes) -> str:
    """How many, why PRONOTE refuses them since the export, and what to do."""
    count = sum(len(group.refused) for group in found.groups)
    return (
        ngettext(
            "%(count)s fiche de l'export de tous les utilisateurs importé le %(date)s a un "
            "homonyme de même catégorie, de mêmes nom, prénom et date de naissance.",
            "%(count)s fiches de l'export de tous les utilisateurs importé le %(date)s ont un "
            "homonyme de même catégorie, de mêmes nom, prénom et date de naissance.",
            count,
        )
        % {"count": count, "date": found.date}
        + " "
        + namesake_fix(found)
    )


def namesake_fix(found: Namesakes) -> str:
    """Why PRONOTE may refuse them since the export, and what to do; in « Les deux
    (migration) », true whichever recognition PRONOTE's console has."""
    if found.recognition == "both":
        return gettext(
            "Cet export a effacé leur « Identifiant CAS ». Ce service, en « Les deux "
            "(migration) », envoie à PRONOTE l'identité et l'identifiant PRONOTE : si PRONOTE "
            "reconnaît par l'identité (« Avec l'identité de l'utilisateur » dans sa console), "
            "il ne peut plus les distinguer (des jumeaux, qui ont des prénoms différents, ne "
            "sont pas concernés) et risque de leur afficher « Identification impossible » à "
            "leur prochaine connexion ; s'il reconnaît par l'identifiant PRONOTE, chacun est "
            "reconnu par l'identifiant que l'ENT lui attribue, qui doit donc être celui de sa "
            "propre fiche. Importez les identifiants PRONOTE (« Importer les identifiants "
            "PRONOTE », en rapprochant chacun de sa propre fiche, à la main si besoin), puis "
            "choisissez la reconnaissance « Avec l'identifiant PRONOTE de l'utilisateur » dans "
            "la console de PRONOTE : l'ENT enverra à chacun son identifiant PRONOTE, qui les "
            "distingue."
        )
    return gettext(
        "Cet export a effacé leur « Identifiant CAS » : avec la reconnaissance « Avec "
        "l'identité de l'utilisateur », PRONOTE ne peut plus les distinguer (des jumeaux, "
        "qui ont des prénoms différents, ne sont pas concernés) et risque de leur afficher "
        "« Identification impossible » à leur prochaine connexion. Importez les identifiants "
        "PRONOTE (« Importer les identifiants PRONOTE », en rapprochant chacun de sa propre "
        "fiche, à la main si besoin), puis choisissez la reconnaissance « Avec l'identifiant "
        "PRONOTE de l'utilisateur » dans la console de PRONOTE et dans ce service : l'ENT "
        "enverra à chacun son identifiant PRONOTE, qui les distingue."
    )


def namesakes_shown(found: Namesakes | None) -> tuple[str, list[str]]:
    """What a page shows of ``found``: :func:`namesakes_text` and a :func:`group_line` per
    group (``""`` and none without namesakes)."""
    if found is None:
        return "", []
    return namesakes_text(found), [group_line(group) for group in found.groups]


def record_label(record: Record) -> str:
    """A record as the import pages and the diagnostic show it: « THMSMARTN5B2013A (classe 5B,
    né(e) le 12/05/2013, compte ENT thomas.martin) »."""
    shown = []
    if record.class_name:
        shown.append(gettext("classe %(class_name)s") % {"class_name": record.class_name})
    if record.birth_date:
        shown.append(gettext(BORN_ON) % {"date": f"{record.birth_date:%d/%m/%Y}"})
    else:
        shown.append(gettext("sans date de naissance"))
    if record.postal_code:
        shown.append(gettext("code postal %(code)s") % {"code": record.postal_code})
    if record.login:
        shown.append(gettext("compte ENT %(login)s") % {"login": record.login})
    else:
        shown.append(gettext("aucun compte ENT rapproché"))
    return f"{record.pronote_id} ({', '.join(shown)})"


def _ids(records: Iterable[Record]) -> str:
    return ", ".join(r.pronote_id for r in records)


def group_line(group: NamesakeGroup) -> str:
    """« MARTIN Thomas, élève : fiche A (classe 5B, …) : l'identité de son titulaire correspond
    aussi à la fiche B ; fiche B (…) : … » — each record, and which other records its owner's
    identity fits (the ones that make it ambiguous), or, for a record whose owner PRONOTE still
    finds, the refused owners whose identity it fits."""
    parts = []
    for record in group.records:
        if record.pronote_id in group.refused:
            others = group.fitting(record, record.birth_date, record.postal_code)
            text = ngettext(
                "fiche %(record)s : l'identité de son titulaire correspond aussi à la fiche "
                "%(others)s",
                "fiche %(record)s : l'identité de son titulaire correspond aussi aux fiches "
                "%(others)s",
                len(others),
            )
        else:
            others = [
                r
                for r in group.records
                if r.pronote_id in group.refused
                and record in group.fitting(r, r.birth_date, r.postal_code)
            ]
            text = ngettext(
                "fiche %(record)s : son titulaire est reconnu par son identité, mais elle "
                "correspond aussi à celle du titulaire de la fiche %(others)s",
                "fiche %(record)s : son titulaire est reconnu par son identité, mais elle "
                "correspond aussi à celle des titulaires des fiches %(others)s",
                len(others),
            )
        parts.append(text % {"record": record_label(record), "others": _ids(others)})
    return gettext("%(name)s, %(category)s : %(records)s") % {
        "name": group.name,
        "category": group.label,
        "records": " ; ".join(parts),
    }


def own_record(person: Any, group: NamesakeGroup, establishment: Establishment) -> Record | None:
    """The person's own record among the group's: the one whose identifier the ENT holds for
    them, else the one the import matched to them, else the only one of their class among
    those their identity fits; ``None`` when nothing tells."""
    by_id = {r.pronote_id: r for r in group.records}
    held = PronoteIdentity.objects.filter(
        person=person, establishment=establishment, pronote_id__in=list(by_id)
    ).values_list("pronote_id", flat=True)
    for pronote_id in held:
        return by_id[pronote_id]
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
        and _fits(r, person.birth_date, person.postal_code)
    ]
    return same_class[0] if len(same_class) == 1 else None


def account_note(found: Namesakes, group: NamesakeGroup, person: Any) -> str:
    """The note of « Diagnostic PRONOTE » for one account among the namesakes: its own record
    (:func:`own_record`) and the other records its identity fits too."""
    own = own_record(person, group, found.session.establishment)
    if own is None:
        fitting = [r for r in group.records if _fits(r, person.birth_date, person.postal_code)]
        text = gettext(
            "L'export de tous les utilisateurs importé le %(date)s a plusieurs fiches PRONOTE "
            "à ce nom et ce prénom qui correspondent à l'identité de ce compte : %(records)s. "
            "Aucune n'est rapprochée de ce compte : PRONOTE ne peut pas le reconnaître par son "
            "identité."
        ) % {
            "date": found.date,
            "records": " ; ".join(record_label(r) for r in fitting or group.records),
        }
        return text + " " + namesake_fix(found)
    others = group.fitting(own, person.birth_date, person.postal_code) or group.fitting(
        own, own.birth_date, own.postal_code
    )
    text = ngettext(
        "L'export de tous les utilisateurs importé le %(date)s a plusieurs fiches PRONOTE à ce "
        "nom et ce prénom : celle de ce compte, %(own)s, et une autre qui correspond aussi à "
        "son identité, %(others)s. PRONOTE ne peut pas reconnaître ce compte par son identité.",
        "L'export de tous les utilisateurs importé le %(date)s a plusieurs fiches PRONOTE à ce "
        "nom et ce prénom : celle de ce compte, %(own)s, et d'autres qui correspondent aussi à "
        "son identité : %(others)s. PRONOTE ne peut pas reconnaître ce compte par son identité.",
        len(others),
    ) % {
        "date": found.date,
        "own": record_label(own),
        "others": " ; ".join(record_label(r) for r in others),
    }
    return text + " " + namesake_fix(found)


def note_namesake(account: Any, found: Namesakes | None) -> None:
    """Adds :func:`account_note` to the fixes of an examined account among the namesakes."""
    person = account.person
    if found is None or person is None:
        return
    group = found.group_of(person, person.profiles_in(found.session.establishment))
    if group is not None:
        account.fixes.append(account_note(found, group, person))
