"""Service patterns are matched in linear time (RE2, ``socle.core.linear_regex``), whoever wrote
them; the detector of ``socle.portal.regex_safety`` still makes the form refuse the ambiguous
repetitions it finds. No timing is asserted: with Python's ``re`` the crafted addresses below
would keep these tests running for hours (years for some)."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socle.cas.checks import check_service_patterns
from socle.cas.services import compile_pattern, explain, find_service
from socle.core.linear_regex import Unsupported, compile_linear, for_re2, python_only
from socle.portal.models import PatternKind
from socle.portal.patterns import pattern_problem
from socle.portal.regex_safety import backtracks
from tests.factories import make_service

URL = "https://appli.example.org/"
# The forms the first detector missed, then a few neighbours; each repeats a group whose turns a
# text may be cut into in many ways.
MISSED = [
    r"^https://appli\.example\.org/(a|a)*\.html",
    r"^https://appli\.example\.org/(a|ab)*\.html",
    r"^https://([a-z.]+\.)*example\.org/.*",
    r"^https://appli\.example\.org/(aa?)*\.html",
    r"^https://appli\.example\.org/(ab|[ab]c)*\.html",
]


@pytest.mark.parametrize("expression", MISSED)
def test_it_finds_the_forms_the_first_detector_missed(expression) -> None:
    assert backtracks(expression)


@pytest.mark.parametrize(
    "expression",
    [
        r"^https://([a-z0-9-]+\.)*example\.org/.*",  # each turn ends at a dot it must consume
        r"^https://appli\.example\.org(/[a-z0-9_-]+)*/?$",  # each turn starts with its "/"
        r"^https://appli\.example\.org/(\.[a-z]{2,3})*",
        r"^https://appli\.example\.org/(foo|bar)*",
        r"^https://appli\.example\.org/(?:[a-z]+/)*page\.html",
    ],
)
def test_it_does_not_report_a_repetition_cut_in_one_way_only(expression) -> None:
    assert not backtracks(expression)


@pytest.mark.parametrize("expression", MISSED)
def test_it_has_the_form_refuse_each_of_them(expression, db) -> None:
    own = "https://appli.example.org/a.html"
    problem = pattern_problem(PatternKind.REGEX, expression, [own])
    assert problem is not None and "répète une répétition" in problem.message


@pytest.mark.parametrize(
    ("expression", "crafted", "accepted"),
    list(
        zip(
            MISSED,
            [
                URL + "a" * 2000 + "!",
                URL + "a" * 2000 + "!",
                "https://" + "a." * 900 + "x/",
                URL + "a" * 2000 + "!",
                URL + "ab" * 900 + "!",
            ],
            [
                URL + "aa.html",
                URL + "aab.html",
                "https://x.y.example.org/page",
                URL + "aaa.html",
                URL + "abbc.html",
            ],
            strict=True,
        )
    ),
)
def test_it_matches_each_of_them_in_linear_time_when_saved_before(
    expression, crafted, accepted, db
) -> None:
    """Saved before the form refused it: honoured (RE2 cannot stall), and a crafted address
    that Python's re would cut in 2**1000 ways before failing is refused at once."""
    service = make_service("ancien", patterns=(expression,), kind=PatternKind.REGEX, url=URL)
    assert find_service(crafted) is None
    assert find_service(accepted) == service


def test_it_matches_an_ant_pattern_with_many_stars_in_linear_time(db) -> None:
    """``*`` compiles to ``[^/?#]*``: three of them took Python's re 38 s on 2,000 letters, four
    hours; the first detector counted only ``**``."""
    pattern = "https://appli.example.org/*a*a*a*a*ab"
    service = make_service("etoiles", patterns=(pattern,), url=URL)
    assert find_service(URL + "a" * 2000) is None
    assert find_service(URL + "xaxaxaxaxab") == service
    assert pattern_problem(PatternKind.ANT, pattern, [URL + "xaxaxaxaxab"]) is None


def test_it_compiles_every_wildcard_pattern_and_expression_for_re2(db) -> None:
    assert isinstance(compile_pattern(PatternKind.ANT, URL + "**"), type(compile_linear("a")))
    assert isinstance(
        compile_pattern(PatternKind.REGEX, "^https://a/.*"), type(compile_linear("a"))
    )
    exact = compile_pattern(PatternKind.EXACT, URL + "page")
    assert exact.fullmatch(URL + "page") and not exact.fullmatch(URL + "pages")


@pytest.mark.parametrize(
    ("python", "read"),
    [
        (r"^https://h(?#un commentaire)/.*\Z", r"^https://h/.*\z"),
        (r"^https://h/[(?#]\Z", r"^https://h/[(?#]\z"),
        (r"^https://h/[^]\Z]*(?#x)$", r"^https://h/[^]\Z]*$"),
        (r"^https://h/\(?#x)", r"^https://h/\(?#x)"),
    ],
)
def test_it_mends_comments_and_the_end_of_text_for_re2(python, read) -> None:
    assert for_re2(python) == read


@pytest.mark.parametrize(
    "expression",
    [
        r"^https://appli\.example\.org/(?=a).*",
        r"^https://appli\.example\.org/(?!admin/).*",
        r"^https://appli\.example\.org/(a)\1/.*",
        r"^https://appli\.example\.org/a{,3}/.*",  # Python: 0 to 3 a's; RE2: the text "{,3}"
        r"^https://appli\.example\.org/a{1001}.*",
        r"^https://appli\.example\.org/[[:alpha:]]+/.*",  # Python: "[:alph" then "]"
        r"^https://appli\.example\.org/[^[:^digit:]]/.*",
        r"^https://appli\.example\.org/x\\{,3}/.*",  # an escaped backslash, then {,3}
    ],
)
@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")  # Python's own
def test_it_refuses_what_re2_does_not_read_everywhere(expression, db) -> None:
    with pytest.raises(Unsupported, match="que le CAS n'évalue pas"):
        compile_linear(expression)
    problem = pattern_problem(PatternKind.REGEX, expression, [URL + "a/x"])
    assert problem is not None and "que le CAS n'évalue pas" in problem.message
    with pytest.raises(CommandError, match="que le CAS n'évalue pas"):
        call_command(
            "service_add",
            "LOOK",
            "Look",
            "--url",
            URL,
            "--pattern",
            "regex:" + expression,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


@pytest.mark.parametrize(
    ("expression", "found"),
    [
        (r"^https://h/a{,3}", "{,n}"),
        (r"^https://h/\\{,3}", "{,n}"),  # "\\" then {,3}: 0 to 3 backslashes for Python
        (r"^https://h/\{,3}", ""),  # an escaped "{": the characters, for both
        (r"^https://h/[{,3}]", ""),  # in a class: characters, for both
        (r"^https://h/(?#{,3})a", ""),  # in a comment
        (r"^https://h/(?#\){,3})a", ""),  # the comment ends at the unescaped ")"
        (r"^https://h/[[:alpha:]]", "[:alpha:]"),
        (r"^https://h/[a[:^space:]]", "[:^space:]"),
        (r"^https://h/[:alpha:]", ""),  # a class of ":alph" for both
        (r"^https://h/\[[:alpha:]]", ""),  # "[" escaped: the class is [[:alpha:] for both
        (r"^https://h/[]\[:alpha:]]", ""),  # "\[" in a class: no POSIX class
    ],
)
def test_it_finds_what_re2_reads_otherwise_token_by_token(expression, found) -> None:
    assert python_only(expression) == found


def test_it_ignores_and_reports_a_stored_posix_class(db) -> None:
    make_service(
        "regard", patterns=(r"^https://appli\.example\.org/[[:alpha:]]+/.*",), kind="regex", url=URL
    )
    assert find_service(URL + "page/") is None
    [warning] = [m for m in check_service_patterns() if m.id == "socle.W009"]
    assert "que le CAS n'évalue plus" in warning.msg and "[:alpha:]" in warning.msg


def test_it_ignores_and_reports_a_stored_expression_re2_does_not_read(db, caplog) -> None:
    """One saved before the upgrade: a warning (``socle migrate`` goes on), the CAS ignores it
    and says so once in its log (another service's broader pattern may now catch its URLs)."""
    make_service(
        "regard", patterns=(r"^https://appli\.example\.org/(?!admin/).*",), kind="regex", url=URL
    )
    with caplog.at_level(logging.ERROR, logger="socle.cas"):
        assert find_service(URL + "page") is None
    assert "CAS pattern ignored: service regard" in caplog.text
    assert "it does not compile" in caplog.text
    match, lines = explain(URL + "page")
    assert match is None and any("motif ignoré (invalide)" in line for line in lines)
    [warning] = [m for m in check_service_patterns() if m.id == "socle.W009"]
    assert "que le CAS n'évalue plus" in warning.msg and "(?!" in warning.msg
    assert not [m for m in check_service_patterns() if m.id == "socle.E006"]
