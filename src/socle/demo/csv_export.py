"""A synthetic school as a ``socle directory_import`` CSV file (pure: builds text).

One row per person and establishment (the two-school teacher has two rows with the same
``external_id``); parents list their children's external ids in ``children`` (``|``-separated)
and their ``relation``; demo accounts carry their login and password, other rows leave both empty
(the import generates the login; no password).
"""

from __future__ import annotations

import csv
import io

from socle.demo.people import PUPIL, SynthSchool, level_of_class

COLUMNS = (
    "uai",
    "profile",
    "last_name",
    "first_name",
    "birth_date",
    "postal_code",
    "class",
    "login",
    "password",
    "external_id",
    "children",
    "birth_last_name",
    "relation",
    "level",
)


def school_csv(school: SynthSchool) -> str:
    children: dict[str, list[str]] = {}
    relation: dict[str, str] = {}
    for link in school.links:
        children.setdefault(link.parent_key, []).append(school.external_id_prefix + link.child_key)
        relation[link.parent_key] = link.relation
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    for person in school.people:
        for uai in person.uais(school.establishment.uai):
            writer.writerow(
                (
                    uai,
                    person.profile,
                    person.last_name,
                    person.first_name,
                    person.birth_date.isoformat() if person.birth_date else "",
                    person.postal_code,
                    person.class_name,
                    person.login,
                    person.password,
                    school.external_id(person),
                    "|".join(children.get(person.key, ())),
                    person.birth_last_name,
                    relation.get(person.key, ""),
                    level_of_class(person.class_name) if person.profile == PUPIL else "",
                )
            )
    return out.getvalue()
