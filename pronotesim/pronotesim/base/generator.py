"""A small random PRONOTE base (``manage.py make_base``), for pronotesim's own tests and trials.

The full synthetic school of the demo comes from Socle's ``synth_school``; this one only needs
to exercise every category, accents, compound names, siblings and a missing birth date.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from pronotesim.base.identifiers import ALPHABET, LENGTH
from pronotesim.base.loading import FORMAT

LAST_NAMES = [
    "MARTIN",
    "BERNARD",
    "DUBOIS",
    "THOMAS",
    "ROBERT",
    "RICHARD",
    "PETIT",
    "DURAND",
    "LEROY",
    "MOREAU",
    "SIMON",
    "LAURENT",
    "LEFÈVRE",
    "MICHEL",
    "GARCIA",
    "DAVID",
    "BERTRAND",
    "ROUX",
    "VINCENT",
    "FOURNIER",
    "MOREL",
    "GIRARD",
    "ANDRÉ",
    "LEFEBVRE",
    "MERCIER",
    "DUPONT",
    "LAMBERT",
    "BONNET",
    "FRANÇOIS",
    "MARTINEZ",
    "LE GALL",
    "D'ALMEIDA",
    "SAINT-JEAN",
    "NGUYEN",
    "BÉRANGER",
    "CHÂTEAU-MARTIN",
]
FIRST_NAMES = [
    "Camille",
    "Léa",
    "Chloé",
    "Emma",
    "Inès",
    "Zoé",
    "Maëlys",
    "Anaïs",
    "Hélène",
    "Noémie",
    "Lucas",
    "Hugo",
    "Théo",
    "Noé",
    "Mathéo",
    "Raphaël",
    "Jérôme",
    "Loïc",
    "François",
    "Jean-Baptiste",
    "Marie-Hélène",
    "Anne-Sophie",
    "Gaël",
    "Benoît",
    "Amélie",
    "Cédric",
]
CLASSES = ["6A", "6B", "5A", "5B", "4A", "4B", "3A", "3B"]
CITIES = ["31000", "31200", "31300", "31400", "31500"]


def _pronote_id(rng: random.Random, used: set[str]) -> str:
    while True:
        value = "".join(rng.choice(ALPHABET) for _ in range(LENGTH))
        if value not in used:
            used.add(value)
            return value


def _user(
    rng: random.Random, used: set[str], category: str, last: str, born: date | None
) -> dict[str, Any]:
    return {
        "category": category,
        "pronote_id": _pronote_id(rng, used),
        "last_name": last,
        "first_name": rng.choice(FIRST_NAMES),
        "birth_date": born.isoformat() if born else None,
        "postal_code": rng.choice(CITIES),
    }


def _birth(rng: random.Random, start_year: int, span_years: int) -> date:
    return date(start_year, 1, 1) + timedelta(days=rng.randrange(span_years * 365))


def make_base(
    *,
    seed: int = 1,
    pupils: int = 20,
    uai: str = "0312609T",
    name: str = "Collège Jean Jaurès",
    password: str | None = None,
) -> dict[str, Any]:
    """A ``pronotesim-base/1`` document; with ``password`` every user gets direct credentials
    ``<prenom>.<nom>.<n>`` / password."""
    rng = random.Random(seed)
    used: set[str] = set()
    users: list[dict[str, Any]] = []
    families = max(1, (pupils * 3) // 4)
    pupil_count = 0
    for family in range(families):
        last = rng.choice(LAST_NAMES)
        parents = [
            _user(rng, used, "responsable", last, None) for _ in range(rng.choice([1, 2, 2]))
        ]
        users.extend(parents)
        children = 2 if family % 3 == 0 else 1
        for _ in range(children):
            if pupil_count >= pupils:
                break
            pupil = _user(rng, used, "eleve", last, _birth(rng, 2010, 4))
            pupil["class"] = rng.choice(CLASSES)
            pupil["responsables"] = [parent["pronote_id"] for parent in parents]
            users.append(pupil)
            pupil_count += 1
    for _ in range(max(2, pupils // 8)):
        users.append(_user(rng, used, "enseignant", rng.choice(LAST_NAMES), _birth(rng, 1965, 30)))
    users.append(_user(rng, used, "personnel", rng.choice(LAST_NAMES), _birth(rng, 1965, 30)))
    users.append(_user(rng, used, "personnel", rng.choice(LAST_NAMES), None))
    users.append(_user(rng, used, "maitre_de_stage", rng.choice(LAST_NAMES), None))
    users.append(_user(rng, used, "inspecteur", rng.choice(LAST_NAMES), _birth(rng, 1965, 20)))
    if password:
        for index, user in enumerate(users):
            user["direct_login"] = f"{user['first_name']}.{user['last_name']}.{index}".lower()
            user["direct_password"] = password
    return {
        "format": FORMAT,
        "uai": uai,
        "name": name,
        "postal_code": "31000",
        "city": "Toulouse",
        "users": users,
    }
