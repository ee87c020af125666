"""One synthetic collège of the PRONOTE benchmark: its directory rows and its PRONOTE file."""

from __future__ import annotations

import datetime as dt
import random

from pronote_bench.names import CLASSES, FIRST_NAMES, LAST_NAMES, pronote_id, pronote_name


class SchoolBuilder:
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
