"""Plain data types of a synthetic school (no Django, no database).

``SynthSchool`` is what :func:`socle.demo.synth.generate_school` returns; the writer turns it into
directory rows and :mod:`socle.demo.pronote_base` into the PRONOTE side of the same school.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

# PRONOTE identifiers: 16 characters of this alphabet (no I, O, 0, 1).
PRONOTE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PRONOTE_ID_LENGTH = 16

PUPIL = "National_ELV"
PARENT = "National_TUT"
TEACHER = "National_ENS"
DIRECTION = "National_DIR"
VIE_SCOLAIRE = "National_EVS"
ADMIN_STAFF = "National_ETA"
ACADEMY = "National_ACA"
MAITRE_DE_STAGE = "MDS"


class Role(StrEnum):
    PUPIL = "pupil"
    PARENT = "parent"
    TEACHER = "teacher"
    STAFF = "staff"
    MAITRE_DE_STAGE = "maitre_de_stage"
    INSPECTOR = "inspector"


@dataclass(frozen=True)
class SynthEstablishment:
    uai: str
    name: str
    postal_code: str
    city: str


@dataclass
class SynthPerson:
    """One person of the ENT directory (``key`` is stable for a given seed and school)."""

    key: str
    role: Role
    profile: str
    first_name: str
    last_name: str
    sex: str  # "F" or "M"
    birth_date: dt.date | None
    postal_code: str
    birth_last_name: str = ""
    class_name: str = ""
    function: str = ""
    login: str = ""  # wished login (demo accounts); generated ``prenom.nom`` otherwise
    password: str = ""  # known password (demo accounts); unusable otherwise
    is_admin: bool = False
    other_uais: tuple[str, ...] = ()  # further establishments with the same profile
    home_uai: str = ""  # the establishment, when not the school's own (a second school's pupil)
    tags: tuple[str, ...] = ()
    in_pronote: bool = True  # False: a newcomer PRONOTE does not know yet, or staff without it
    pronote_id: str = ""
    direct_login: str = ""  # PRONOTE's own credentials (?login=true)
    direct_password: str = ""

    @property
    def display(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def uais(self, main: str) -> tuple[str, ...]:
        """The establishments the person belongs to, the first one holding their class."""
        return (self.home_uai or main, *self.other_uais)


@dataclass(frozen=True)
class SynthLink:
    parent_key: str
    child_key: str
    relation: str  # directory Relation values: "mere", "pere", "tuteur", "famille", "autre"


@dataclass
class SynthSchool:
    seed: int
    establishment: SynthEstablishment
    second_establishment: SynthEstablishment | None
    people: list[SynthPerson] = field(default_factory=list)
    links: list[SynthLink] = field(default_factory=list)

    @property
    def external_id_prefix(self) -> str:
        return f"synth:{self.establishment.uai}:{self.seed}:"

    def external_id(self, person: SynthPerson) -> str:
        return self.external_id_prefix + person.key

    def person(self, key: str) -> SynthPerson:
        for person in self.people:
            if person.key == key:
                return person
        raise KeyError(key)

    def with_role(self, role: Role) -> Iterator[SynthPerson]:
        return (p for p in self.people if p.role == role)

    def with_tag(self, tag: str) -> list[SynthPerson]:
        return [p for p in self.people if tag in p.tags]

    def children_of(self, parent_key: str) -> list[str]:
        return [link.child_key for link in self.links if link.parent_key == parent_key]

    def parents_of(self, child_key: str) -> list[str]:
        return [link.parent_key for link in self.links if link.child_key == child_key]


def pronote_id(seed: int, uai: str, key: str, variant: str = "") -> str:
    """A PRONOTE identifier derived from the seed, deterministic and well spread."""
    digest = hashlib.sha256(f"pronote|{seed}|{uai}|{key}|{variant}".encode()).digest()
    number = int.from_bytes(digest[:10], "big")  # 80 bits = 16 characters of 5 bits
    chars = []
    for _ in range(PRONOTE_ID_LENGTH):
        number, index = divmod(number, len(PRONOTE_ALPHABET))
        chars.append(PRONOTE_ALPHABET[index])
    return "".join(chars)


def level_of_class(class_name: str) -> str:
    """A collège class's level as the AAF labels it (``ENTEleveLibelleMEF``): 3B → « 3EME »."""
    digit = class_name[:1]
    return f"{digit}EME" if digit and digit in "3456" else ""
