"""Synthetic AAF exports, for tests, demos and the benchmark (``bench/aaf.py``).

``write_export(folder, people=200_000)`` writes a full export of made-up establishments, staff,
pupils and relatives (about 8 % staff, 50 % pupils, 42 % relatives), in files of at most
``part_size`` records, with the DOCTYPE real files carry. Deterministic for a given ``seed``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from socle.directory.uai import uai_check_letter

FIRST_NAMES = (
    "Camille",
    "Léa",
    "Louis",
    "Gabriel",
    "Emma",
    "Jade",
    "Louise",
    "Alice",
    "Chloé",
    "Lina",
    "Raphaël",
    "Arthur",
    "Jules",
    "Adam",
    "Maël",
    "Lucas",
    "Hugo",
    "Noah",
    "Liam",
    "Sacha",
    "Zoé",
    "Inès",
    "Manon",
    "Sarah",
    "Nathan",
    "Ethan",
    "Paul",
    "Timéo",
    "Mathis",
    "Élise",
    "Anaïs",
    "Hélène",
    "Loïc",
    "Gaëlle",
    "Noémie",
    "Océane",
    "Théo",
    "Clément",
    "Maëlys",
    "Jean-Pierre",
    "Marie-Ange",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Dumont",
    "Marie",
    "Lemaire",
    "Noël",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
    "Blanchard",
    "Giraud",
    "Joly",
    "Rivière",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Martínez",
    "Gérard",
    "Roche",
    "Renard",
    "Schmitt",
    "Roy",
    "Leroux",
    "Colin",
    "Vidal",
    "Caron",
    "Picard",
    "Roger",
    "Fabre",
    "Aubert",
    "Lemoine",
    "Renaud",
    "Dumas",
    "Lacroix",
    "Olivier",
    "Philippe",
    "Bourgeois",
    "Pierre",
    "Benoît",
    "Rey",
    "Leclerc",
    "Payet",
    "Rolland",
    "Leclercq",
    "Guillaume",
    "Lecomte",
    "López",
    "Jean",
    "Dupuy",
    "Guillot",
    "Hubert",
    "Berger",
    "Carpentier",
    "Sánchez",
    "Dupuis",
    "Moulin",
    "Louis",
    "Deschamps",
    "Huet",
    "Vasseur",
    "Perez",
    "Boucher",
    "Fleury",
    "Royer",
    "Klein",
    "Jacquet",
    "Adam",
    "Paris",
    "Poirier",
    "Marty",
    "Aubry",
    "Guyot",
    "Carré",
    "Charles",
    "Renault",
    "Charpentier",
    "Ménard",
    "Maillard",
    "Baron",
    "Bertin",
    "Bailly",
    "Hervé",
    "Schneider",
    "Fernández",
    "Le",
    "Gall",
    "Collet",
    "Léger",
    "Bouvier",
    "Julien",
    "Prévost",
    "Millet",
    "Perrot",
    "Daniel",
    "Le",
    "Roux",
    "Cousin",
    "Germain",
    "Breton",
    "Besson",
    "Langlois",
    "Rémy",
    "Le",
    "Goff",
    "Pelletier",
    "Lévêque",
    "Perrier",
    "Leblanc",
    "Barré",
    "Lebrun",
    "Marchal",
    "Weber",
    "Mallet",
    "Hamon",
    "Boulanger",
    "Jacob",
    "Monnier",
    "Michaud",
    "Rodríguez",
    "Guichard",
    "Gillet",
    "Étienne",
    "Grondin",
    "Poulain",
    "Tessier",
    "Chevallier",
    "Collin",
    "Chauvin",
    "Da",
    "Silva",
    "Bouchet",
    "Gay",
    "Lemaître",
    "Bénard",
    "Maréchal",
    "Humbert",
    "Reynaud",
    "Antoine",
    "Hoarau",
    "Perret",
    "Barthélemy",
    "Cordier",
    "D'Artagnan",
    "Mc",
    "Donald",
    "De",
    "La",
    "Fontaine",
)
CLASS_LEVELS = ("6E", "5E", "4E", "3E")
HEADER = (
    '<?xml version="1.0" encoding="{encoding}"?>\n'
    '<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n'
    "<ficAlimMENESR>\n"
)
FOOTER = "</ficAlimMENESR>\n"


def uai_for(number: int) -> str:
    digits = f"{number:07d}"
    return digits + uai_check_letter(digits)


def _attrs(pairs: list[tuple[str, list[str] | str]]) -> str:
    out = []
    for name, values in pairs:
        items = [values] if isinstance(values, str) else values
        inner = "".join(f"<value>{escape(v)}</value>" for v in items) or "<value/>"
        out.append(f'<attr name="{name}">{inner}</attr>')
    return "".join(out)


def add_request(
    category: str, kind: str, record_id: str, pairs: list[tuple[str, list[str] | str]]
) -> str:
    return (
        f'<addRequest><operationalAttributes><attr name="{category}"><value>{kind}</value>'
        f"</attr></operationalAttributes><identifier><id>{escape(record_id)}</id></identifier>"
        f"<attributes>{_attrs(pairs)}</attributes></addRequest>\n"
    )


def _write(
    folder: Path, stem: str, records: Iterator[str], part_size: int, encoding: str
) -> list[Path]:
    paths: list[Path] = []
    part, count, handle = 0, 0, None
    for record in records:
        if handle is None or count >= part_size:
            if handle is not None:
                handle.write(FOOTER)
                handle.close()
            part += 1
            count = 0
            path = folder / f"{stem}_{part:04d}.xml"
            paths.append(path)
            handle = path.open("w", encoding=encoding, errors="xmlcharrefreplace")
            handle.write(HEADER.format(encoding=encoding))
        handle.write(record)
        count += 1
    if handle is None:
        path = folder / f"{stem}_0001.xml"
        path.write_text(HEADER.format(encoding=encoding) + FOOTER, encoding=encoding)
        paths.append(path)
    else:
        handle.write(FOOTER)
        handle.close()
    return paths


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
                ("ENTPersonFonctions", f"{school}${code}$FONCTION$L0201$DISCIPLINE"),
                ("PersEducNatPresenceDevantEleves", "O" if teaches else "N"),
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
            ]
            yield add_request("categoriePersonne", "Eleve", f"E{index:07d}", pairs)

    def relative_records() -> Iterator[str]:
        for last, ids in families:
            for position, rid in enumerate(ids):
                title = "M." if position == 0 else "Mme"
                pairs = person_pairs(rid, last, rng.choice(FIRST_NAMES), born(1965, 1992), title)
                yield add_request("categoriePersonne", "PersRelEleve", rid, pairs)

    paths = _write(out, f"{stem}_EtabEducNat", establishments(), part_size, encoding)
    paths += _write(out, f"{stem}_PersEducNat", staff_records(), part_size, encoding)
    paths += _write(out, f"{stem}_Eleve", pupil_records(), part_size, encoding)
    paths += _write(out, f"{stem}_PersRelEleve", relative_records(), part_size, encoding)
    return paths
