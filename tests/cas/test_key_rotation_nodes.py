"""Rotating ``SOCLE_SECRET_KEY`` on several nodes in two rounds (docs/deployment.md, "Rotating
secrets"): while nodes of two states serve the same people behind one load balancer, what one
node signed opens on the other, both ways; after the last round and the former key's removal,
what still depended on it behaves as the table of that section says.

Each "node" is the same code under its own keys (``settings`` switched between requests), as
two ``socle serve`` processes sharing the database would be: every key-dependent step happens
inside the request. tests/scale/test_key_rotation_nodes.py restarts two real nodes through the
rounds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import Client, RequestFactory

from socle.cas import device, retry
from socle.directory.activation import activation_redirect, find_valid_code, issue_code
from tests.cas.conftest import SERVICE_URL, cas_login
from tests.factories import make_person

OLD = "old-key-" + "a1B2c3D4" * 7
NEW = "new-key-" + "z9Y8x7W6" * 7

# The states a node goes through: before, after round 1, after round 2, former key removed.
BEFORE = (OLD, ())
ROUND_1 = (OLD, (NEW,))  # the new key as fallback only: still signs with the former key
ROUND_2 = (NEW, (OLD,))
AFTER = (NEW, ())
# The states that serve side by side while the nodes are restarted one by one.
SIDE_BY_SIDE = [
    pytest.param(BEFORE, ROUND_1, id="round1"),
    pytest.param(ROUND_1, ROUND_2, id="round2"),
    pytest.param(ROUND_2, AFTER, id="removal"),
]
PASSWORD = "un cheval mange des pommes"


@contextmanager
def node(state: tuple[str, tuple[str, ...]]) -> Iterator[None]:
    """Requests made inside are served by a node with these keys."""
    saved = django_settings.SECRET_KEY, django_settings.SECRET_KEY_FALLBACKS
    django_settings.SECRET_KEY, django_settings.SECRET_KEY_FALLBACKS = state[0], list(state[1])
    try:
        yield
    finally:
        django_settings.SECRET_KEY, django_settings.SECRET_KEY_FALLBACKS = saved


def portal_shows(browser: Client, person) -> bool:
    page = browser.get("/")
    return page.status_code == 200 and person.last_name.upper() in page.content.decode().upper()


def hops(browser: Client) -> bool:
    answer = browser.get("/cas/login", {"service": SERVICE_URL})
    return answer.status_code == 302 and "ticket=ST-" in answer["Location"]


@pytest.mark.parametrize(("first", "second"), SIDE_BY_SIDE)
@pytest.mark.parametrize("logged_in_on", ["first", "second"])
def test_it_keeps_the_portal_session_and_the_sso_across_nodes_of_a_round(
    pupil, service, first, second, logged_in_on
):
    nodes = (first, second) if logged_in_on == "first" else (second, first)
    browser = Client()
    with node(nodes[0]):
        assert cas_login(browser, pupil, SERVICE_URL).status_code == 302
    for state in (nodes[1], nodes[0], nodes[1], nodes[1], nodes[0]):
        with node(state):
            assert portal_shows(browser, pupil)
            assert hops(browser)


@pytest.mark.parametrize(("first", "second"), SIDE_BY_SIDE)
def test_a_first_connection_started_on_one_node_ends_on_the_other(school, service, first, second):
    newcomer = make_person("Léa", "Petit", password=None, establishment=school)
    with node(first):
        letter = issue_code(newcomer)
    browser = Client()
    with node(second):  # the person types the letter's code: the link is signed here
        assert find_valid_code(newcomer.login, letter.code) is not None
        link = activation_redirect(newcomer.login, letter.code, SERVICE_URL)
    assert link is not None
    with node(first):  # the link opens, the password is chosen, the hand-over's marker is set
        form = {"new_password1": PASSWORD, "new_password2": PASSWORD, "accept_terms": "on"}
        chosen = browser.post(link, form)
    assert chosen.status_code == 302 and urlsplit(chosen["Location"]).path == "/cas/login"
    with node(second):  # the CAS logs the person in without asking the password again
        handed_over = browser.get(chosen["Location"])
    assert handed_over.status_code == 302 and "ticket=ST-" in handed_over["Location"]


@pytest.mark.parametrize(("first", "second"), SIDE_BY_SIDE)
def test_a_login_form_shown_by_one_node_is_accepted_by_the_other(pupil, service, first, second):
    browser = Client(enforce_csrf_checks=True)
    with node(first):
        page = browser.get("/cas/login", {"service": SERVICE_URL})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    with node(second):
        answer = cas_login(browser, pupil, SERVICE_URL, csrfmiddlewaretoken=token.group(1))
    assert answer.status_code == 302 and "ticket=ST-" in answer["Location"]


@pytest.mark.parametrize(("first", "second"), SIDE_BY_SIDE)
def test_the_device_cookie_and_the_queue_token_of_one_node_open_on_the_other(pupil, first, second):
    for made_on, read_on in ((first, second), (second, first)):
        response = HttpResponse()
        request = RequestFactory().get("/cas/login")
        with node(made_on):
            device.remember(request, response, pupil.login, pupil.password)
            token = retry.seal(request, pupil.login, "le mot de passe tapé")
        request.COOKIES[device.COOKIE] = response.cookies[device.COOKIE].value
        with node(read_on):
            assert device.trusted_nonce(request, pupil.login, pupil.password)
            assert retry.unseal(request, token).password == "le mot de passe tapé"


@pytest.mark.parametrize(("first", "second"), SIDE_BY_SIDE)
def test_a_message_left_by_one_node_is_shown_by_the_other(first, second):
    """Django's one-time messages wait in a signed cookie (``messages``) across a redirect."""
    for made_on, read_on in ((first, second), (second, first)):
        response = HttpResponse()
        with node(made_on):
            storage = CookieStorage(RequestFactory().get("/"))
            storage.add(messages.SUCCESS, "Mot de passe enregistré.")
            storage.update(response)
        request = RequestFactory().get("/")
        request.COOKIES[CookieStorage.cookie_name] = response.cookies["messages"].value
        with node(read_on):
            assert [str(m) for m in CookieStorage(request)] == ["Mot de passe enregistré."]


def test_requests_sent_at_once_across_the_second_round_keep_the_portal_session(pupil, service):
    """A node of the other key renews the session's key (Django's ``get_user`` rewrites a
    digest it verified with a fallback); the page's other requests, sent at once, still carry
    the former key: they must find the session, not empty it and delete the cookie."""
    browser = Client()
    with node(ROUND_1):
        assert cas_login(browser, pupil, SERVICE_URL).status_code == 302
    former = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    with node(ROUND_2):
        assert portal_shows(browser, pupil)  # renewed here
    assert browser.cookies[django_settings.SESSION_COOKIE_NAME].value != former
    for state in (ROUND_2, ROUND_1):
        alongside = Client()
        alongside.cookies[django_settings.SESSION_COOKIE_NAME] = former
        with node(state):
            answer = alongside.get("/")
        assert pupil.last_name.upper() in answer.content.decode().upper()
        cookie = answer.cookies.get(django_settings.SESSION_COOKIE_NAME)
        assert cookie is None or cookie.value  # never deleted


def test_after_the_former_key_is_removed_what_it_alone_signed_behaves_as_documented(
    school, pupil, service
):
    touched, untouched = Client(), Client()
    for browser in (touched, untouched):
        with node(ROUND_1):
            assert cas_login(browser, pupil, SERVICE_URL).status_code == 302
    with node(ROUND_2):
        assert portal_shows(touched, pupil)  # a page on a new-key node re-signs the session
    newcomer = make_person("Léa", "Petit", password=None, establishment=school)
    with node(ROUND_1):
        letter = issue_code(newcomer)  # printed during the rotation, keyed with the former key
    with node(AFTER):
        assert portal_shows(touched, pupil)
        assert not portal_shows(untouched, pupil)  # « Mon espace » asks to log in again…
        assert hops(untouched)  # …but the single sign-on opens without a password
        assert find_valid_code(newcomer.login, letter.code) is None  # print it again
