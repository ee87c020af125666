"""The PRONOTE side of the synthetic school: valid pronotesim base JSON, differing as real
bases do."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

from socle.demo.people import PRONOTE_ALPHABET, SynthSchool
from socle.demo.pronote_base import (
    CATEGORIES,
    PronoteBase,
    build_pronote_base,
    dumps,
    newcomers_json,
)
from socle.demo.synth import generate_school


@pytest.fixture(scope="module")
def school() -> SynthSchool:
    return generate_school()


@pytest.fixture(scope="module")
def base(school: SynthSchool) -> PronoteBase:
    return build_pronote_base(school)


def assert_valid_base(data: dict) -> None:
    assert data["format"] == "pronotesim-base/1"
    assert {"uai", "name", "postal_code", "city", "users"} <= set(data)
    ids = [u["pronote_id"] for u in data["users"]]
    assert len(ids) == len(set(ids)), "duplicate PRONOTE ids"
    categories = {u["pronote_id"]: u["category"] for u in data["users"]}
    logins = [u["direct_login"] for u in data["users"] if "direct_login" in u]
    assert len(logins) == len(set(logins))
    for user in data["users"]:
        assert user["category"] in CATEGORIES
        assert len(user["pronote_id"]) == 16 and set(user["pronote_id"]) <= set(PRONOTE_ALPHABET)
        assert user["last_name"].strip() and user["first_name"].strip()
        if user["birth_date"] is not None:
            dt.date.fromisoformat(user["birth_date"])
        if user["category"] == "eleve":
            assert isinstance(user["class"], str)
            assert all(categories.get(r) == "responsable" for r in user["responsables"])
        else:
            assert "responsables" not in user
        if "direct_login" in user:
            assert user["direct_password"]


def test_the_base_json_is_valid_pronotesim_base(base: PronoteBase) -> None:
    data = json.loads(dumps(base.as_json()))
    assert_valid_base(data)
    assert (data["uai"], data["name"], data["postal_code"], data["city"]) == (
        "0312609T",
        "Collège Jean Jaurès",
        "31000",
        "Toulouse",
    )
    assert set(Counter(u["category"] for u in data["users"])) == set(CATEGORIES)


def test_the_same_seed_gives_the_same_file() -> None:
    first = dumps(build_pronote_base(generate_school(seed=5, pupils=80)).as_json())
    second = dumps(build_pronote_base(generate_school(seed=5, pupils=80)).as_json())
    other = dumps(build_pronote_base(generate_school(seed=6, pupils=80)).as_json())
    assert first == second != other


def test_it_differs_from_the_ent_in_every_documented_way(base: PronoteBase) -> None:
    kinds = Counter(d.kind for d in base.differences)
    for kind in (
        "typo",
        "accents_dropped",
        "upper_case",
        "missing_birth_date",
        "birth_name",
        "former_pupil",
        "former_pupil_parent",
        "non_guardian",
        "duplicate_responsable",
        "not_in_pronote",
    ):
        assert kinds[kind] >= 1, kind


def test_the_cast_differences_are_as_documented(base: PronoteBase) -> None:
    def one(key: str) -> dict:
        (user,) = base.by_ent_key(key)
        return user.as_json()

    assert (one("C-MATHEO-FOURNIER")["last_name"], one("C-MATHEO-FOURNIER")["first_name"]) == (
        "FOURNEIR",
        "Matheo",
    )
    assert one("C-ISABELLE-MARTIN")["last_name"] == "FAURE"
    assert one("C-CHRISTIAN-BERRONE")["birth_date"] is None
    assert one("C-JEAN-FRANCOIS-GARCIA")["first_name"] == "Jean-Francois"
    assert one("C-NOEL-BEN-SAID")["first_name"] == "NOËL"
    assert one("C-CAMILLE-MARTIN") == {
        "category": "eleve",
        "pronote_id": one("C-CAMILLE-MARTIN")["pronote_id"],
        "last_name": "MARTIN",
        "first_name": "Camille",
        "birth_date": "2012-03-04",
        "postal_code": "31000",
        "class": "4A",
        "responsables": one("C-CAMILLE-MARTIN")["responsables"],
        "direct_login": "camille.martin",
        "direct_password": "pronote-eleve-2026",
    }
    assert len(one("C-CAMILLE-MARTIN")["responsables"]) == 2


def test_the_newcomer_is_in_the_ent_but_not_in_pronote(
    school: SynthSchool, base: PronoteBase
) -> None:
    assert base.by_ent_key("C-YANIS-HADDAD") == []
    assert school.person("C-YANIS-HADDAD").in_pronote is False
    data = newcomers_json(school)
    assert_valid_base(data)
    (pupil,) = [u for u in data["users"] if u["category"] == "eleve"]
    assert (pupil["first_name"], pupil["class"]) == ("Yanis", "5A")
    assert pupil["pronote_id"] == school.person("C-YANIS-HADDAD").pronote_id
    assert len(pupil["responsables"]) == 1


def test_a_responsable_is_in_pronote_twice_and_each_child_points_to_one_copy(
    school: SynthSchool, base: PronoteBase
) -> None:
    copies = base.by_ent_key("C-GAELLE-NDIAYE")
    assert len(copies) == 2 and copies[0].pronote_id != copies[1].pronote_id
    (marie_ange,) = base.by_ent_key("C-MARIE-ANGE-NDIAYE")
    (moussa,) = base.by_ent_key("C-MOUSSA-NDIAYE")
    assert len(set(marie_ange.responsables) | set(moussa.responsables)) == 2
    assert marie_ange.responsables != moussa.responsables


def test_former_pupils_and_their_parents_are_in_pronote_only(base: PronoteBase) -> None:
    former = [u for u in base.users if u.ent_key is None and u.category == "eleve"]
    assert len(former) >= 3
    assert any(u.first_name == "Enzo" and u.last_name == "GIRARD" for u in former)
    assert all(u.responsables for u in former)


def test_teachers_and_parents_miss_some_birth_dates(base: PronoteBase) -> None:
    for category in ("enseignant", "responsable"):
        users = [u for u in base.users if u.category == category]
        missing = sum(u.birth_date is None for u in users)
        assert 0 < missing < len(users)


def test_two_pronote_users_have_direct_credentials(base: PronoteBase) -> None:
    direct = {u.direct_login for u in base.users if u.direct_login}
    assert direct == {"camille.martin", "helene.le-gall"}
