"""The second school's PRONOTE (the demo's Collège Pierre de Fermat): its base, and its
identifiers imported into the ENT by the real importer (docs/demo.md, « The teacher of two
schools »).

PRONOTE gives a person one identifier per establishment (« A teacher or parent in two schools
has two PRONOTE ids: one per establishment (UAI) »): the people of the synthetic school who also
belong to the second one (the teacher Hélène LE GALL, the parents Yasmina and Karim BEN SAÏD)
get there an identifier derived from the seed and *that* UAI, so never their first school's;
their daughter Inès, a pupil of the second school only, is there with her parents as her
responsables. The base also holds two pupils of its own, unknown to the ENT.
"""

from __future__ import annotations

import datetime as dt

from socle.demo.cast import PronoteOnly
from socle.demo.people import SynthSchool, pronote_id
from socle.demo.pronote_base import (
    CATEGORIES,
    Difference,
    PronoteBase,
    PronoteUser,
    pronote_only_user,
    user_of,
)
from socle.directory.models import Establishment
from socle.pronote.files import ParsedFile, PronoteRecord
from socle.pronote.files.records import FORMAT_XML
from socle.pronote.importer.session import start_import
from socle.pronote.importer.steps import run_automatic
from socle.pronote.journal import Actor
from socle.pronote.models import ImportMode, ImportSession, PronoteIdentity

SOURCE_NAME = "demo_seed (pronote-base-fermat.json)"
# Pupils of the second school's PRONOTE whom the ENT does not know.
# fmt: off
SECOND_SCHOOL_PUPILS: tuple[PronoteOnly, ...] = (
    PronoteOnly("F-ARTHUR-ROQUES", "eleve", "Arthur", "ROQUES", dt.date(2012, 9, 14), "31400",
                "4B"),
    PronoteOnly("F-LEA-MAZET", "eleve", "Léa", "MAZET", dt.date(2013, 1, 22), "31400", "5A"),
)
# fmt: on


def build_second_pronote_base(school: SynthSchool) -> PronoteBase | None:
    """The second establishment's PRONOTE base (None when the school has no second one)."""
    second = school.second_establishment
    if second is None:
        return None
    users: list[PronoteUser] = []
    differences: list[Difference] = []
    by_key: dict[str, PronoteUser] = {}
    for person in school.people:
        if second.uai in person.uais(school.establishment.uai):
            user = user_of(person)
            user.pronote_id = pronote_id(school.seed, second.uai, person.key)
            users.append(user)
            by_key[person.key] = user
    for link in school.links:  # the pupils' responsables, by their ids in this base
        child, parent = by_key.get(link.child_key), by_key.get(link.parent_key)
        if child is not None and parent is not None and child.category == "eleve":
            child.responsables.append(parent.pronote_id)
    for item in SECOND_SCHOOL_PUPILS:
        user = pronote_only_user(item, school.seed, second.uai)
        users.append(user)
        differences.append(
            Difference("not_in_ent", user.pronote_id, None, f"{item.first_name} {item.last_name}")
        )
    order = {category: index for index, category in enumerate(CATEGORIES)}
    users.sort(key=lambda u: (order[u.category], u.last_name, u.first_name, u.pronote_id))
    return PronoteBase(second, users, differences)


def import_identifiers(base: PronoteBase, establishment: Establishment) -> ImportSession | None:
    """The base's identifiers imported as ``socle pronote_import --mode complet --auto-only``
    would (a session in « Import PRONOTE », traces by ``demo_seed``); nothing when the
    establishment already has PRONOTE identifiers (a second run, or an administrator's
    import)."""
    if PronoteIdentity.objects.filter(establishment=establishment).exists():
        return None
    records = [
        PronoteRecord(
            category=user.category,
            pronote_id=user.pronote_id,
            last_name=user.last_name,
            first_name=user.first_name,
            birth_date=user.birth_date,
            postal_code=user.postal_code,
            class_name=user.class_name,
            responsables=list(user.responsables),
            location=f"users[{index}]",  # where the base JSON holds them
        )
        for index, user in enumerate(base.users, start=1)
    ]
    parsed = ParsedFile(format=FORMAT_XML, records=records, uai=establishment.uai)
    actor = Actor(command="demo_seed")
    session = start_import(
        parsed, establishment, ImportMode.COMPLET, source_name=SOURCE_NAME, actor=actor
    )
    return run_automatic(session, actor=actor)
