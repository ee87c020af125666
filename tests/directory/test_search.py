import datetime as dt

import pytest

from socle.directory.search import search_people
from tests.factories import make_establishment, make_person


@pytest.fixture
def college():  # type: ignore[no-untyped-def]
    college = make_establishment("0312609T")
    make_person(
        "Camille", "Martin", establishment=college, class_name="4A", birth_date=dt.date(2012, 3, 4)
    )
    make_person(
        "Camille", "Marin", establishment=college, class_name="5B", birth_date=dt.date(2011, 1, 2)
    )
    make_person("Hélène", "Dupont-Aignan", establishment=college, class_name="4A")
    make_person("Paul", "Durand", establishment=college, profile="National_ENS")
    return college


def test_it_tolerates_typos_accents_and_word_order(college: object) -> None:
    names = [p.last_name for p in search_people("camile martin", establishment=college)]
    assert names[0] == "Martin"
    assert search_people("helene dupont aignan")[0].first_name == "Hélène"
    assert search_people("Dupont Hélène")[0].first_name == "Hélène"


def test_a_birth_date_in_the_query_ranks_the_right_homonym_first(college: object) -> None:
    first = search_people("camille mar 02/01/2011", establishment="0312609T")[0]
    assert first.last_name == "Marin"
    assert first.search_score > 60


def test_it_filters_by_profile_class_and_birth_date(college: object) -> None:
    assert [p.last_name for p in search_people("", profile="National_ENS")] == ["Durand"]
    in_4a = {p.last_name for p in search_people("", establishment=college, class_name="4a")}
    assert in_4a == {"Martin", "Dupont-Aignan"}
    assert [p.last_name for p in search_people("camille", birth_date="04/03/2012")] == ["Martin"]


def test_a_class_in_the_query_helps(college: object) -> None:
    assert search_people("camille 5B")[0].last_name == "Marin"


def test_it_never_returns_inactive_people_unless_asked(college: object) -> None:
    make_person("Zoé", "Lefebvre", is_active=False)
    assert search_people("zoe lefebvre") == []
    assert search_people("zoe lefebvre", include_inactive=True)[0].first_name == "Zoé"


def test_bad_filters_match_nobody_instead_of_failing(college: object) -> None:
    assert search_people("camille", birth_date="32/13/2012") == []
    assert search_people("camille", establishment="nope") == []
    assert search_people("xxxxxxxxxxxx") == []


def test_it_prefilters_big_directories_in_the_database(
    college: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socle.directory.search as search

    monkeypatch.setattr(search, "FULL_SCAN_LIMIT", 1)
    assert search_people("martin camille")[0].last_name == "Martin"
    assert search_people("aignan")[0].first_name == "Hélène"
