#!/usr/bin/env python3
"""PRONOTE identifier import benchmark: a 1,600-person school and a 200,000-person region.

    .venv/bin/python bench/pronote_matching.py [--schools 125] [--per-school 1600] [--keep DIR]

Each scenario runs in two fresh processes on a fresh SQLite database (environment variables set
before ``django.setup()``): one builds the synthetic directory and PRONOTE's files (not timed),
the other imports them end to end — read and parse the file, open the import, match and validate
the six steps automatically (``--auto-only``), build the CSV report — and reports wall-clock
seconds and the peak resident memory of that process. The result is a Markdown table.

Scenarios:
- ``school``: one collège of 1,600 people (600 pupils, ~880 responsables, teachers, staff) in a
  directory of that size, its decrypted XML file;
- ``school-envelope``: the same file inside an EXPORT_INDEX_EDUCATION envelope (RSA + AES);
- ``region``: 125 such schools (200,000 people) in one directory; the 125 files imported one
  after the other, as a region's administrators would in September.

The synthetic files are not the directory verbatim: names upper-cased, accents dropped, hyphens
turned into spaces, mothers under their birth name, some pupils without birth date, 3 % of
newcomers missing from the directory, and the homonyms random names produce.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Synthetic names: accents, compound names, particles, Mc — what the normaliser must fold.
_LAST = """Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel
Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau
Vincent Müller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand
Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand
Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas
Brunet Gaillard Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron
Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey
Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier
Sanchez Dupuis Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam
Paris Poirier Marty Aubry Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin
Bailly Hervé Schneider Fernandez Le_Gall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel
Le_Roux Cousin Germain Breton Besson Langlois Rémy Le_Goff Pelletier Lévêque Perrier Leblanc Barré
Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet Étienne
Grondin Poulain Tessier Chevallier Collin Chauvin Da_Silva Bouchet Gay Lemaître Bénard Maréchal
Humbert Reynaud Antoine Hoarau Perret Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay
Pasquier Carlier Laporte Martin-Dupont N'Diaye D'Almeida McDonald De_La_Tour Nguyen"""
LAST_NAMES = [name.replace("_", " ") for name in _LAST.split()]
_FIRST = """Emma Jade Louise Alice Chloé Lina Léa Rose Anna Mila Inès Ambre Julia Mia Léna Manon
Juliette Lou Zoé Camille Agathe Sarah Romane Jeanne Éva Nina Margaux Iris Charlotte Louna Gabriel
Léo Raphaël Arthur Louis Lucas Adam Jules Hugo Maël Liam Noah Paul Ethan Tiago Sacha Gabin Nathan
Aaron Mohamed Théo Tom Noé Martin Nolan Timéo Enzo Eden Marius Mathis Jean-Pierre Marie-Claire
Anne-Sophie Pierre-Louis Élodie Céline Nathalie Isabelle Sylvie Stéphane Christophe Frédéric
Laurent Sébastien Valérie Sandrine Olivier Philippe Christian Nicolas Hélène Gaëlle"""
FIRST_NAMES = _FIRST.split()
CLASSES = [f"{level}{letter}" for level in (6, 5, 4, 3) for letter in "ABCDEF"]


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def make_uai(number: int) -> str:
    digits = f"{number:07d}"
    return digits + "ABCDEFGHJKLMNPRSTUVWXYZ"[int(digits) % 23]


def setup_django(db_path: Path) -> None:
    os.environ.setdefault("SOCLE_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["SOCLE_DATA_DIR"] = str(db_path.parent)
    os.environ["SOCLE_DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["SOCLE_PRONOTE_MAX_FILE_SIZE"] = str(500 * 1024 * 1024)
    os.environ.setdefault("SOCLE_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "socle.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


# --- generation (not timed) ------------------------------------------------------------------
def pronote_id(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(16))


def pronote_name(rng: random.Random, name: str) -> str:
    """How PRONOTE's file may spell a directory name."""
    roll = rng.random()
    if roll < 0.5:
        return name.upper()
    if roll < 0.7:
        return strip_accents(name).upper()
    if roll < 0.8:
        return name.replace("-", " ")
    return name


class _SchoolBuilder:
    """One synthetic collège: its people (not yet saved), their profiles, classes, families."""

    def __init__(self, rng: random.Random, index: int, search_key_for: object) -> None:
        self.rng = rng
        self.index = index
        self.search_key_for = search_key_for
        self.people: list[object] = []
        self.roles: list[tuple[str, str]] = []  # (profile, class) per person
        self.families: list[tuple[list[int], list[int]]] = []

    def person(
        self, profile: str, class_name: str = "", year: int = 1980, last: str | None = None
    ) -> object:
        from socle.directory.models import Person
        from socle.directory.profiles import Profile

        rng = self.rng
        last = last or rng.choice(LAST_NAMES)
        first = rng.choice(FIRST_NAMES)
        date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        known = profile != Profile.PARENT or rng.random() < 0.3
        person = Person(
            login=f"s{self.index}p{len(self.people)}",
            last_name=last,
            first_name=first,
            birth_date=date if known else None,
            password="!",
            postal_code="31000",
        )
        if callable(self.search_key_for):
            person.search_key = self.search_key_for(last, "", first)
        self.people.append(person)
        self.roles.append((profile, class_name))
        return person

    def fill(self, per_school: int) -> None:
        from socle.directory.profiles import Profile

        rng = self.rng
        for _ in range(per_school * 70 // 1600):
            self.person(Profile.TEACHER, year=rng.randrange(1960, 1995))
        for _ in range(per_school * 30 // 1600):
            self.person(
                rng.choice([Profile.DIRECTION, Profile.VIE_SCOLAIRE, Profile.ADMIN_STAFF]),
                year=rng.randrange(1960, 1995),
            )
        pupils = per_school * 600 // 1600
        while sum(len(c) for c, _ in self.families) < pupils:
            family_name = rng.choice(LAST_NAMES)
            children, parents = [], []
            for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
                children.append(len(self.people))
                self.person(
                    Profile.PUPIL,
                    rng.choice(CLASSES),
                    year=rng.randrange(2010, 2015),
                    last=family_name,
                )
            for position in range(rng.choice([1, 2, 2, 2])):
                parents.append(len(self.people))
                parent = self.person(
                    Profile.PARENT, year=rng.randrange(1965, 1990), last=family_name
                )
                if position == 1 and rng.random() < 0.5:  # mother under her married name
                    parent.birth_last_name = rng.choice(LAST_NAMES)  # type: ignore[attr-defined]
            self.families.append((children, parents))
        while len(self.people) < per_school:
            self.person(Profile.TEACHER, year=rng.randrange(1960, 1995))

    def save(self, establishment: object) -> None:
        from django.db import transaction

        from socle.directory.models import Membership, ParentLink, Person

        people = self.people
        with transaction.atomic():
            Person.objects.bulk_create(people, batch_size=2000)  # type: ignore[arg-type]
            Membership.objects.bulk_create(
                (
                    Membership(
                        person=p,
                        establishment=establishment,
                        profile=profile,
                        class_name=class_name,
                    )
                    for p, (profile, class_name) in zip(people, self.roles, strict=True)
                ),
                batch_size=2000,
            )
            ParentLink.objects.bulk_create(
                (
                    ParentLink(parent=people[parent], child=people[child], relation="autre")
                    for children, parents in self.families
                    for child in children
                    for parent in parents
                ),
                batch_size=2000,
            )

    def pronote_file(self, uai: str, per_school: int) -> bytes:
        """The school as PRONOTE exports it, spelt differently here and there."""
        from lxml import etree

        from socle.directory.profiles import Profile

        rng = self.rng
        root = etree.Element("IDENTIFIANTS_PRONOTE", UAI=uai)
        containers = {
            kind: etree.SubElement(root, kind)
            for kind in ("Professeurs", "Eleves", "Responsables", "Personnels")
        }
        element_of = {
            Profile.TEACHER: ("Professeurs", "Professeur"),
            Profile.PUPIL: ("Eleves", "Eleve"),
            Profile.PARENT: ("Responsables", "Responsable"),
        }
        parents_of = {child: parents for children, parents in self.families for child in children}
        ids = [pronote_id(rng) for _ in self.people]
        for n, person in enumerate(self.people):
            profile, class_name = self.roles[n]
            container, tag = element_of.get(profile, ("Personnels", "Personnel"))
            last = person.last_name  # type: ignore[attr-defined]
            if person.birth_last_name and rng.random() < 0.5:  # type: ignore[attr-defined]
                last = person.birth_last_name  # type: ignore[attr-defined]
            attributes = {
                "IDPN": ids[n],
                "Nom": pronote_name(rng, last),
                "Prenom": pronote_name(rng, person.first_name),  # type: ignore[attr-defined]
                "CodePostal": "31000",
            }
            birth = person.birth_date  # type: ignore[attr-defined]
            if birth and not (profile == Profile.PUPIL and rng.random() < 0.01):
                attributes["DateNaissance"] = birth.strftime("%d/%m/%Y")
            if class_name:
                attributes["Classe"] = class_name
            element = etree.SubElement(containers[container], tag, attributes)
            for parent in parents_of.get(n, []):
                etree.SubElement(element, "Responsable", IDPN=ids[parent])
        for _ in range(per_school * 3 // 100):  # newcomers not yet in the directory
            etree.SubElement(
                containers["Eleves"],
                "Eleve",
                IDPN=pronote_id(rng),
                Nom=rng.choice(LAST_NAMES).upper(),
                Prenom=rng.choice(FIRST_NAMES),
                DateNaissance="01/01/2013",
            )
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def generate(workdir: Path, schools: int, per_school: int, seed: int) -> dict[str, object]:
    from django.core.management import call_command

    from socle.directory import models as directory_models
    from socle.directory.models import Establishment

    call_command("migrate", verbosity=0, interactive=False)
    search_key_for = getattr(directory_models, "search_key_for", None)
    rng = random.Random(seed)
    files = []
    people_total = 0
    for index in range(schools):
        uai = make_uai(310000 + index)
        establishment = Establishment.objects.create(
            uai=uai, name=f"Collège {index + 1}", postal_code="31000", city="Toulouse"
        )
        school = _SchoolBuilder(rng, index, search_key_for)
        school.fill(per_school)
        school.save(establishment)
        people_total += len(school.people)
        path = workdir / f"IdPN_{uai}.xml"
        path.write_bytes(school.pronote_file(uai, per_school))
        files.append((uai, str(path)))
    return {"files": files, "people": people_total}


def make_envelope(workdir: Path, uai: str, xml_path: str) -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from socle.pronote.files.envelope import build_envelope

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_path = workdir / "ent.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path = workdir / "IdPN_To_SOCLE.xml"
    path.write_bytes(
        build_envelope(Path(xml_path).read_bytes(), {"SOCLE": key.public_key()}, uai=uai)
    )
    return str(path), str(key_path)


# --- the measured import ---------------------------------------------------------------------
def import_files(files: list[tuple[str, str]]) -> dict[str, object]:
    from socle.directory.models import Establishment
    from socle.pronote.importer.report import report_csv
    from socle.pronote.importer.session import load_file, start_import
    from socle.pronote.importer.steps import run_automatic
    from socle.pronote.models import ImportRow

    rows = recognised = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for uai, path in files:
        establishment = Establishment.objects.get(uai=uai)
        parsed = load_file(Path(path).read_bytes(), Path(path).name, uai)
        session = run_automatic(
            start_import(parsed, establishment, "complet", source_name=Path(path).name)
        )
        report_csv(session)
        rows += len(parsed.records)
        recognised += ImportRow.objects.filter(session=session, status="recognised").count()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu": time.process_time() - cpu_started,
        "rows": rows,
        "recognised": recognised,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load": os.getloadavg()[0],
    }


def child(args: argparse.Namespace) -> None:
    workdir = Path(args.workdir)
    setup_django(workdir / "bench.sqlite3")
    if args.phase == "generate":
        info = generate(workdir, args.schools, args.per_school, args.seed)
        if args.envelope:
            uai, xml_path = info["files"][0]  # type: ignore[index]
            path, key = make_envelope(workdir, uai, xml_path)
            info["files"] = [(uai, path)]
            info["key"] = key
        (workdir / "info.json").write_text(json.dumps(info))
    else:
        info = json.loads((workdir / "info.json").read_text())
        if "key" in info:
            from django.conf import settings

            settings.SOCLE_PRONOTE_PRIVATE_KEY = info["key"]
        from socle.pronote.models import ImportSession, PronoteIdentity

        PronoteIdentity.objects.all().delete()  # a first import, even on a reused directory
        ImportSession.objects.all().delete()
        result = import_files([tuple(f) for f in info["files"]])
        result["people"] = info["people"]
        print(json.dumps(result))


def run_scenario(
    name: str,
    schools: int,
    per_school: int,
    envelope: bool,
    keep: str | None,
    seed: int,
    reuse: bool = False,
) -> dict[str, object]:
    base = Path(keep) / name if keep else Path(tempfile.mkdtemp(prefix=f"pronote-bench-{name}-"))
    base.mkdir(parents=True, exist_ok=True)
    reuse = reuse and (base / "info.json").exists() and (base / "bench.sqlite3").exists()
    if not reuse:
        for old in [*base.glob("bench.sqlite3*"), base / "info.json"]:
            old.unlink(missing_ok=True)
    common = [
        sys.executable,
        __file__,
        "--phase",
        "",
        "--workdir",
        str(base),
        "--schools",
        str(schools),
        "--per-school",
        str(per_school),
        "--seed",
        str(seed),
    ]
    if envelope:
        common.append("--envelope")
    generate_cmd = list(common)
    generate_cmd[3] = "generate"
    if not reuse:
        subprocess.run(generate_cmd, check=True)  # noqa: S603 (this very script, fixed arguments)
    import_cmd = list(common)
    import_cmd[3] = "import"
    output = subprocess.run(  # noqa: S603 (this very script, fixed arguments)
        import_cmd, check=True, capture_output=True, text=True
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["name"] = name
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", default="", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--envelope", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--schools", type=int, default=125, help="schools of the region")
    parser.add_argument("--per-school", type=int, default=1600)
    parser.add_argument("--seed", type=int, default=2011)
    parser.add_argument("--only", default="school,school-envelope,region")
    parser.add_argument("--keep", help="keep databases and files in this directory")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: reuse the directory and files generated earlier",
    )
    args = parser.parse_args()
    if args.phase:
        child(args)
        return
    scenarios = {
        "school": (1, args.per_school, False, 1.0),
        "school-envelope": (1, args.per_school, True, 1.0),
        "region": (args.schools, args.per_school, False, 60.0),
    }
    print(
        "| scenario | people in directory | rows imported | recognised | seconds | CPU s "
        "| target | peak RSS (MB) | load avg |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.only.split(","):
        schools, per_school, envelope, target = scenarios[name]
        r = run_scenario(name, schools, per_school, envelope, args.keep, args.seed, args.reuse)
        share = 100 * int(r["recognised"]) / max(1, int(r["rows"]))
        verdict = "✓" if float(r["seconds"]) < target else "✗"
        print(
            f"| {name} | {r['people']:,} | {r['rows']:,} | {share:.1f} % | "
            f"{float(r['seconds']):.2f} | {float(r['cpu']):.2f} | < {target:g} s {verdict} | "
            f"{float(r['peak_mb']):.0f} | {float(r['load']):.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
