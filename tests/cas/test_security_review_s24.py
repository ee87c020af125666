"""Attacks tried by the security review of 2026-12-05 (session 24): service URL tricks against
the registry, patterns that accept other sites, … One test each, named after the attack; those
that hold document it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.forms import modelform_factory
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from lxml import etree

from socle.cas.services import explain, find_service
from socle.cas.tickets import get_store
from socle.cas.tickets.base import SessionEnded
from socle.directory.models import Person
from socle.portal import regex_safety
from socle.portal.admin import ServicePatternForm
from socle.portal.models import PatternKind, Service, ServicePattern
from socle.portal.patterns import pattern_problem
from socle.portal.regex_safety import backtracks, slow_pattern
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.cas.test_saml import saml_request
from tests.factories import DEFAULT_PASSWORD, make_establishment, make_person, make_service

# Patterns whose wildcard extends the service's host name: each accepts
# https://appli.example.org.attaquant.test/, a host anyone can register.
HOST_SUFFIX_PATTERNS = (
    "https://appli.example.org**",
    "https://appli.example.org*/**",
    "https://appli.example.*/**",
)
ELSEWHERE = "https://appli.example.org.attaquant.test/"


@pytest.mark.parametrize(
    "url",
    [
        "https://appli.example.org@attaquant.test/",
        "https://appli.example.org\\@attaquant.test/",
        "https:/\\attaquant.test/",
        "https://attaquant.test\\.appli.example.org/",
        "https://appli.example.org%2F@attaquant.test/",
        "//attaquant.test/",
        "https://attaquant.test#@appli.example.org/",
        "https://attaquant.test?@appli.example.org/",
        "https://appli.example.org.attaquant.test/",
        "https://appli.example.org:1@attaquant.test/",
        "https://аppli.example.org/",  # a Cyrillic « а »
        "https://appli.example.org%00.attaquant.test/",
        "https://appli.example.org\t.attaquant.test/",
        "javascript://appli.example.org/%0aalert(1)",
        "https://appli.example.org:8443/accueil",
    ],
)
def test_it_refuses_service_url_tricks_that_a_browser_reads_as_another_site(url, service) -> None:
    assert find_service(url) is None


def test_it_accepts_the_service_in_any_letter_case_and_with_its_default_port(service) -> None:
    assert find_service("HTTPS://APPLI.EXAMPLE.ORG/accueil") == service
    assert find_service("https://appli.example.org:443/accueil") == service


@pytest.mark.parametrize("pattern", HOST_SUFFIX_PATTERNS)
def test_it_sends_no_ticket_to_another_site_through_a_pattern_that_extends_the_host(
    client, pupil, pattern, caplog
) -> None:
    # Saved before the checks refused it (an old service_add, the Django admin): the CAS
    # ignores the pattern rather than redirect a ticket to whoever registers the host.
    make_service("large", patterns=(pattern,), url="https://appli.example.org/")
    cas_login(client, pupil)
    with caplog.at_level(logging.ERROR, logger="socle.cas"):
        response = client.get("/cas/login", {"service": ELSEWHERE})
    assert response.status_code == 403
    assert "ticket" not in response.get("Location", "")
    assert "CAS pattern ignored: service large" in caplog.text
    assert "it also accepts other sites (e.g. https://" in caplog.text  # the log in English
    match, lines = explain(ELSEWHERE)
    ignored = [line for line in lines if "motif ignoré" in line]
    assert match is None and len(ignored) == 1
    assert "(il accepte aussi d'autres sites, par exemple https://" in ignored[0]


def test_a_pattern_under_the_service_s_own_domain_is_still_honoured(client, pupil) -> None:
    make_service("sous", patterns=("https://*.example.org/**",), url="https://www.example.org/")
    url = "https://www.example.org/accueil"
    assert ticket_from(cas_login(client, pupil, url)).startswith("ST-")


@pytest.mark.parametrize("pattern", HOST_SUFFIX_PATTERNS)
def test_service_add_refuses_a_pattern_that_extends_the_host(pattern, db) -> None:
    with pytest.raises(CommandError, match="d'autres sites"):
        call_command(
            "service_add",
            "LARGE",
            "Large",
            "--url",
            "https://appli.example.org/",
            "--pattern",
            pattern,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


@pytest.mark.parametrize("pattern", ["**", *HOST_SUFFIX_PATTERNS])
def test_the_django_admin_refuses_a_pattern_that_accepts_other_sites(pattern, db) -> None:
    service = make_service("appli", url="https://appli.example.org/", patterns=())
    form_class = modelform_factory(
        ServicePattern, form=ServicePatternForm, fields=["kind", "value"]
    )
    form = form_class(
        {"kind": PatternKind.ANT, "value": pattern}, instance=ServicePattern(service=service)
    )
    assert not form.is_valid()
    assert "d'autres sites" in form.errors["value"][0]


def test_the_database_check_reports_a_pattern_that_extends_the_host(db) -> None:
    from socle.portal.checks import check_service_patterns

    make_service("large", patterns=(HOST_SUFFIX_PATTERNS[0],), url="https://appli.example.org/")
    ids = [message.id for message in check_service_patterns(databases=["default"])]
    assert "socle.E040" in ids


def _routes() -> list[tuple[str, Any]]:
    """Every route of the URL map, with its view."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry.callback

    return list(walk(get_resolver().url_patterns, ""))


def test_no_route_but_the_cas_validations_and_logout_is_exempt_from_csrf() -> None:
    # Django's CSRF middleware guards every POST (the login view adds csrf_protect for its lean
    # chain); validations are machine-to-machine, the POSTed logout only answers a 303 to the
    # GET logout (docs/cas.md). Any other exemption is a form another site could submit.
    exempt = {route for route, view in _routes() if getattr(view, "csrf_exempt", False)}
    validations = {
        "cas/validate",
        "cas/serviceValidate",
        "cas/proxyValidate",
        "cas/proxy",
        "cas/p3/serviceValidate",
        "cas/p3/proxyValidate",
        "cas/samlValidate",
        "cas/^[Ss][Aa][Mm][Ll]/[Vv][Aa][Ll][Ii][Dd][Aa][Tt][Ee]$",
    }
    assert exempt == validations | {"cas/logout"}


def test_every_page_without_parameter_refuses_framing_and_sniffing(db) -> None:
    admin = Person.objects.create_superuser("admin", "admin-password-2026")
    client = Client()
    client.force_login(admin)
    checked = 0
    for route, _view in _routes():
        if "<" in route or "(" in route or route.startswith("cas/") and route != "cas/login":
            continue
        response = client.get("/" + route)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        checked += 1
        assert response["X-Frame-Options"] == "DENY", route
        assert response["X-Content-Type-Options"] == "nosniff", route
        assert response["Referrer-Policy"] == "same-origin", route
    assert checked > 10


CAS_NS = {"cas": "http://www.yale.edu/tp/cas"}


def _failure(path: str, **query: str) -> str:
    """The failure code of a CAS 2/3 answer ("" for a success)."""
    root = etree.fromstring(Client().get(path, query).content)
    failure = root.find("cas:authenticationFailure", CAS_NS)
    if failure is None:
        failure = root.find("cas:proxyFailure", CAS_NS)
    return "" if failure is None else str(failure.get("code"))


@pytest.fixture
def pgt(pupil, service) -> str:
    service.proxy_callback_allowed = True
    service.save()
    store = get_store()
    session = store.create_session(pupil.pk)
    return store.create_pgt(
        person_id=pupil.pk,
        session_id=session.id,
        service_id=service.pk,
        callback_url="https://appli.example.org/pgt",
        proxies=["https://appli.example.org/pgt"],
    ).id


@pytest.mark.parametrize("path", ["/cas/serviceValidate", "/cas/p3/proxyValidate"])
def test_a_proxy_granting_ticket_is_no_service_ticket(path, pgt) -> None:
    assert _failure(path, ticket=pgt, service=SERVICE_URL) in {
        "INVALID_TICKET",
        "INVALID_TICKET_SPEC",
    }
    # …and it still grants proxy tickets: a wrong-type validation does not spend it either way
    assert _failure("/cas/proxy", pgt=pgt, targetService=SERVICE_URL) == ""


def test_a_service_ticket_is_no_proxy_granting_ticket(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    assert _failure("/cas/proxy", pgt=ticket, targetService=SERVICE_URL) != ""


def test_a_ticket_presented_for_another_service_is_spent(client, pupil, service) -> None:
    make_service("autre", patterns=("https://autre.example.org/**",))
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    other = "https://autre.example.org/"
    assert _failure("/cas/p3/serviceValidate", ticket=ticket, service=other) == "INVALID_SERVICE"
    assert _failure("/cas/p3/serviceValidate", ticket=ticket, service=SERVICE_URL) == (
        "INVALID_TICKET"
    )


def test_a_ticket_replayed_on_another_protocol_is_refused(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    assert Client().get("/cas/validate", {"ticket": ticket, "service": SERVICE_URL}).content == (
        f"yes\n{pupil.uid}\n".encode()
    )
    assert _failure("/cas/serviceValidate", ticket=ticket, service=SERVICE_URL) == (
        "INVALID_TICKET"
    )
    body = saml_request(ticket)
    answer = Client().post(f"/cas/samlValidate?TARGET={SERVICE_URL}", body, "text/xml")
    assert b"samlp:Success" not in answer.content


@pytest.mark.parametrize(
    "callback",
    [
        "http://appli.example.org/pgt",  # plain http: the PGT would travel in clear
        "https://attaquant.test/pgt",  # no registered service
        "https://appli.example.org.attaquant.test/pgt",
    ],
)
def test_a_proxy_callback_in_http_or_elsewhere_gets_no_pgt(client, pupil, service, callback):
    service.proxy_callback_allowed = True
    service.save()
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    code = _failure("/cas/serviceValidate", ticket=ticket, service=SERVICE_URL, pgtUrl=callback)
    assert code == "INVALID_PROXY_CALLBACK"


def test_every_cookie_of_a_login_over_https_is_secure_httponly_and_same_site(
    pupil, service, settings
) -> None:
    # The production settings (SOCLE_BASE_URL in https): what settings.py derives from it.
    settings.SOCLE_HTTPS = settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client = Client(enforce_csrf_checks=True)
    form = client.get("/cas/login", {"service": SERVICE_URL}, secure=True)
    token = form.cookies["socle_csrftoken"].value
    data = {"username": pupil.login, "password": DEFAULT_PASSWORD, "service": SERVICE_URL}
    response = client.post(
        "/cas/login",
        {**data, "csrfmiddlewaretoken": token},
        secure=True,
        headers={"Origin": "https://testserver", "Referer": "https://testserver/cas/login"},
    )
    assert response.status_code == 302
    cookies = {**form.cookies, **response.cookies}
    assert {"socle_tgc", "socle_session", "socle_device", "socle_csrftoken"} <= set(cookies)
    for name, cookie in cookies.items():
        assert cookie["secure"], name
        assert cookie["samesite"] == "Lax", name
        if name != "socle_csrftoken":  # Django's CSRF cookie is not secret from the page
            assert cookie["httponly"], name


def test_a_session_planted_before_login_is_not_kept(client, pupil, service, school) -> None:
    # Session fixation: a portal session and an SSO session the attacker holds, put in the
    # victim's browser (a sibling sub-domain's cookie, a shared computer).
    attacker = make_person("Alex", "Attaquant", establishment=school)
    planted = import_module(django_settings.SESSION_ENGINE).SessionStore()
    planted["planted"] = True
    planted.create()
    their_sso = get_store().create_session(attacker.pk)
    client.cookies["socle_session"] = planted.session_key
    client.cookies["socle_tgc"] = their_sso.id
    response = cas_login(client, pupil, SERVICE_URL)
    assert response.status_code == 302
    assert response.cookies["socle_session"].value != planted.session_key
    assert response.cookies["socle_tgc"].value != their_sso.id
    assert get_store().get_session(their_sso.id) is None  # ended, with its single logout


SECRET_SESSION = "TGC-" + "S" * 40


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        # the PGT's SSO session ended between its look-up and the PT's insertion (a logout)
        (SessionEnded(SECRET_SESSION), "INVALID_TICKET"),
        # a database error's detail quotes the row: « Key (session_id)=(TGC-…) »
        (DatabaseError(f"DETAIL: Key (session_id)=({SECRET_SESSION}) is not present"), ""),
    ],
)
def test_a_failed_proxy_ticket_request_logs_no_session_id(
    pgt, monkeypatch, caplog, failure, code
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(type(get_store()), "issue_ticket", fail)
    with caplog.at_level(logging.INFO):
        answer = _failure("/cas/proxy", pgt=pgt, targetService=SERVICE_URL)
    assert answer == (code or "INTERNAL_ERROR")
    assert SECRET_SESSION not in caplog.text
    assert all(SECRET_SESSION not in str(record.exc_info) for record in caplog.records)


def test_a_school_administrator_reaches_no_object_of_another_school(db) -> None:
    # Broken access control (OWASP A01): every page of « Gestion portail » and the PRONOTE
    # wizard that names an object by its id or uid, asked by the administrator of another
    # school, by GET and by POST (with a valid CSRF token: only the rights are tested).
    from socle.directory.profiles import Profile
    from socle.pronote.models import ImportSession

    theirs = make_establishment("0310001H", name="Collège Fermat")
    mine = make_establishment("0312609T", name="Collège Jaurès")
    admin = make_person(
        "Claire", "Dupuis", establishment=mine, profile=Profile.DIRECTION, is_admin=True
    )
    pupil = make_person("Léa", "Autre", establishment=theirs)
    service = make_service("fermat", url="https://fermat.example.org/", establishment=theirs)
    pronote = ImportSession.objects.create(
        establishment=theirs, mode="complet", file_format="xml", source_name="f.xml"
    )
    own = make_service("jaures", url="https://jaures.example.org/", establishment=mine)
    client = Client()
    client.force_login(admin)
    assert client.get(f"/gestion/services/{own.pk}/").status_code == 200  # the control
    paths = [
        f"/gestion/services/{service.pk}/",
        f"/gestion/services/{service.pk}/acces-population/",
        f"/gestion/services/{service.pk}/acces-utilisateur/",
        f"/gestion/services/{service.pk}/supprimer/",
        f"/gestion/pronote/import/{pronote.pk}/",
        f"/gestion/pronote/import/{pronote.pk}/etape/1/",
        f"/gestion/pronote/import/{pronote.pk}/rapport/",
        f"/gestion/pronote/import/{pronote.pk}/rapport.csv",
        "/gestion/pronote/recherche/?uai=0310001H&q=Autre",
        f"/compte/reinitialiser/{pupil.uid}/",
        f"/compte/reinitialiser/{pupil.uid}/code/",
    ]
    for path in paths:
        assert client.get(path).status_code in {403, 404}, path
        response = client.post(path, {"confirm": "on", "csrfmiddlewaretoken": "x"})
        assert response.status_code in {403, 404, 405}, path
    pupil.refresh_from_db()
    assert pupil.check_password(DEFAULT_PASSWORD)
    assert Service.objects.filter(pk=service.pk).exists()


def _billion_laughs(root: str) -> str:
    """A document in UTF-16, whose « <!DOCTYPE » no byte search for ASCII finds."""
    entities = "".join(
        f'<!ENTITY a{i} "' + (f"&a{i - 1};" if i > 1 else "laugh") * 10 + '">' for i in range(1, 10)
    )
    return f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [{entities}]>{root}'


def test_a_billion_laughs_in_utf16_gets_a_saml_requester_answer(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    request = saml_request(ticket).decode().replace(ticket, "&a9;")
    body = _billion_laughs(request.split("?>", 1)[-1]).encode("utf-16")
    answer = Client().post(f"/cas/samlValidate?TARGET={SERVICE_URL}", body, "text/xml")
    root = etree.fromstring(answer.content)
    codes = [e.get("Value") for e in root.iter("{urn:oasis:names:tc:SAML:1.0:protocol}StatusCode")]
    assert codes[0] == "samlp:Requester"
    assert b"laugh" not in answer.content


def test_a_pronote_file_in_utf16_with_a_doctype_is_refused_unexpanded() -> None:
    from socle.pronote.files.records import PronoteFileError
    from socle.pronote.files.safexml import parse_xml

    with pytest.raises(PronoteFileError):
        parse_xml(_billion_laughs("<r>&a9;</r>").encode("utf-16"))


# Python's re backtracks, holding the GIL: against this expression an address of 40 letters
# without « .html » takes minutes, and the whole worker process answers nobody meanwhile.
BACKTRACKING = r"^https://appli\.example\.org/(\w+-?)*\.html"


def test_it_matches_a_regular_expression_that_backtracks_for_ever_in_linear_time(
    client, pupil, caplog
) -> None:
    """RE2 matches the CAS's patterns (socle.core.linear_regex): such an expression, saved
    before the form refused it, is honoured, and a crafted address is refused at once."""
    service = make_service(
        "lent", patterns=(BACKTRACKING,), kind=PatternKind.REGEX, url="https://appli.example.org/"
    )
    cas_login(client, pupil)
    with caplog.at_level(logging.ERROR, logger="socle.cas"):
        # Were the pattern matched by Python's re, this request would not end (years).
        response = client.get("/cas/login", {"service": "https://appli.example.org/" + "a" * 2000})
    assert response.status_code == 403
    assert "CAS pattern ignored" not in caplog.text
    assert find_service("https://appli.example.org/page-1.html") == service
    match, _lines = explain("https://appli.example.org/page-1.html")
    assert match is not None and match.service == service


@pytest.mark.parametrize(
    ("expression", "backtracking"),
    [
        (BACKTRACKING, True),
        (r"^https://appli\.example\.org/(a+)+$", True),
        (r"^https://appli\.example\.org/(?:\d*)+/", True),
        (r"^https://appli\.example\.org/(a|b+)*", True),
        (r"^https://appli\.example\.org/(a{2,5})+", True),
        (r"^https://([a-z0-9-]+\.)*example\.org/.*", False),  # each turn ends at its dot
        (r"^https://(www\.)?appli\.example\.org/.*", False),
        (r"^https?://appli\.example\.org/(ab)+/.*", False),
    ],
)
def test_it_finds_the_regular_expressions_that_repeat_a_repetition(
    expression, backtracking
) -> None:
    assert backtracks(expression) is backtracking


def test_service_add_and_the_django_admin_refuse_a_backtracking_expression(db) -> None:
    with pytest.raises(CommandError, match="répète une répétition"):
        call_command(
            "service_add",
            "LENT",
            "Lent",
            "--url",
            "https://appli.example.org/",
            "--pattern",
            "regex:" + BACKTRACKING,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    service = make_service("appli", url="https://appli.example.org/", patterns=())
    form_class = modelform_factory(
        ServicePattern, form=ServicePatternForm, fields=["kind", "value"]
    )
    form = form_class(
        {"kind": PatternKind.REGEX, "value": BACKTRACKING},
        instance=ServicePattern(service=service),
    )
    assert not form.is_valid()
    assert "répète une répétition" in form.errors["value"][0]


def test_the_service_form_refuses_a_backtracking_expression(db) -> None:
    problem = pattern_problem(PatternKind.REGEX, BACKTRACKING, ["https://appli.example.org/"])
    assert problem is not None and "répète une répétition" in problem.message


@pytest.mark.parametrize(
    ("kind", "value", "slow"),
    [
        # three « ** »: the tries grow as the address's length cubed (1.5 s at 2,000
        # characters), four: to the fourth power (a quarter of an hour)
        (PatternKind.ANT, "https://appli.example.org/**/**/**.html", True),
        (PatternKind.ANT, "https://appli.example.org/**/page/**", False),
        (PatternKind.REGEX, r"^https://appli\.example\.org/.*/.*/.*\.html", True),
        (PatternKind.REGEX, r"^https://appli\.example\.org/.*/.*", False),
        (PatternKind.REGEX, BACKTRACKING, True),
    ],
)
def test_it_finds_the_patterns_with_more_than_two_wildcards(kind, value, slow) -> None:
    assert slow_pattern(kind, value) is slow
    problem = pattern_problem(kind, value, ["https://appli.example.org/a/page/c.html"])
    assert (problem is not None) is slow  # the service form refuses exactly those


def test_it_parses_a_regular_expression_once_for_both_readings(monkeypatch) -> None:
    parses: list[str] = []
    parse = regex_safety.sre_parse.parse

    def counted(value: str, *args: Any) -> Any:
        parses.append(value)
        return parse(value, *args)

    monkeypatch.setattr(regex_safety.sre_parse, "parse", counted)
    value = r"^https://parse-once\.example\.org/.*/.*/.*\.html"  # not read before: no cache
    assert slow_pattern(PatternKind.REGEX, value)
    assert not backtracks(value)
    assert slow_pattern(PatternKind.REGEX, value + "(") is False  # does not compile
    assert parses == [value, value + "("]


def test_a_pattern_with_three_wildcards_is_honoured_by_the_cas(client, pupil) -> None:
    """Refused by the form, but matched in linear time when saved before (RE2)."""
    make_service(
        "lent",
        patterns=("https://appli.example.org/**/**/**.html",),
        url="https://appli.example.org/",
    )
    cas_login(client, pupil)
    response = client.get("/cas/login", {"service": "https://appli.example.org/a/b/c.html"})
    assert response.status_code == 302
    response = client.get("/cas/login", {"service": "https://appli.example.org/" + "a/" * 1000})
    assert response.status_code == 403
