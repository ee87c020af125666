"""Seedable generator of one synthetic collège (pure: no database; Django only translates errors).

``generate_school(seed=…, pupils=600, teachers=40, staff=15)`` returns a :class:`SynthSchool`:
the fixed cast of :mod:`socle.demo.cast` plus a random population drawn from ``random.Random(seed)``
— families of one to four children (siblings share their parents, some twins), two parents
mostly, some single-parent families, mothers known by their usage name with a birth name, common
surnames weighted so that homonyms happen, teachers and staff (direction, vie scolaire,
administratif). Same arguments, same school, on any machine.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from socle.demo import names
from socle.demo.cast import cast_people
from socle.demo.people import (
    ADMIN_STAFF,
    DIRECTION,
    PARENT,
    PUPIL,
    TEACHER,
    VIE_SCOLAIRE,
    Role,
    SynthEstablishment,
    SynthLink,
    SynthPerson,
    SynthSchool,
    pronote_id,
)

DEFAULT_SEED = 2026
DEFAULT_UAI = "0312609T"
DEFAULT_NAME = "Collège Jean Jaurès"
DEFAULT_POSTAL_CODE = "31000"
DEFAULT_CITY = "Toulouse"
DEFAULT_SECOND_UAI = "0312799Z"
ALTERNATE_SECOND_UAI = "0312610U"
DEFAULT_SECOND_NAME = "Collège Pierre de Fermat"

# School year 2025–2026: a pupil of 6e was born in 2014 (a few repeat a year).
LEVELS: tuple[tuple[str, int], ...] = (("6", 2014), ("5", 2013), ("4", 2012), ("3", 2011))
PUPILS_PER_CLASS = 40
# (function, profile, has a PRONOTE account); the cast holds the direction.
STAFF_FUNCTIONS: tuple[tuple[str, str, bool], ...] = (
    ("vie scolaire", VIE_SCOLAIRE, True),
    ("vie scolaire", VIE_SCOLAIRE, True),
    ("secrétariat", ADMIN_STAFF, True),
    ("vie scolaire", VIE_SCOLAIRE, True),
    ("gestion", ADMIN_STAFF, True),
    ("agent", ADMIN_STAFF, False),
    ("vie scolaire", VIE_SCOLAIRE, True),
    ("infirmerie", ADMIN_STAFF, False),
    ("agent", ADMIN_STAFF, False),
    ("direction", DIRECTION, True),
    ("agent", ADMIN_STAFF, False),
)


class SynthError(ValueError):
    """Impossible generator arguments (message in French)."""


def class_letters(pupils: int) -> list[str]:
    """Class suffixes: A–D for a school of up to 640 pupils, more (…, Z, A2, B2…) beyond."""
    count = max(4, math.ceil(pupils / (len(LEVELS) * PUPILS_PER_CLASS)))
    letters = []
    for index in range(count):
        round_, position = divmod(index, 26)
        letters.append(chr(ord("A") + position) + (str(round_ + 1) if round_ else ""))
    return letters


class _Draw:
    """The random choices, all from one ``random.Random`` so that a seed fixes everything."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        weights = [1.0 / (rank + 8) for rank in range(len(names.SURNAMES))]
        self._surname_cum = list(itertools.accumulate(weights))

    def surname(self, avoid: str = "") -> str:
        while True:
            name = self.rng.choices(names.SURNAMES, cum_weights=self._surname_cum)[0]
            if name != avoid:
                return name

    def first_name(self, pool: Sequence[str], avoid: Sequence[str] = ()) -> str:
        while True:
            name = self.rng.choice(pool)
            if name not in avoid:
                return name

    def date_in(self, year: int) -> dt.date:
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability


def generate_school(
    *,
    seed: int = DEFAULT_SEED,
    pupils: int = 600,
    teachers: int = 40,
    staff: int = 15,
    uai: str = DEFAULT_UAI,
    name: str = DEFAULT_NAME,
    postal_code: str = DEFAULT_POSTAL_CODE,
    city: str = DEFAULT_CITY,
    second_uai: str | None = DEFAULT_SECOND_UAI,
    second_name: str = DEFAULT_SECOND_NAME,
) -> SynthSchool:
    """One synthetic collège. ``second_uai=None``: no second establishment (the two-school
    teacher then teaches in one)."""
    if second_uai == uai:
        second_uai = ALTERNATE_SECOND_UAI if uai != ALTERNATE_SECOND_UAI else DEFAULT_SECOND_UAI
    cast, links = cast_people(second_uai)
    own = [p for p in cast if not p.home_uai]  # the second school's pupil is not counted
    minimum = {
        "élèves": (pupils, sum(p.role == Role.PUPIL for p in own)),
        "enseignants": (teachers, sum(p.role == Role.TEACHER for p in own)),
        "personnels": (staff, sum(p.role == Role.STAFF for p in own)),
    }
    for label, (wanted, least) in minimum.items():
        if wanted < least:
            raise SynthError(_too_few(label) % {"count": least})
    school = SynthSchool(
        seed=seed,
        establishment=SynthEstablishment(uai, name, postal_code, city),
        second_establishment=(
            SynthEstablishment(second_uai, second_name, postal_code, city) if second_uai else None
        ),
        people=list(cast),
        links=list(links),
    )
    draw = _Draw(seed)
    _add_families(school, draw, pupils - minimum["élèves"][1], class_letters(pupils))
    _add_teachers(school, draw, teachers - minimum["enseignants"][1])
    _add_staff(school, draw, staff - minimum["personnels"][1])
    for person in school.people:  # the id of the base of the person's (first) school
        person.pronote_id = pronote_id(seed, person.home_uai or uai, person.key)
    return school


def _too_few(label: str) -> str:
    return {
        "élèves": _("Au moins %(count)s élèves : la distribution fixe en compte autant."),
        "enseignants": _("Au moins %(count)s enseignants : la distribution fixe en compte autant."),
        "personnels": _("Au moins %(count)s personnels : la distribution fixe en compte autant."),
    }[label]


def _add_families(school: SynthSchool, draw: _Draw, count: int, letters: list[str]) -> None:
    pupil_no = parent_no = 0
    while count > 0:
        size = min(count, draw.rng.choices((1, 2, 3, 4), weights=(55, 33, 10, 2))[0])
        count -= size
        twins = size >= 2 and draw.chance(0.03)
        shape = draw.rng.random()  # < .82 two parents, < .96 mother alone, else father alone
        family_name = draw.surname()
        mother_name = draw.surname(avoid=family_name)
        children_name = family_name
        if shape < 0.82 and draw.chance(0.04):
            children_name = f"{family_name}-{mother_name}"
        cp = draw.rng.choice(names.POSTAL_CODES)
        levels = _levels(draw, size, twins)
        children: list[SynthPerson] = []
        twin_date: dt.date | None = None
        for index, (level, year) in enumerate(levels):
            pupil_no += 1
            sex = draw.rng.choice("FM")
            pool = names.GIRLS if sex == "F" else names.BOYS
            taken = [c.first_name for c in children]
            if twins and index < 2:
                twin_date = twin_date or draw.date_in(year)
                born = twin_date
            else:
                born = draw.date_in(year - 1 if draw.chance(0.04) else year)
            children.append(
                SynthPerson(
                    key=f"E{pupil_no:06d}",
                    role=Role.PUPIL,
                    profile=PUPIL,
                    first_name=draw.first_name(pool, taken),
                    last_name=children_name,
                    sex=sex,
                    birth_date=born,
                    postal_code=cp,
                    class_name=level + draw.rng.choice(letters),
                    tags=("twin",) if twins and index < 2 else ("sibling",) if size > 1 else (),
                )
            )
        eldest = min(c.birth_date for c in children if c.birth_date)
        parents: list[tuple[SynthPerson, str]] = []
        if shape < 0.96:
            parent_no += 1
            usage = shape < 0.82 and draw.chance(0.55)
            parents.append(
                (
                    SynthPerson(
                        key=f"R{parent_no:06d}",
                        role=Role.PARENT,
                        profile=PARENT,
                        first_name=draw.first_name(names.WOMEN),
                        last_name=family_name if usage or shape >= 0.82 else mother_name,
                        birth_last_name=mother_name if usage else "",
                        sex="F",
                        birth_date=_parent_birth(draw, eldest),
                        postal_code=cp,
                        tags=("usage-name",) if usage else (),
                    ),
                    "mere",
                )
            )
        if shape < 0.82 or shape >= 0.96:
            parent_no += 1
            parents.append(
                (
                    SynthPerson(
                        key=f"R{parent_no:06d}",
                        role=Role.PARENT,
                        profile=PARENT,
                        first_name=draw.first_name(names.MEN),
                        last_name=family_name,
                        sex="M",
                        birth_date=_parent_birth(draw, eldest),
                        postal_code=cp,
                    ),
                    "pere",
                )
            )
        if len(parents) == 1:
            parents[0][0].tags += ("single-parent",)
        school.people.extend(children)
        for parent, relation in parents:
            school.people.append(parent)
            school.links.extend(SynthLink(parent.key, c.key, relation) for c in children)


def _levels(draw: _Draw, size: int, twins: bool) -> list[tuple[str, int]]:
    if twins:
        first = draw.rng.choice(LEVELS)
        others = [draw.rng.choice(LEVELS) for _ in range(size - 2)]
        return [first, first, *others]
    if size <= len(LEVELS):
        return draw.rng.sample(LEVELS, size)
    return [draw.rng.choice(LEVELS) for _ in range(size)]


def _parent_birth(draw: _Draw, eldest_child: dt.date) -> dt.date | None:
    """ENT directories often lack a parent's birth date (30 % here)."""
    if draw.chance(0.30):
        return None
    return draw.date_in(eldest_child.year - draw.rng.randint(24, 44))


def _adult(
    draw: _Draw, key: str, role: Role, profile: str, born: tuple[int, int], **fields: Any
) -> SynthPerson:
    """A teacher or a staff member born between the years ``born``; ``fields``: the rest."""
    sex = draw.rng.choice("FM")
    return SynthPerson(
        key=key,
        role=role,
        profile=profile,
        first_name=draw.first_name(names.WOMEN if sex == "F" else names.MEN),
        last_name=draw.surname(),
        sex=sex,
        birth_date=draw.date_in(draw.rng.randint(*born)),
        postal_code=draw.rng.choice(names.POSTAL_CODES),
        **fields,
    )


def _add_teachers(school: SynthSchool, draw: _Draw, count: int) -> None:
    for number in range(1, count + 1):
        school.people.append(_adult(draw, f"P{number:05d}", Role.TEACHER, TEACHER, (1962, 1998)))


def _add_staff(school: SynthSchool, draw: _Draw, count: int) -> None:
    for number in range(1, count + 1):
        function, profile, in_pronote = STAFF_FUNCTIONS[(number - 1) % len(STAFF_FUNCTIONS)]
        school.people.append(
            _adult(
                draw,
                f"S{number:05d}",
                Role.STAFF,
                profile,
                (1960, 1999),
                function=function,
                in_pronote=in_pronote,
            )
        )
