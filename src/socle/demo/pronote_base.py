"""The PRONOTE side of a synthetic school: the same school as PRONOTE knows it (pure).

Real PRONOTE bases never agree exactly with the ENT's directory. :func:`build_pronote_base`
starts from the :class:`SynthSchool` and makes it differ the way real bases do — typos, accents
dropped, first names upper-cased, a mother known by her birth name, missing birth dates for
teachers and parents, former pupils and their parents still in the base, a grandmother given
internet rights, duplicate responsables, the newcomer not yet entered — and records every
difference it made (``PronoteBase.differences``). The result serialises to the "pronotesim base
JSON" (format ``pronotesim-base/1``, docs/demo.md).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from typing import Any

from unidecode import unidecode

from socle.demo import names
from socle.demo.cast import (
    CAST_PRONOTE_CHANGES,
    CAST_PRONOTE_DUPLICATES,
    CAST_PRONOTE_ONLY,
    PronoteOnly,
)
from socle.demo.people import Role, SynthEstablishment, SynthPerson, SynthSchool, pronote_id

FORMAT = "pronotesim-base/1"
CATEGORIES = ("enseignant", "eleve", "responsable", "maitre_de_stage", "inspecteur", "personnel")
CATEGORY_OF_ROLE = {
    Role.TEACHER: "enseignant",
    Role.PUPIL: "eleve",
    Role.PARENT: "responsable",
    Role.MAITRE_DE_STAGE: "maitre_de_stage",
    Role.INSPECTOR: "inspecteur",
    Role.STAFF: "personnel",
}
# Probability that PRONOTE lacks a birth date the ENT has, by category.
MISSING_BIRTH_DATE = {"enseignant": 0.25, "responsable": 0.40, "personnel": 0.30}


@dataclass
class PronoteUser:
    category: str
    pronote_id: str
    last_name: str
    first_name: str
    birth_date: dt.date | None
    postal_code: str
    class_name: str = ""
    responsables: list[str] = field(default_factory=list)
    direct_login: str = ""
    direct_password: str = ""
    ent_key: str | None = None  # the synthetic person this user is (None: PRONOTE only)
    civility: str = ""  # « M. » or « Mme », not for pupils

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "category": self.category,
            "pronote_id": self.pronote_id,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "postal_code": self.postal_code,
        }
        if self.civility:
            data["civility"] = self.civility
        if self.category == "eleve":
            data["class"] = self.class_name
            data["responsables"] = list(self.responsables)
        if self.direct_login:
            data["direct_login"] = self.direct_login
            data["direct_password"] = self.direct_password
        return data


@dataclass(frozen=True)
class Difference:
    """One way the PRONOTE base differs from the ENT (``kind`` names it)."""

    kind: str
    pronote_id: str | None
    ent_key: str | None
    detail: str


@dataclass
class PronoteBase:
    establishment: SynthEstablishment
    users: list[PronoteUser]
    differences: list[Difference]

    def as_json(self) -> dict[str, Any]:
        return base_json(self.establishment, self.users)

    def by_ent_key(self, key: str) -> list[PronoteUser]:
        return [u for u in self.users if u.ent_key == key]


def base_json(establishment: SynthEstablishment, users: list[PronoteUser]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "uai": establishment.uai,
        "name": establishment.name,
        "postal_code": establishment.postal_code,
        "city": establishment.city,
        "users": [u.as_json() for u in users],
    }


def dumps(data: dict[str, Any]) -> str:
    """The JSON text as written to files: UTF-8, stable, one user per line."""
    users = data["users"]
    head = json.dumps({k: v for k, v in data.items() if k != "users"}, ensure_ascii=False)
    lines = ",\n".join("  " + json.dumps(u, ensure_ascii=False) for u in users)
    return head[:-1] + ', "users": [\n' + lines + "\n]}\n"


def user_of(person: SynthPerson) -> PronoteUser:
    """The PRONOTE user of an ENT person, as the ENT knows them (no difference applied)."""
    return PronoteUser(
        category=CATEGORY_OF_ROLE[person.role],
        pronote_id=person.pronote_id,
        last_name=person.last_name,
        first_name=person.first_name,
        birth_date=person.birth_date,
        postal_code=person.postal_code,
        class_name=person.class_name,
        direct_login=person.direct_login,
        direct_password=person.direct_password,
        ent_key=person.key,
        civility="" if person.role == Role.PUPIL else {"M": "M.", "F": "Mme"}.get(person.sex, ""),
    )


def _apply(user: PronoteUser, changes: dict[str, str | None]) -> str:
    described = []
    for name, value in changes.items():
        before = getattr(user, name)
        setattr(
            user, name, dt.date.fromisoformat(value) if name == "birth_date" and value else value
        )
        described.append(f"{name}: {before} → {value}")
    return "; ".join(described)


def _typo(rng: random.Random, text: str) -> str:
    """Swaps two adjacent letters inside the name (never the first), or drops one."""
    letters = [i for i in range(1, len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()]
    if not letters:
        return text + "E"
    i = rng.choice(letters)
    if text[i] != text[i + 1] and rng.random() < 0.6:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def _random_changes(
    rng: random.Random, person: SynthPerson, user: PronoteUser
) -> list[tuple[str, dict[str, str | None]]]:
    changes: list[tuple[str, dict[str, str | None]]] = []
    if user.birth_date and rng.random() < MISSING_BIRTH_DATE.get(user.category, 0.0):
        changes.append(("missing_birth_date", {"birth_date": None}))
    if person.birth_last_name and rng.random() < 0.2:
        changes.append(("birth_name", {"last_name": person.birth_last_name}))
    if rng.random() < 0.01:
        changes.append(("typo", {"last_name": _typo(rng, user.last_name)}))
    elif not user.first_name.isascii() and rng.random() < 0.08:
        changes.append(("accents_dropped", {"first_name": unidecode(user.first_name)}))
    elif not user.last_name.isascii() and rng.random() < 0.08:
        changes.append(("accents_dropped", {"last_name": unidecode(user.last_name)}))
    elif rng.random() < 0.02:
        changes.append(("upper_case", {"first_name": user.first_name.upper()}))
    return changes


def build_pronote_base(school: SynthSchool) -> PronoteBase:
    rng = random.Random(f"pronote|{school.seed}|{school.establishment.uai}")
    users: list[PronoteUser] = []
    differences: list[Difference] = []
    by_key: dict[str, PronoteUser] = {}
    for person in school.people:
        if person.home_uai:  # a pupil of the second school: in its base only
            continue
        user = user_of(person)
        if not person.in_pronote:
            differences.append(Difference("not_in_pronote", None, person.key, person.display))
            continue
        if person.key in CAST_PRONOTE_CHANGES:
            kind, change = CAST_PRONOTE_CHANGES[person.key]
            changes = [(kind, change)]
        else:
            changes = [] if person.key.startswith("C-") else _random_changes(rng, person, user)
        for kind, change in changes:
            differences.append(Difference(kind, user.pronote_id, person.key, _apply(user, change)))
        users.append(user)
        by_key[person.key] = user
    responsables: dict[str, list[str]] = {}
    for link in school.links:
        if link.parent_key in by_key and link.child_key in by_key:
            responsables.setdefault(link.child_key, []).append(by_key[link.parent_key].pronote_id)

    _add_duplicates(school, rng, by_key, responsables, users, differences)
    _add_pronote_only(school, rng, by_key, responsables, users, differences)
    for key, ids in responsables.items():
        by_key[key].responsables = ids
    order = {category: index for index, category in enumerate(CATEGORIES)}
    users.sort(
        key=lambda u: (order[u.category], unidecode(u.last_name), u.first_name, u.pronote_id)
    )
    return PronoteBase(school.establishment, users, differences)


def _add_duplicates(
    school: SynthSchool,
    rng: random.Random,
    by_key: dict[str, PronoteUser],
    responsables: dict[str, list[str]],
    users: list[PronoteUser],
    differences: list[Difference],
) -> None:
    """A responsable entered twice (new id): some children point to the copy instead."""
    chosen: dict[str, tuple[dict[str, str | None], tuple[str, ...]]] = {
        key: value for key, value in CAST_PRONOTE_DUPLICATES.items() if key in by_key
    }
    random_parents = [
        p.key
        for p in school.with_role(Role.PARENT)
        if p.key in by_key and not p.key.startswith("C-")
    ]
    children_of: dict[str, list[str]] = {}
    for link in school.links:
        children_of.setdefault(link.parent_key, []).append(link.child_key)
    for key in rng.sample(random_parents, min(len(random_parents), len(random_parents) // 200)):
        original = by_key[key]
        children = tuple(children_of.get(key, ()))
        change: dict[str, str | None] = (
            {"birth_date": None}
            if original.birth_date and rng.random() < 0.5
            else {"first_name": original.first_name.upper()}
        )
        chosen[key] = (change, children[len(children) // 2 :])
    for key, (change, moved_children) in chosen.items():
        original = by_key[key]
        copy = PronoteUser(**{**original.__dict__, "pronote_id": _dup_id(school, key)})
        copy.direct_login = copy.direct_password = ""
        detail = _apply(copy, change)
        users.append(copy)
        for child in moved_children:
            ids = responsables.get(child, [])
            responsables[child] = [copy.pronote_id if i == original.pronote_id else i for i in ids]
        differences.append(
            Difference(
                "duplicate_responsable",
                copy.pronote_id,
                key,
                f"copie de {original.pronote_id} ({detail}) ; "
                f"enfants rattachés à la copie : {', '.join(moved_children)}",
            )
        )


def _dup_id(school: SynthSchool, key: str) -> str:
    return pronote_id(school.seed, school.establishment.uai, key, "duplicate")


def _add_pronote_only(
    school: SynthSchool,
    rng: random.Random,
    by_key: dict[str, PronoteUser],
    responsables: dict[str, list[str]],
    users: list[PronoteUser],
    differences: list[Difference],
) -> None:
    """Former pupils (and their parents), a grandmother with internet rights, a former maître
    de stage: in PRONOTE, not in the ENT."""
    extra = list(CAST_PRONOTE_ONLY) + _random_pronote_only(rng, school)
    for item in extra:
        user = pronote_only_user(item, school.seed, school.establishment.uai)
        users.append(user)
        by_key.setdefault(item.key, user)
        for child in item.children:
            responsables.setdefault(child, []).append(user.pronote_id)
        differences.append(
            Difference(item.kind, user.pronote_id, None, f"{item.first_name} {item.last_name}")
        )


def pronote_only_user(item: PronoteOnly, seed: int, uai: str) -> PronoteUser:
    """The PRONOTE user of someone only PRONOTE knows, in the base of ``uai``."""
    return PronoteUser(
        category=item.category,
        pronote_id=pronote_id(seed, uai, item.key),
        last_name=item.last_name,
        first_name=item.first_name,
        birth_date=item.birth_date,
        postal_code=item.postal_code,
        class_name=item.class_name,
    )


def _random_pronote_only(rng: random.Random, school: SynthSchool) -> list[PronoteOnly]:
    pupils = [p for p in school.with_role(Role.PUPIL) if p.in_pronote and p.key[:2] != "C-"]
    extra: list[PronoteOnly] = []
    for number in range(1, round(len(pupils) * 0.015) + 1):
        pupil_key = f"XE{number:05d}"
        last = rng.choice(names.SURNAMES)
        sex = rng.choice("FM")
        cp = rng.choice(names.POSTAL_CODES)
        born = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(365))
        first = rng.choice(names.GIRLS if sex == "F" else names.BOYS)
        extra.append(
            PronoteOnly(pupil_key, "eleve", first, last, born, cp, f"3{rng.choice('ABCD')}")
        )
        for index in range(rng.choice((1, 2, 2))):
            extra.append(
                PronoteOnly(
                    f"XR{number:05d}{index}",
                    "responsable",
                    rng.choice(names.WOMEN if index == 0 else names.MEN),
                    last,
                    None,
                    cp,
                    children=(pupil_key,),
                    kind="former_pupil_parent",
                )
            )
    for number in range(1, round(len(pupils) * 0.003) + 1):
        pupil = rng.choice(pupils)
        extra.append(
            PronoteOnly(
                f"XN{number:05d}",
                "responsable",
                rng.choice(names.WOMEN),
                pupil.last_name.split("-")[0],
                None,
                pupil.postal_code,
                children=(pupil.key,),
                kind="non_guardian",
            )
        )
    return extra


def newcomers_json(school: SynthSchool) -> dict[str, Any]:
    """The newcomers (in the ENT, not yet in PRONOTE) as PRONOTE will enter them when they
    arrive: a base file holding only them, same establishment, same identifiers every time."""
    newcomers = {
        p.key: user_of(p) for p in school.people if not p.in_pronote and "newcomer" in p.tags
    }
    for link in school.links:
        if link.parent_key in newcomers and link.child_key in newcomers:
            newcomers[link.child_key].responsables.append(newcomers[link.parent_key].pronote_id)
    order = {category: index for index, category in enumerate(CATEGORIES)}
    users = sorted(newcomers.values(), key=lambda u: (order[u.category], u.last_name, u.first_name))
    return base_json(school.establishment, users)
