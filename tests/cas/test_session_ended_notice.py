"""A browser whose single sign-on session has ended (idle timeout, hard limit, a new password
chosen elsewhere) and that follows a link to a service gets the login form with a word about
why, once: its cookie is deleted with it."""

from __future__ import annotations

from django.test import Client
from lxml import html

from socle.cas.tickets import get_store
from tests.cas.conftest import SERVICE_URL, cas_login

NOTICE = "Votre session a pris fin"


def notices(answer) -> list[str]:
    page = html.fromstring(answer.content)
    return [p.text_content() for p in page.xpath("//div[@role='status']/p")]


def ended_browser(pupil) -> Client:
    client = Client()
    assert cas_login(client, pupil, SERVICE_URL).status_code == 302
    get_store().end_session(client.cookies["socle_tgc"].value)  # the idle timeout, say
    return client


def test_it_says_the_session_has_ended_on_the_form_of_a_service_link(pupil, service):
    answer = ended_browser(pupil).get("/cas/login", {"service": SERVICE_URL})
    assert answer.status_code == 200
    (notice,) = notices(answer)
    assert notice.startswith(NOTICE)
    assert answer.cookies["socle_tgc"].value == ""  # deleted: said once
    assert answer.cookies["socle_tgc"]["path"] == "/cas/"


def test_it_says_it_on_the_plain_login_page_too(pupil, service):
    answer = ended_browser(pupil).get("/cas/login")
    assert [n[: len(NOTICE)] for n in notices(answer)] == [NOTICE]


def test_it_says_nothing_to_a_browser_without_a_session(service):
    answer = Client().get("/cas/login", {"service": SERVICE_URL})
    assert notices(answer) == []
    assert "socle_tgc" not in answer.cookies


def test_it_keeps_the_notice_out_of_the_page_reused_for_other_visitors(pupil, service):
    assert notices(ended_browser(pupil).get("/cas/login", {"service": SERVICE_URL}))
    for _ in range(2):  # rendered, then reused
        assert notices(Client().get("/cas/login", {"service": SERVICE_URL})) == []


def test_it_says_it_in_english_to_an_english_browser(pupil, service):
    client = ended_browser(pupil)
    answer = client.get("/cas/login", {"service": SERVICE_URL}, HTTP_ACCEPT_LANGUAGE="en")
    (notice,) = notices(answer)
    assert notice.startswith("Your session has ended")


def test_it_opens_the_service_without_a_word_while_the_session_lives(pupil, service):
    client = Client()
    cas_login(client, pupil, SERVICE_URL)
    answer = client.get("/cas/login", {"service": SERVICE_URL})
    assert answer.status_code == 302


def test_it_says_it_through_the_servers_fast_hop_too(pupil, service):
    """``socle.wsgi.application`` (what gunicorn serves) tries the hop before Django's handler;
    a session it cannot find falls back to the view."""
    from django.test import RequestFactory

    from socle.wsgi import application
    from tests.cas.wsgi import run

    tgc = ended_browser(pupil).cookies["socle_tgc"].value
    request = RequestFactory().get(
        "/cas/login", {"service": SERVICE_URL}, HTTP_COOKIE=f"socle_tgc={tgc}"
    )
    answer = run(application, request.environ)
    assert answer.status_code == 200
    assert NOTICE in answer.body.decode()
