"""Index Education's ``RapprochementSSO`` v2.0 document: the ENT's users with ``ID_Partenaire`` =
the CAS user name PRONOTE will receive for them.

Order and names follow ``RapprochementSSO.xsd``: ``Nomenclatures`` (civilités), ``Etablissements``,
``EtablissementsGeres``, ``Personnels``, ``Professeurs``, ``Responsables``, ``Eleves``. The schema
has no element for maîtres de stage and inspectors, and requires a pupil's birth date: those
people are left out and counted in :class:`ExportResult`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from lxml import etree

from socle.cas.usernames import cas_username
from socle.cas.xmltext import xml_chars
from socle.directory.blocking import present
from socle.directory.models import Establishment, Membership, ParentLink, Person
from socle.directory.profiles import Profile
from socle.portal.models import UsernameMode
from socle.pronote.cas_names import pronote_service

NS = "http://www.index-education.com/rapprochementssoV2.0"

KIND_OF_PROFILE: dict[str, str] = {
    Profile.TEACHER: "Professeur",
    Profile.DOCUMENTALIST: "Professeur",
    Profile.DIRECTION: "Personnel",
    Profile.VIE_SCOLAIRE: "Personnel",
    Profile.ADMIN_STAFF: "Personnel",
    Profile.COLLECTIVITY: "Personnel",
    Profile.PUPIL: "Eleve",
    Profile.PARENT: "Responsable",
}
KIND_ORDER = ("Personnel", "Professeur", "Responsable", "Eleve")
CONTAINER = {
    "Personnel": "Personnels",
    "Professeur": "Professeurs",
    "Responsable": "Responsables",
    "Eleve": "Eleves",
}


@dataclass
class ExportResult:
    xml: bytes
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # who was left out, why (active language)
    service_ids: list[int] = field(default_factory=list)  # whose CAS user names the file holds
    uids_for: list[int] = field(default_factory=list)  # establishments given uids (no service)


def _el(parent: etree._Element, name: str, **attributes: str) -> etree._Element:
    return etree.SubElement(
        parent,
        f"{{{NS}}}{name}",
        # A character XML 1.0 cannot carry (a control character a directory import let into a
        # name): lxml refuses it; written as a space.
        {k: xml_chars(v, " ") for k, v in attributes.items() if v not in ("", None)},
    )


def build_rapprochement(
    establishments: list[Establishment], partner_id: str, *, when: dt.datetime | None = None
) -> ExportResult:
    ids = [e.pk for e in establishments]
    order = {pk: position for position, pk in enumerate(ids)}
    services = {e.pk: pronote_service(e) for e in establishments}

    kinds: dict[int, set[str]] = defaultdict(set)
    first_establishment: dict[int, int] = {}
    skipped_profiles: dict[int, str] = {}
    for person_id, establishment_id, profile in (
        # Blocked by hand but still listed by the imports: present, like the imports, the
        # matching and the purge see them (a pupil blocked during the export is matched after).
        Membership.objects.filter(present("person__"), establishment_id__in=ids)
        .values_list("person_id", "establishment_id", "profile")
        .iterator(chunk_size=5000)
    ):
        kind = KIND_OF_PROFILE.get(profile)
        if kind is None:
            skipped_profiles[person_id] = profile
            continue
        kinds[person_id].add(kind)
        if order[establishment_id] < order.get(first_establishment.get(person_id, -1), 10**9):
            first_establishment[person_id] = establishment_id
    children: dict[int, set[int]] = defaultdict(set)
    pupils = {pid for pid, k in kinds.items() if "Eleve" in k}
    for parent_id, child_id in (
        ParentLink.objects.filter(
            present("parent__"),
            child__memberships__establishment_id__in=ids,
            child__memberships__profile=Profile.PUPIL,
        )
        .values_list("parent_id", "child_id")
        .distinct()
        .iterator(chunk_size=5000)
    ):
        if child_id in pupils:
            children[child_id].add(parent_id)
            kinds[parent_id].add("Responsable")
            first_establishment.setdefault(parent_id, first_establishment[child_id])

    people = (
        {
            p.pk: p
            for p in Person.objects.filter(pk__in=list(kinds))
            .only(
                "id",
                "uid",
                "login",
                "last_name",
                "first_name",
                "birth_date",
                "postal_code",
                "personal_title",
            )
            .iterator(chunk_size=5000)
        }
        if kinds
        else {}
    )

    root = etree.Element(
        f"{{{NS}}}PARTENAIRE_INDEX",
        nsmap={None: NS},
        Date=(when or dt.datetime.now()).replace(microsecond=0).isoformat(),
        Partenaire=partner_id,
        ProtocoleDelegationAuthentification="CAS",
    )
    titles = sorted(
        {
            p.personal_title.strip()
            for p in people.values()
            if "Responsable" in kinds[p.pk] and p.personal_title.strip()
        }
    )
    title_ids = {title: n for n, title in enumerate(titles, start=1)}
    if titles:
        civilites = _el(_el(root, "Nomenclatures"), "Civilites")
        for title, n in title_ids.items():
            _el(civilites, "Civilite", Ident=str(n), Libelle=title)
    listed = _el(root, "Etablissements")
    managed = _el(root, "EtablissementsGeres")
    for n, establishment in enumerate(establishments, start=1):
        _el(
            listed,
            "Etablissement",
            Ident=str(n),
            Numero=establishment.uai,
            Nom=establishment.name,
            CodePostal=establishment.postal_code,
            Ville=establishment.city,
        )
        _el(managed, "Etablissement", Ident=str(n))

    counter = itertools.count(1)
    result = ExportResult(
        b"",
        service_ids=[s.pk for s in services.values() if s is not None],
        uids_for=[
            pk for pk, s in services.items() if s is None or s.username_mode == UsernameMode.UID
        ],
    )
    responsable_ident: dict[int, str] = {}
    usernames: dict[int, str] = {}

    def username(person: Person) -> str:
        if person.pk not in usernames:
            service = services.get(first_establishment.get(person.pk, 0))
            usernames[person.pk] = (
                cas_username(person, service) if service is not None else person.uid
            )
        return usernames[person.pk]

    ordered = sorted(people.values(), key=lambda p: (p.last_name, p.first_name, p.pk))
    for kind in KIND_ORDER:
        members = [p for p in ordered if kind in kinds[p.pk]]
        if kind == "Eleve":
            for p in [p for p in members if p.birth_date is None]:
                result.skipped.append(
                    _(
                        "%(last_name)s %(first_name)s (%(login)s) : élève sans date de "
                        "naissance (obligatoire pour PRONOTE)"
                    )
                    % {
                        "last_name": p.last_name.upper(),
                        "first_name": p.first_name,
                        "login": p.login,
                    }
                )
            members = [p for p in members if p.birth_date is not None]
        if not members:
            continue
        container = _el(root, CONTAINER[kind])
        for person in members:
            ident = str(next(counter))
            attributes = {
                "Ident": ident,
                "Nom": person.last_name,
                "Prenom": person.first_name,
                "ID_Partenaire": username(person),
                "CodePostal": person.postal_code,
            }
            if kind in ("Professeur", "Eleve") and person.birth_date:
                attributes["DateNaissance"] = person.birth_date.isoformat()
            element = _el(container, kind, **attributes)
            if kind == "Responsable":
                responsable_ident[person.pk] = ident
                title = person.personal_title.strip()
                if title in title_ids:
                    _el(element, "Civilite", Ident=str(title_ids[title]))
            if kind == "Eleve":
                for parent_id in sorted(children.get(person.pk, ())):
                    if parent_id in responsable_ident:
                        _el(element, "Responsable", Ident=responsable_ident[parent_id])
        result.counts[CONTAINER[kind]] = len(members)
    left_out: dict[str, int] = defaultdict(int)
    for person_id, profile in skipped_profiles.items():
        if person_id not in kinds:
            left_out[str(Profile(profile).label)] += 1
    for label, count in sorted(left_out.items()):
        result.skipped.append(
            _(
                "%(count)s compte(s) « %(profile)s » : pas d'élément pour ce profil dans le "
                "format RapprochementSSO"
            )
            % {"count": count, "profile": label}
        )
    result.xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return result
