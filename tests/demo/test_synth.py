"""The synthetic school generator: reproducible, and holding every hard case the story needs."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict

import pytest

from socle.demo.people import PRONOTE_ALPHABET, Role, SynthSchool
from socle.demo.synth import SynthError, class_letters, generate_school

SMALL = {"pupils": 120, "teachers": 12, "staff": 8}


def snapshot(school: SynthSchool) -> tuple[object, ...]:
    return (
        [dataclasses.astuple(p) for p in school.people],
        [dataclasses.astuple(link) for link in school.links],
        school.establishment,
        school.second_establishment,
    )


@pytest.fixture(scope="module")
def school() -> SynthSchool:
    return generate_school()


def test_it_generates_the_same_school_for_the_same_seed() -> None:
    assert snapshot(generate_school(seed=11, **SMALL)) == snapshot(
        generate_school(seed=11, **SMALL)
    )


def test_it_generates_another_school_for_another_seed() -> None:
    first, second = generate_school(seed=11, **SMALL), generate_school(seed=12, **SMALL)
    assert snapshot(first) != snapshot(second)
    assert {p.pronote_id for p in first.people}.isdisjoint({p.pronote_id for p in second.people})


def test_it_has_the_requested_numbers_of_people(school: SynthSchool) -> None:
    roles = Counter(p.role for p in school.people if not p.home_uai)
    assert (roles[Role.PUPIL], roles[Role.TEACHER], roles[Role.STAFF]) == (600, 40, 15)
    # and the second school's pupil, whose parents are the first school's too
    (ines,) = [p for p in school.people if p.home_uai]
    assert (ines.key, ines.home_uai, ines.class_name) == ("C-INES-BEN-SAID", "0312799Z", "5A")
    assert set(school.parents_of(ines.key)) == set(school.parents_of("C-NOEL-BEN-SAID"))
    assert 1.0 < roles[Role.PARENT] / roles[Role.PUPIL] < 1.6


def test_it_refuses_a_school_smaller_than_its_cast() -> None:
    with pytest.raises(SynthError, match="Au moins"):
        generate_school(pupils=3)


def test_pupils_are_in_classes_6a_to_3d(school: SynthSchool) -> None:
    classes = {p.class_name for p in school.with_role(Role.PUPIL)}
    assert classes == {f"{level}{letter}" for level in "6543" for letter in "ABCD"}


def test_big_schools_get_more_classes() -> None:
    assert class_letters(600) == ["A", "B", "C", "D"]
    letters = class_letters(200_000)
    assert len(letters) == len(set(letters)) > 26 and "A2" in letters


def test_it_holds_two_thomas_martin_pupils_in_different_classes(school: SynthSchool) -> None:
    thomas = [
        p
        for p in school.with_role(Role.PUPIL)
        if (p.first_name, p.last_name) == ("Thomas", "MARTIN")
    ]
    assert len(thomas) >= 2
    assert len({p.class_name for p in thomas}) == len(thomas)
    assert len({tuple(school.parents_of(p.key)) for p in thomas}) == len(thomas)


def test_it_holds_twins_and_twins_with_near_identical_first_names(school: SynthSchool) -> None:
    by_family: dict[tuple[tuple[str, ...], object], list[str]] = defaultdict(list)
    for pupil in school.with_role(Role.PUPIL):
        parents = tuple(sorted(school.parents_of(pupil.key)))
        by_family[(parents, pupil.birth_date)].append(pupil.first_name)
    twins = [names for names in by_family.values() if len(names) >= 2]
    assert twins and all(len(set(names)) == len(names) for names in twins)
    assert ["Maëlle", "Maëlys"] in [sorted(names) for names in twins]


def test_siblings_share_their_parents(school: SynthSchool) -> None:
    children_of = defaultdict(set)
    for link in school.links:
        children_of[link.parent_key].add(link.child_key)
    families = [kids for kids in children_of.values() if len(kids) >= 2]
    assert len(families) > 50
    nathalie = school.person("C-NATHALIE-MARTIN")
    assert {school.person(k).first_name for k in children_of[nathalie.key]} == {"Camille", "Hugo"}
    assert set(school.parents_of("C-CAMILLE-MARTIN")) == set(school.parents_of("C-HUGO-MARTIN"))


def test_most_pupils_have_two_parents_and_some_one(school: SynthSchool) -> None:
    counts = Counter(len(school.parents_of(p.key)) for p in school.with_role(Role.PUPIL))
    assert counts[2] > counts[1] > 0
    assert counts[0] == 0


def test_it_holds_accented_compound_and_particle_names(school: SynthSchool) -> None:
    firsts = {p.first_name for p in school.people}
    lasts = {p.last_name for p in school.people}
    assert {"Éloïse", "Gaëlle", "Hélène", "Noël", "Jean-Baptiste", "Marie-Ange"} <= firsts
    assert {"LE GALL", "DE LA FONTAINE", "N'DIAYE", "MC CARTHY", "BEN SAÏD"} <= lasts
    assert any(re.search(r"[A-Z]-[A-Z]", name) for name in lasts)  # double-barrelled


def test_some_mothers_have_a_usage_name_and_a_birth_name(school: SynthSchool) -> None:
    mothers = [p for p in school.with_role(Role.PARENT) if p.birth_last_name]
    assert len(mothers) > 10
    assert all(p.sex == "F" and p.birth_last_name != p.last_name for p in mothers)


def test_a_teacher_works_in_two_schools(school: SynthSchool) -> None:
    assert school.second_establishment is not None
    teacher = school.person("C-HELENE-LE-GALL")
    assert teacher.role == Role.TEACHER
    assert teacher.other_uais == (school.second_establishment.uai,)
    assert school.second_establishment.uai != school.establishment.uai


def test_staff_cover_direction_vie_scolaire_and_administration(school: SynthSchool) -> None:
    profiles = Counter(p.profile for p in school.with_role(Role.STAFF))
    assert set(profiles) == {"National_DIR", "National_EVS", "National_ETA"}
    admins = [p for p in school.people if p.is_admin]
    assert [p.login for p in admins] == ["direction.jaures"]


def test_pronote_ids_are_sixteen_characters_of_pronote_alphabet(school: SynthSchool) -> None:
    ids = [p.pronote_id for p in school.people]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 16 and set(i) <= set(PRONOTE_ALPHABET) for i in ids)


def test_the_demo_accounts_have_known_passwords_and_nobody_else(school: SynthSchool) -> None:
    with_password = {p.login for p in school.people if p.password}
    assert with_password == {
        "camille.martin",
        "nathalie.martin",
        "helene.le-gall",
        "direction.jaures",
        "yanis.haddad",
        "gaelle.n-diaye",
        "yasmina.ben-said",
        "ines.ben-said",
    }
    camille = school.person("C-CAMILLE-MARTIN")
    assert (camille.class_name, camille.birth_date.isoformat()) == ("4A", "2012-03-04")


def test_a_uai_equal_to_the_default_second_one_gets_another_second_school() -> None:
    school = generate_school(uai="0312799Z", **SMALL)
    assert school.second_establishment is not None
    assert school.second_establishment.uai != "0312799Z"


def test_it_can_do_without_a_second_school() -> None:
    school = generate_school(second_uai=None, **SMALL)
    assert school.second_establishment is None
    assert school.person("C-HELENE-LE-GALL").other_uais == ()
