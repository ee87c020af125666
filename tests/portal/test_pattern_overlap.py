"""``socle.portal.pattern_overlap``: a safe answer to "may these two patterns share a URL?"."""

from __future__ import annotations

import pytest

from socle.portal.models import PatternKind
from socle.portal.pattern_overlap import http_example, literal_prefix, may_overlap

ANT, EXACT, REGEX = PatternKind.ANT, PatternKind.EXACT, PatternKind.REGEX
PRONOTE = (ANT, "http://127.0.0.1:8001/pronote/**")


def test_it_reads_the_literal_prefix_of_each_kind_of_pattern() -> None:
    assert literal_prefix(ANT, "HTTPS://H.example:443/a/**").text == "https://h.example/a/"
    assert literal_prefix(EXACT, "https://h.example/a/./b").text == "https://h.example/a/b"
    assert literal_prefix(REGEX, r"^https://h\.example/a/(b|c)$").text == "https://h.example/a/"
    assert literal_prefix(REGEX, r"^https://h\.examples?/").text == "https://h.example"
    assert literal_prefix(REGEX, r"^(?i)https://h/").text == ""
    assert literal_prefix(REGEX, r"^https://a/x|https://b/").text == ""
    assert literal_prefix(REGEX, r"^https://h/\d+").text == "https://h/"


@pytest.mark.parametrize(
    "pattern",
    [
        # The review's capture: professeur.html of another school's PRONOTE, by a regex.
        (
            REGEX,
            r"^http://127\.0\.0\.1:8001/pronote/(professeur\.html|parent\.html|eleve\.html\?.+)"
            r"(\?.*)?$",
        ),
        (ANT, "http://127.0.0.1:8001/**"),
        (ANT, "http://127.0.0.1:8001/pronote/professeur.html?**"),
        (EXACT, "http://127.0.0.1:8001/pronote/parent.html?login=true"),
        (REGEX, r"^HTTP://127\.0\.0\.1:8001/PRONOTE/.*"),
        (REGEX, r"^.*/pronote/.*"),
        # Found by the second review: a comment or a class hiding a top-level "|" from a
        # hand-written scanner, and percent-encoding the registry decodes.
        (REGEX, r"^https://app\.jaures\.example/a/(?#()|http://127\.0\.0\.1:8001/pronote/x.*"),
        (REGEX, r"^https://app\.jaures\.example/a/[^](]?|http://127\.0\.0\.1:8001/pronote/x.*"),
        (REGEX, r"^http://127\.0\.0\.1:8001/pronote\x2fprofesseur\.html.*"),
        (ANT, "http://127.0.0.1:8001/%70ronote/professeur.html**"),
        (ANT, "http://%31%32%37.0.0.1:8001/pronote/professeur.html**"),
    ],
)
def test_it_finds_every_pattern_that_reaches_into_another_services_space(
    pattern: tuple[str, str],
) -> None:
    assert may_overlap(pattern, PRONOTE)
    assert may_overlap(PRONOTE, pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        (ANT, "http://127.0.0.1:8002/pronote/**"),
        (ANT, "http://127.0.0.1:8001/moodle/**"),
        (EXACT, "http://127.0.0.1:8001/moodle/"),
        (REGEX, r"^https://127\.0\.0\.1:8001/pronote/.*"),
    ],
)
def test_it_lets_patterns_of_other_addresses_pass(pattern: tuple[str, str]) -> None:
    assert not may_overlap(pattern, PRONOTE)


def test_two_exact_urls_overlap_only_when_they_are_the_same() -> None:
    assert may_overlap((EXACT, "https://h/a"), (EXACT, "HTTPS://H:443/a"))
    assert not may_overlap((EXACT, "https://h/a"), (EXACT, "https://h/ab"))


@pytest.mark.parametrize(
    ("value", "example"),
    [
        (r"^https?://pronote\.lycee\.test/.*", "http://pronote.lycee.test/"),
        (r"^(https|http)://(www\.)?h\.test(:\d+)?/(a|b)\.html", "http://h.test/a.html"),
        (r"^http[s]?:\/\/h\.test/[^/]+/x$", "http://h.test/a/x"),
        (r"^https?://[^a-z]+/.*", "http://0/"),
        (r"^https?://h\.test/\w{3}\d*", "http://h.test/aaa"),
        (r"(?i)^HTTPS?://H\.TEST/.*", "http://H.TEST/"),
        (r"^https://h\.test/.*", ""),  # https only
        (r"^(?!http:)https?://h\.test/.*", ""),  # a lookaround: not guessed
        (r"^https?://(?=x)h\.test/", ""),  # the shortest form refused by the expression itself
        (r"^(https?://h\.test/.*)", ""),  # no top-level "://"
        (r"^https?://h\.test/(a{999}){999}", ""),  # too long to spell out
        (r"^https?://h\.test/(", ""),  # not an expression
    ],
)
def test_it_gives_a_plain_http_url_a_regular_expression_surely_accepts(
    value: str, example: str
) -> None:
    assert http_example(REGEX, value) == example
