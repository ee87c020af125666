"""A pattern that differs from a service's address only by case (socle.portal.path_case)."""

from __future__ import annotations

from socle.portal.path_case import other_case
from socle.portal.patterns import matches

ROOT = "https://0312609t.index-education.net/Pronote/"


def test_it_matches_a_regular_expression_ignoring_case_with_the_linear_engine() -> None:
    # Python's backtracking ``re`` takes 2^40 steps on this address: RE2 answers at once.
    catastrophic = [("regex", r"^https://h\.test/(\w+-?)*\.HTML$")]
    assert other_case(["https://h.test/" + "a" * 40 + "!"], catastrophic) is None
    found = other_case(["https://h.test/abc.html"], catastrophic)
    assert found is not None and found.url == "https://h.test/abc.html"


def test_it_finds_the_other_case_of_a_regular_expression() -> None:
    regex = [("regex", r"^https://0312609t\.index-education\.net/pronote/.*$")]
    found = other_case([ROOT + "eleve.html"], regex)
    assert found is not None and (found.written, found.asked) == ("pronote", "Pronote")
    assert matches("regex", r"^https://.*/Pronote/.*$", ROOT + "eleve.html")  # no mismatch to find
    assert other_case([ROOT + "eleve.html"], [("regex", "(?=x)")]) is None  # RE2 refuses it
