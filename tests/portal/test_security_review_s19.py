"""Attacks tried by the security review of 2026-12-04 on what the day added to the portal: the
keep-alive address, the accessibility statement's link, ``socle person_data``. One test each;
those that hold document it."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from lxml import etree

from socle.directory.models import Person
from tests.cas.conftest import SERVICE_URL, cas_login
from tests.cas.session_aging import (
    end_sessions_at_their_hard_end,
    end_sessions_for_lack_of_activity,
)
from tests.factories import make_establishment, make_person, make_service


@pytest.fixture
def logged_in() -> tuple[Client, Person]:
    person = make_person("Camille", "Martin", establishment=make_establishment("0312609T"))
    make_service("appli", patterns=("https://appli.example.org/**",))
    client = Client()
    cas_login(client, person)
    assert client.get("/session/prolonger").status_code == 204
    return client, person


def test_the_keep_alive_does_not_extend_a_session_past_its_hard_end(logged_in) -> None:
    client, _person = logged_in
    end_sessions_at_their_hard_end()
    assert client.get("/session/prolonger").status_code == 401
    again = client.get("/cas/login", {"service": SERVICE_URL})
    assert "Location" not in again and b'name="password"' in again.content


def test_the_keep_alive_does_not_revive_a_session_ended_for_lack_of_activity(logged_in) -> None:
    client, _person = logged_in
    end_sessions_for_lack_of_activity()
    assert client.get("/session/prolonger").status_code == 401
    assert client.get("/session/prolonger").status_code == 401  # the portal session ended too


def test_the_keep_alive_does_not_answer_204_to_a_deactivated_person(logged_in) -> None:
    client, person = logged_in
    Person.objects.filter(pk=person.pk).update(is_active=False)  # no signal: sessions left open
    assert client.get("/session/prolonger").status_code == 401


def test_the_keep_alive_takes_no_post_and_the_portal_cookie_is_same_site(logged_in) -> None:
    # A GET that only pushes the idle deadline back, as any portal page does; another site
    # cannot make it in the person's name (SameSite=Lax: no cookie on a cross-site fetch).
    client, _person = logged_in
    assert client.post("/session/prolonger").status_code == 405
    assert client.cookies[settings.SESSION_COOKIE_NAME]["samesite"] == "Lax"


def _footer_links(path: str = "/") -> list[str]:
    page = etree.HTML(Client().get(path).content)
    return [a.get("href") for a in page.iterfind(".//footer//a")]


@pytest.mark.parametrize(
    "address", ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,x"]
)
def test_a_statement_address_that_is_not_http_gives_no_footer_link(address: str) -> None:
    # socle.E044 stops `socle serve`; a node started otherwise must not link it either.
    with override_settings(SOCLE_ACCESSIBILITY_URL=address):
        assert _footer_links() == []
        assert _footer_links("/cas/login") == []


def test_a_statement_address_cannot_break_out_of_its_attribute() -> None:
    address = 'https://ent.example.org/a"><script>alert(1)</script>'
    with override_settings(SOCLE_ACCESSIBILITY_URL=address):
        page = etree.HTML(Client().get("/").content)
        assert page.find(".//footer//script") is None
        assert [a.get("href") for a in page.iterfind(".//footer//a")] == [address]


def test_person_data_refuses_a_key_that_is_one_person_s_login_and_another_s_uid() -> None:
    owner = make_person("Camille", "Martin")
    other = make_person("Jean", "Roux", login=owner.uid)  # a login written by hand
    err = pytest.raises(CommandError, call_command, "person_data", owner.uid)
    assert f"donnez l'uid de la personne (celle d'identifiant {owner.uid} a l'uid {other.uid})" in (
        str(err.value)
    )
    out = io.StringIO()
    call_command("person_data", other.uid, stdout=out)
    assert json.loads(out.getvalue())["person"]["login"] == owner.uid


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("ant", "https://%30312609t.index-education.net/**"),  # percent-encoded host
        ("ant", "HTTPS://0312609T.INDEX-EDUCATION.NET/**"),  # case
        ("ant", "https://0312609t.index-education.net:443/**"),  # default port
        ("ant", "https://0312609t.index-education.net**"),  # host not closed
        ("ant", "https://0312609t**"),
        ("ant", "https://031260**"),
        ("regex", r"https://\x30312609t\.index-education\.net/.*"),  # escape
        ("regex", r"https://0312609[t]\.index-education\.net/.*"),  # class
        ("regex", r"(?i)https://0312609T\.INDEX-EDUCATION\.NET/.*"),  # flag
        ("regex", r"https://a\.example/.*|https://0312609t\.index-education\.net/.*"),
        ("regex", r"https://(?:a\.example|0312609t\.index-education\.net)/.*"),
        ("regex", r"https://0312609t\.index-education\.n(?#c)et/.*"),  # comment
        ("regex", r"https://0312609t\.index-education\.net\.?/.*"),  # trailing dot
    ],
)
def test_another_school_s_hosted_pronote_address_is_refused_however_spelt(
    kind: str, value: str
) -> None:
    from socle.cas.services import pattern_matches
    from socle.portal.hosted_pronote import foreign_uai_refusal, pattern_reach

    assert pattern_matches(kind, value, "https://0312609t.index-education.net/pronote/")
    assert foreign_uai_refusal(pattern_reach(kind, value), ["0312799Z"]) is not None
