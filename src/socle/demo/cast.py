"""The fixed cast of every synthetic school: the people the demo and the tests talk about.

Whatever the seed and the size, these people are in the school with these names, classes and
birth dates (only their PRONOTE identifiers follow the seed). docs/demo.md tells their stories.
The rest of the school is random (:mod:`socle.demo.synth`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from socle.demo.people import (
    ACADEMY,
    ADMIN_STAFF,
    DIRECTION,
    MAITRE_DE_STAGE,
    PARENT,
    PUPIL,
    TEACHER,
    VIE_SCOLAIRE,
    Role,
    SynthLink,
    SynthPerson,
)

# Known passwords of the demo accounts (README "Demo accounts").
PUPIL_PASSWORD = "demo-eleve-2026"
PARENT_PASSWORD = "demo-parent-2026"
TEACHER_PASSWORD = "demo-prof-2026"
DIRECTION_PASSWORD = "demo-direction-2026"
NEWCOMER_PASSWORD = "demo-nouveau-2026"
DUPLICATE_PARENT_PASSWORD = "demo-doublon-2026"
# PRONOTE's own credentials for ``?login=true`` (pronotesim side only).
PRONOTE_PUPIL_PASSWORD = "pronote-eleve-2026"
PRONOTE_TEACHER_PASSWORD = "pronote-prof-2026"


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _person(
    key: str,
    role: Role,
    profile: str,
    first: str,
    last: str,
    sex: str,
    born: str | None,
    cp: str,
    **extra: Any,
) -> SynthPerson:
    return SynthPerson(
        key=key,
        role=role,
        profile=profile,
        first_name=first,
        last_name=last,
        sex=sex,
        birth_date=_d(born) if born else None,
        postal_code=cp,
        **extra,
    )


def _pupil(
    key: str, first: str, last: str, sex: str, born: str, klass: str, cp: str, **extra: Any
) -> SynthPerson:
    return _person(key, Role.PUPIL, PUPIL, first, last, sex, born, cp, class_name=klass, **extra)


def _parent(
    key: str, first: str, last: str, sex: str, born: str | None, cp: str, **extra: Any
) -> SynthPerson:
    return _person(key, Role.PARENT, PARENT, first, last, sex, born, cp, **extra)


# fmt: off
def cast_people(second_uai: str | None) -> tuple[list[SynthPerson], list[SynthLink]]:
    """The cast (ENT side), and their family links."""
    two_schools = (second_uai,) if second_uai else ()
    people = [
        # The MARTIN family: the demo pupil and the demo parent of two children.
        _pupil("C-CAMILLE-MARTIN", "Camille", "MARTIN", "F", "2012-03-04", "4A", "31000",
               login="camille.martin", password=PUPIL_PASSWORD, tags=("demo-account", "sibling"),
               direct_login="camille.martin", direct_password=PRONOTE_PUPIL_PASSWORD),
        _pupil("C-HUGO-MARTIN", "Hugo", "MARTIN", "M", "2014-06-18", "6C", "31000",
               tags=("sibling",)),
        _parent("C-NATHALIE-MARTIN", "Nathalie", "MARTIN", "F", "1981-11-23", "31000",
                birth_last_name="ROUSSEAU", login="nathalie.martin", password=PARENT_PASSWORD,
                tags=("demo-account", "usage-name", "parent-of-two")),
        _parent("C-OLIVIER-MARTIN", "Olivier", "MARTIN", "M", "1979-02-08", "31000"),
        # Two pupils named Thomas MARTIN, in other families and other classes.
        _pupil("C-THOMAS-MARTIN-5B", "Thomas", "MARTIN", "M", "2013-05-12", "5B", "31200",
               tags=("homonym",)),
        _parent("C-ISABELLE-MARTIN", "Isabelle", "MARTIN", "F", "1983-09-02", "31200",
                birth_last_name="FAURE", tags=("usage-name",)),
        _parent("C-STEPHANE-MARTIN", "Stéphane", "MARTIN", "M", "1980-12-19", "31200"),
        _pupil("C-THOMAS-MARTIN-3D", "Thomas", "MARTIN", "M", "2011-09-30", "3D", "31500",
               tags=("homonym",)),
        _parent("C-LAURENT-MARTIN", "Laurent", "MARTIN", "M", "1976-04-27", "31500",
                tags=("single-parent",)),
        # Twins in two classes, and twins with near-identical first names in the same class.
        _pupil("C-JADE-DUBOIS", "Jade", "DUBOIS", "F", "2013-07-21", "5A", "31300",
               tags=("twin",)),
        _pupil("C-LOUIS-DUBOIS", "Louis", "DUBOIS", "M", "2013-07-21", "5C", "31300",
               tags=("twin",)),
        _parent("C-CELINE-DUBOIS", "Céline", "DUBOIS", "F", "1985-01-30", "31300",
                birth_last_name="PETIT", tags=("usage-name",)),
        _parent("C-JULIEN-DUBOIS", "Julien", "DUBOIS", "M", "1984-08-14", "31300"),
        _pupil("C-MAELLE-NGUYEN", "Maëlle", "NGUYEN", "F", "2014-02-11", "6A", "31400",
               tags=("twin", "near-twin")),
        _pupil("C-MAELYS-NGUYEN", "Maëlys", "NGUYEN", "F", "2014-02-11", "6A", "31400",
               tags=("twin", "near-twin")),
        _parent("C-LINH-NGUYEN", "Linh", "NGUYEN", "F", "1986-06-05", "31400"),
        _parent("C-QUANG-NGUYEN", "Quang", "NGUYEN", "M", "1982-03-22", "31400"),
        # Compound, particle, apostrophe and spaced names.
        _pupil("C-JEAN-BAPTISTE-DE-LA-FONTAINE", "Jean-Baptiste", "DE LA FONTAINE", "M",
               "2011-01-15", "3A", "31000", tags=("compound-name",)),
        _parent("C-ANNE-SOPHIE-DE-LA-FONTAINE", "Anne-Sophie", "DE LA FONTAINE", "F",
                "1978-10-10", "31000", tags=("compound-name",)),
        _parent("C-PIERRE-LOUIS-DE-LA-FONTAINE", "Pierre-Louis", "DE LA FONTAINE", "M",
                "1976-03-08", "31000", tags=("compound-name",)),
        _pupil("C-MARIE-ANGE-NDIAYE", "Marie-Ange", "N'DIAYE", "F", "2012-10-02", "4C", "31100",
               tags=("compound-name", "sibling")),
        _pupil("C-MOUSSA-NDIAYE", "Moussa", "N'DIAYE", "M", "2014-04-27", "6B", "31100",
               tags=("compound-name", "sibling")),
        _parent("C-GAELLE-NDIAYE", "Gaëlle", "N'DIAYE", "F", "1984-02-29", "31100",
                login="gaelle.n-diaye", password=DUPLICATE_PARENT_PASSWORD,
                tags=("demo-account", "compound-name", "single-parent", "pronote-duplicate")),
        _pupil("C-ELOISE-MC-CARTHY", "Éloïse", "MC CARTHY", "F", "2013-12-05", "5D", "31240",
               tags=("compound-name",)),
        _parent("C-AURELIE-MC-CARTHY", "Aurélie", "MC CARTHY", "F", "1982-07-07", "31240"),
        _parent("C-KEVIN-MC-CARTHY", "Kévin", "MC CARTHY", "M", "1981-05-16", "31240"),
        _pupil("C-NOEL-BEN-SAID", "Noël", "BEN SAÏD", "M", "2011-12-25", "3B", "31200",
               tags=("compound-name",)),
        # Their parents also have a daughter at the second school: a PRONOTE id in each.
        _parent("C-YASMINA-BEN-SAID", "Yasmina", "BEN SAÏD", "F", "1979-03-03", "31200",
                other_uais=two_schools, login="yasmina.ben-said", password=PARENT_PASSWORD,
                tags=("demo-account", "compound-name", "two-schools")),
        _parent("C-KARIM-BEN-SAID", "Karim", "BEN SAÏD", "M", "1977-11-11", "31200",
                other_uais=two_schools, tags=("compound-name", "two-schools")),
        # A typo in PRONOTE (FOURNEIR), and a grandmother PRONOTE gave internet rights to.
        _pupil("C-MATHEO-FOURNIER", "Mathéo", "FOURNIER", "M", "2013-03-17", "5C", "31770",
               tags=("pronote-typo",)),
        _parent("C-EMILIE-FOURNIER", "Émilie", "FOURNIER", "F", "1987-09-09", "31770"),
        _parent("C-JEROME-FOURNIER", "Jérôme", "FOURNIER", "M", None, "31770"),
        # The newcomer: in the ENT, not yet in PRONOTE (partial export/import story).
        _pupil("C-YANIS-HADDAD", "Yanis", "HADDAD", "M", "2013-08-09", "5A", "31130",
               login="yanis.haddad", password=NEWCOMER_PASSWORD, in_pronote=False,
               tags=("demo-account", "newcomer")),
        _parent("C-SAMIRA-HADDAD", "Samira", "HADDAD", "F", "1988-12-01", "31130",
                in_pronote=False, tags=("newcomer", "single-parent")),
        # Teachers.
        _person("C-HELENE-LE-GALL", Role.TEACHER, TEACHER, "Hélène", "LE GALL", "F",
                "1984-05-09", "31400", login="helene.le-gall", password=TEACHER_PASSWORD,
                other_uais=two_schools, direct_login="helene.le-gall",
                direct_password=PRONOTE_TEACHER_PASSWORD,
                tags=("demo-account", "two-schools", "compound-name")),
        _person("C-CHRISTIAN-BERRONE", Role.TEACHER, TEACHER, "Christian", "BERRONE", "M",
                "1968-10-14", "31500", tags=("pronote-no-birth-date",)),
        _person("C-JEAN-FRANCOIS-GARCIA", Role.TEACHER, TEACHER, "Jean-François", "GARCIA",
                "M", "1975-04-03", "31170", tags=("compound-name", "pronote-accents")),
        # Staff: direction (the establishment administrator), vie scolaire, administratif.
        _person("C-FLORENCE-DELMAS", Role.STAFF, DIRECTION, "Florence", "DELMAS", "F",
                "1970-06-12", "31000", function="direction", login="direction.jaures",
                password=DIRECTION_PASSWORD, is_admin=True, tags=("demo-account",)),
        _person("C-MARC-ESTEVE", Role.STAFF, DIRECTION, "Marc", "ESTÈVE", "M", "1972-02-02",
                "31300", function="direction"),
        _person("C-SEBASTIEN-ROQUES", Role.STAFF, VIE_SCOLAIRE, "Sébastien", "ROQUES", "M",
                "1980-05-05", "31200", function="vie scolaire"),
        _person("C-CHANTAL-DURAND", Role.STAFF, ADMIN_STAFF, "Chantal", "DURAND", "F",
                "1966-01-21", "31100", function="secrétariat"),
        # A maître de stage and an inspecteur: PRONOTE's steps 4 and 5 are not empty.
        _person("C-BRUNO-CASTAN", Role.MAITRE_DE_STAGE, MAITRE_DE_STAGE, "Bruno", "CASTAN",
                "M", "1974-07-30", "31140"),
        _person("C-DOMINIQUE-VIDAL", Role.INSPECTOR, ACADEMY, "Dominique", "VIDAL", "F",
                "1969-11-02", "31000"),
    ]
    if second_uai:  # the BEN SAÏD daughter, a pupil of the second school only
        people.append(
            _pupil("C-INES-BEN-SAID", "Inès", "BEN SAÏD", "F", "2013-10-08", "5A", "31200",
                   home_uai=second_uai, login="ines.ben-said", password=PUPIL_PASSWORD,
                   tags=("demo-account", "compound-name", "second-school")))
    families = {
        "C-NATHALIE-MARTIN": ("mere", ["C-CAMILLE-MARTIN", "C-HUGO-MARTIN"]),
        "C-OLIVIER-MARTIN": ("pere", ["C-CAMILLE-MARTIN", "C-HUGO-MARTIN"]),
        "C-ISABELLE-MARTIN": ("mere", ["C-THOMAS-MARTIN-5B"]),
        "C-STEPHANE-MARTIN": ("pere", ["C-THOMAS-MARTIN-5B"]),
        "C-LAURENT-MARTIN": ("pere", ["C-THOMAS-MARTIN-3D"]),
        "C-CELINE-DUBOIS": ("mere", ["C-JADE-DUBOIS", "C-LOUIS-DUBOIS"]),
        "C-JULIEN-DUBOIS": ("pere", ["C-JADE-DUBOIS", "C-LOUIS-DUBOIS"]),
        "C-LINH-NGUYEN": ("mere", ["C-MAELLE-NGUYEN", "C-MAELYS-NGUYEN"]),
        "C-QUANG-NGUYEN": ("pere", ["C-MAELLE-NGUYEN", "C-MAELYS-NGUYEN"]),
        "C-ANNE-SOPHIE-DE-LA-FONTAINE": ("mere", ["C-JEAN-BAPTISTE-DE-LA-FONTAINE"]),
        "C-PIERRE-LOUIS-DE-LA-FONTAINE": ("pere", ["C-JEAN-BAPTISTE-DE-LA-FONTAINE"]),
        "C-GAELLE-NDIAYE": ("mere", ["C-MARIE-ANGE-NDIAYE", "C-MOUSSA-NDIAYE"]),
        "C-AURELIE-MC-CARTHY": ("mere", ["C-ELOISE-MC-CARTHY"]),
        "C-KEVIN-MC-CARTHY": ("pere", ["C-ELOISE-MC-CARTHY"]),
        "C-YASMINA-BEN-SAID": ("mere", ["C-NOEL-BEN-SAID", "C-INES-BEN-SAID"]),
        "C-KARIM-BEN-SAID": ("pere", ["C-NOEL-BEN-SAID", "C-INES-BEN-SAID"]),
        "C-EMILIE-FOURNIER": ("mere", ["C-MATHEO-FOURNIER"]),
        "C-JEROME-FOURNIER": ("pere", ["C-MATHEO-FOURNIER"]),
        "C-SAMIRA-HADDAD": ("mere", ["C-YANIS-HADDAD"]),
    }
    present = {person.key for person in people}
    links = [
        SynthLink(parent, child, relation)
        for parent, (relation, children) in families.items()
        for child in children
        if child in present
    ]
    return people, links


@dataclass(frozen=True)
class PronoteOnly:
    """Someone PRONOTE knows whom the ENT does not (former pupils, their parents, a
    grandmother with internet rights, a maître de stage who left)."""

    key: str
    category: str
    first_name: str
    last_name: str
    birth_date: dt.date | None
    postal_code: str
    class_name: str = ""
    children: tuple[str, ...] = ()  # keys of pupils (ENT or PRONOTE-only) they are responsable of
    kind: str = "former_pupil"


CAST_PRONOTE_ONLY: tuple[PronoteOnly, ...] = (
    PronoteOnly("X-ENZO-GIRARD", "eleve", "Enzo", "GIRARD", _d("2010-04-14"), "31300", "3C"),
    PronoteOnly("X-SYLVIE-GIRARD", "responsable", "Sylvie", "GIRARD", None, "31300",
                children=("X-ENZO-GIRARD",), kind="former_pupil_parent"),
    PronoteOnly("X-JOSETTE-FOURNIER", "responsable", "Josette", "FOURNIER", None, "31770",
                children=("C-MATHEO-FOURNIER",), kind="non_guardian"),
    PronoteOnly("X-PATRICK-LAFFONT", "maitre_de_stage", "Patrick", "LAFFONT", None, "31520",
                kind="former_staff"),
)

# How PRONOTE writes some cast members (field → PRONOTE value), with the kind of difference.
CAST_PRONOTE_CHANGES: dict[str, tuple[str, dict[str, str | None]]] = {
    "C-MATHEO-FOURNIER": ("typo", {"last_name": "FOURNEIR", "first_name": "Matheo"}),
    "C-ISABELLE-MARTIN": ("birth_name", {"last_name": "FAURE"}),
    "C-CHRISTIAN-BERRONE": ("missing_birth_date", {"birth_date": None}),
    "C-JEAN-FRANCOIS-GARCIA": ("accents_dropped", {"first_name": "Jean-Francois"}),
    "C-ELOISE-MC-CARTHY": ("accents_dropped", {"first_name": "Eloise", "last_name": "MCCARTHY"}),
    "C-NOEL-BEN-SAID": ("upper_case", {"first_name": "NOËL", "last_name": "BEN SAID"}),
    "C-JEAN-BAPTISTE-DE-LA-FONTAINE": ("hyphen_dropped", {"first_name": "Jean Baptiste"}),
    "C-PIERRE-LOUIS-DE-LA-FONTAINE": ("missing_birth_date", {"birth_date": None}),
}
# Responsables PRONOTE holds twice: the second copy's changes, and the children pointing to it.
CAST_PRONOTE_DUPLICATES: dict[str, tuple[dict[str, str | None], tuple[str, ...]]] = {
    "C-GAELLE-NDIAYE": ({"first_name": "Gaelle", "last_name": "NDIAYE"}, ("C-MOUSSA-NDIAYE",)),
}
# fmt: on
