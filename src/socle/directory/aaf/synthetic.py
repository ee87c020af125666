"""Synthetic AAF exports, for tests, demos and the benchmark (``bench/aaf.py``).

``write_export(folder, people=200_000)`` writes a full export of made-up establishments, staff,
pupils and relatives (about 8 % staff, 50 % pupils, 42 % relatives; teachers with three taught
classes and a group, pupils with up to two groups), in files of at most
``part_size`` records, with the DOCTYPE real files carry. Deterministic for a given ``seed``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

from socle.directory.aaf.synthetic_names import FIRST_NAMES, LAST_NAMES
from socle.directory.aaf.synthetic_xml import add_request, uai_for, write_parts

CLASS_LEVELS = ("6E", "5E", "4E", "3E")
GROUPS = ("ANGLAIS", "LATIN", "CHORALE")
# ENTPersonFonctions: function code → label, and teachers' « disciplines de poste » (code$label)
FUNCTIONS = {
    "ENS": "ENSEIGNEMENT",
    "DIR": "DIRECTION",
    "EDU": "EDUCATION",
    "DOC": "DOCUMENTATION",
    "ADF": "PERSONNELS ADMINISTRATIFS",
}
DISCIPLINES = (
    "L0202$LETTRES MODERNES",
    "L1300$MATHEMATIQUES",
    "L0422$ANGLAIS",
    "L1000$HISTOIRE GEOGRAPHIE",
    "L1500$PHYSIQUE CHIMIE",
    "L1900$EDUCATION PHYSIQUE ET SPORTIVE",
)


def discipline(index: int) -> str:
    return DISCIPLINES[index % len(DISCIPLINES)]


def write_export(
    folder: str | Path,
    *,
    people: int = 200_000,
    pupils_per_school: int = 600,
    project: str = "ENT",
    date: str = "20250901",
    seed: int = 0,
    part_size: int = 50_000,
    encoding: str = "UTF-8",
    first_uai: int = 312_700,
) -> list[Path]:
    """Writes the files of one full export; returns their paths."""
    rng = random.Random(seed)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    pupils = max(1, people * 50 // 100)
    staff = max(1, people * 8 // 100)
    relatives = max(1, people - pupils - staff)
    schools = max(1, pupils // pupils_per_school)
    stem = f"{project}_Complet_{date}"

    def school_id(index: int) -> str:
        return f"S{index:05d}"

    def establishments() -> Iterator[str]:
        for index in range(schools):
            yield add_request(
                "categorieStructure",
                "EtabEducNat",
                school_id(index),
                [
                    ("ENTStructureJointure", school_id(index)),
                    ("ENTStructureUAI", uai_for(first_uai + index)),
                    ("ENTStructureNomCourant", f"COLLEGE {rng.choice(LAST_NAMES).upper()} {index}"),
                    ("postalCode", f"{31000 + index % 900:05d}"),
                    ("l", "TOULOUSE"),
                ],
            )

    def person_pairs(
        pid: str, last: str, first: str, born: str, title: str
    ) -> list[tuple[str, list[str] | str]]:
        return [
            ("ENTPersonJointure", pid),
            ("ENTPersonDateNaissance", born),
            ("ENTPersonNomPatro", last.upper()),
            ("sn", last.upper()),
            ("givenName", first),
            ("personalTitle", title),
            ("ENTPersonCodePostal", "31000"),
        ]

    def born(year_from: int, year_to: int) -> str:
        return (
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(year_from, year_to)}"
        )

    families: list[tuple[str, list[str]]] = []
    relative_index = 0

    def staff_records() -> Iterator[str]:
        for index in range(staff):
            school = school_id(index % schools)
            teaches = index % 5 != 0
            code = "ENS" if teaches else ("DIR", "EDU", "DOC", "ADF")[index % 4]
            pairs = person_pairs(
                f"P{index:07d}",
                rng.choice(LAST_NAMES),
                rng.choice(FIRST_NAMES),
                born(1960, 1998),
                rng.choice(("M.", "Mme")),
            )
            pairs += [
                ("mail", f"agent{index}@ac-toulouse.fr"),
                ("ENTPersonStructRattach", school),
                ("ENTPersonFonctions", f"{school}${code}${FUNCTIONS[code]}${discipline(index)}"),
                ("PersEducNatPresenceDevantEleves", "O" if teaches else "N"),
            ]
            if teaches:  # three classes (with a subject after, as some academies write) and a group
                taught = [f"{CLASS_LEVELS[(index + k) % 4]}{1 + (index + k) % 5}" for k in range(3)]
                pairs += [
                    ("ENTAuxEnsClasses", [f"{school}${name}$L0201" for name in taught]),
                    ("ENTAuxEnsMatiereEnseignEtab", f"{school}${discipline(index).split('$')[1]}"),
                    ("ENTAuxEnsGroupes", f"{school}$G{CLASS_LEVELS[index % 4]}{GROUPS[index % 3]}"),
                ]
            yield add_request("categoriePersonne", "PersEducNat", f"P{index:07d}", pairs)

    def pupil_records() -> Iterator[str]:
        nonlocal relative_index
        family: list[str] = []
        family_last = ""
        for index in range(pupils):
            school = school_id(index % schools)
            if relative_index < relatives and (not family or rng.random() > 0.15):
                count = 2 if relatives - relative_index >= 2 and rng.random() < 0.7 else 1
                family = [f"R{relative_index + k:07d}" for k in range(count)]
                family_last = rng.choice(LAST_NAMES)
                families.append((family_last, family))
                relative_index += count
            elif relative_index >= relatives:  # budget spent: more siblings in known families
                family_last, family = rng.choice(families)
            level = CLASS_LEVELS[index % 4]
            links = [f"{rid}$1$1${k + 1}$1$0" for k, rid in enumerate(family)]
            pairs = person_pairs(
                f"E{index:07d}",
                family_last,
                rng.choice(FIRST_NAMES),
                born(2010, 2014),
                rng.choice(("M.", "Mme")),
            )
            pairs += [
                ("ENTPersonStructRattach", school),
                ("ENTEleveClasses", f"{school}${level}{1 + index % 5}"),
                ("ENTElevePersRelEleve", links),
                ("ENTEleveGroupes", [f"{school}$G{level}{g}" for g in GROUPS[: index % 3]]),
            ]
            yield add_request("categoriePersonne", "Eleve", f"E{index:07d}", pairs)

    def relative_records() -> Iterator[str]:
        for last, ids in families:
            for position, rid in enumerate(ids):
                title = "M." if position == 0 else "Mme"
                pairs = person_pairs(rid, last, rng.choice(FIRST_NAMES), born(1965, 1992), title)
                yield add_request("categoriePersonne", "PersRelEleve", rid, pairs)

    paths = write_parts(out, f"{stem}_EtabEducNat", establishments(), part_size, encoding)
    paths += write_parts(out, f"{stem}_PersEducNat", staff_records(), part_size, encoding)
    paths += write_parts(out, f"{stem}_Eleve", pupil_records(), part_size, encoding)
    paths += write_parts(out, f"{stem}_PersRelEleve", relative_records(), part_size, encoding)
    return paths
