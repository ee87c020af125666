"""A person who has just chosen their password on the first-connection page is logged in by the
CAS (``socle.directory.handover``), as by a password login, instead of typing it again."""

from __future__ import annotations

import datetime as dt
import html
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.test import Client, RequestFactory
from django.utils import timezone
from lxml import etree

from socle.cas.tickets import get_store
from socle.cas.views.common import TGC_COOKIE
from socle.directory import handover
from socle.directory.activation import activation_redirect, issue_code
from socle.directory.models import Establishment, Person
from socle.directory.passwords import reset_password
from socle.portal.models import Service, Trace
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.cas.wsgi import run
from tests.factories import make_person

NS = {"cas": "http://www.yale.edu/tp/cas"}
NEW_PASSWORD = "un cheval mange des pommes"
SAVED = "Votre mot de passe est enregistré. Vous êtes connecté(e)."
LOG_IN_AGAIN = "Votre mot de passe est enregistré. Connectez-vous avec votre identifiant"

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(school: Establishment) -> Person:
    return make_person("Léa", "Petit", password=None, establishment=school, class_name="4A")


def choose_password(browser: Client, person: Person, service: str | None = SERVICE_URL) -> Any:
    """Posts the first-connection page's form (a new code); returns the answer, a redirect."""
    issued = issue_code(person)
    url = activation_redirect(person.login, issued.code, service)
    assert url is not None
    form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "accept_terms": "on"}
    response = browser.post(url, form)
    assert response.status_code == 302
    return response


def activate(browser: Client, person: Person, service: str | None = SERVICE_URL) -> str:
    """Chooses the password on the first-connection page; returns where the browser is sent."""
    response = choose_password(browser, person, service)
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc, target.path) == ("", "", "/cas/login")
    assert "ticket" not in target.query and handover.COOKIE in response.cookies
    cookie = response.cookies[handover.COOKIE]
    assert cookie["httponly"] and cookie["path"] == "/cas/login"
    assert int(cookie["max-age"]) == handover.MAX_AGE
    assert cookie.value not in response["Location"]  # nothing of the marker in the URL
    return response["Location"]


def validated_user(ticket: str) -> dict[str, str]:
    answer = Client().get("/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    success = etree.fromstring(answer.content).find("cas:authenticationSuccess", NS)
    assert success is not None, answer.content
    return {
        "user": success.findtext("cas:user", namespaces=NS),
        "new": success.findtext("cas:attributes/cas:isFromNewLogin", namespaces=NS),
        "date": success.findtext("cas:attributes/cas:authenticationDate", namespaces=NS),
    }


def copy_cookies(browser: Client) -> SimpleCookie:
    copied = SimpleCookie()
    for name, morsel in browser.cookies.items():
        copied[name] = morsel.value
    return copied


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def is_login_form(response: Any) -> bool:
    return response.status_code == 200 and 'name="password"' in response.content.decode()


def test_it_logs_the_person_in_and_opens_the_service_with_a_valid_ticket(
    client: Client, newcomer: Person, service: Service
) -> None:
    location = activate(client, newcomer)
    response = client.get(location)
    assert response.status_code == 302
    assert response["Location"].startswith(SERVICE_URL + "?ticket=ST-")
    assert response.cookies[TGC_COOKIE].value.startswith("TGC-")
    assert response.cookies[handover.COOKIE]["max-age"] == 0  # the cookie is deleted
    validated = validated_user(ticket_from(response))
    assert validated["user"] == newcomer.uid
    assert validated["new"] == "true"  # a ticket from a new login, authenticated just now
    authenticated = dt.datetime.fromisoformat(validated["date"].replace("Z", "+00:00"))
    assert abs(timezone.now() - authenticated) < dt.timedelta(seconds=30)
    # The portal's session is open too, and the login is traced as a password login is.
    assert client.get("/").wsgi_request.user.pk == newcomer.pk
    trace = Trace.objects.get(event="login", person_id=newcomer.pk)
    assert trace.service_code == service.code and trace.detail == "première connexion"
    # The SSO session serves the next hop without credentials.
    again = client.get("/cas/login", {"service": SERVICE_URL})
    assert again.status_code == 302 and validated_user(ticket_from(again))["new"] == "false"


def test_without_a_service_it_lands_on_mon_espace_logged_in(
    client: Client, newcomer: Person
) -> None:
    location = activate(client, newcomer, service=None)
    assert location == "/cas/login"
    response = client.get(location)
    assert response.status_code == 302 and response["Location"] == settings.LOGIN_REDIRECT_URL
    assert TGC_COOKIE in response.cookies
    espace = client.get("/")
    assert espace.status_code == 200 and espace.wsgi_request.user.pk == newcomer.pk
    assert SAVED in text(espace)
    assert SAVED not in text(client.get("/"))  # shown once


def test_the_marker_is_single_use(client: Client, newcomer: Person, service: Service) -> None:
    location = activate(client, newcomer)
    captured = copy_cookies(client)
    assert client.get(location).status_code == 302
    replay = Client()
    replay.cookies = captured  # the same request again: old session key, activation cookie
    response = replay.get(location)
    assert is_login_form(response) and TGC_COOKIE not in response.cookies
    # The browser itself, without its SSO cookie, has no marker left either.
    client.cookies.pop(TGC_COOKIE)
    client.cookies[handover.COOKIE] = captured[handover.COOKIE].value
    assert is_login_form(client.get(location))


def test_two_racing_requests_of_the_same_session_log_in_once(
    client: Client, newcomer: Person
) -> None:
    activate(client, newcomer)
    engine = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"])
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    nonce = client.cookies[handover.COOKIE].value
    taken = []
    sessions: list[SessionBase] = [engine.SessionStore(key), engine.SessionStore(key)]
    for session in sessions:
        session.load()  # both read the session before either saves it
    for session in sessions:
        request = RequestFactory().get("/cas/login", HTTP_COOKIE=f"{handover.COOKIE}={nonce}")
        request.session = session
        taken.append(handover.take(request))
    assert taken[0] and taken[0].person == newcomer
    assert taken[1] and taken[1].person is None


def test_an_expired_marker_gives_the_login_form_with_the_login_filled_in(
    client: Client, newcomer: Person, service: Service
) -> None:
    location = activate(client, newcomer)
    session = client.session
    session[handover.SESSION_KEY]["at"] -= handover.MAX_AGE + 1
    session.save()
    response = client.get(location)
    assert is_login_form(response) and TGC_COOKIE not in response.cookies
    assert LOG_IN_AGAIN in text(response) and newcomer.login in text(response)
    assert f'value="{newcomer.login}"' in response.content.decode()
    assert response.cookies[handover.COOKIE]["max-age"] == 0


def test_it_is_not_honoured_from_another_browser(
    client: Client, newcomer: Person, service: Service
) -> None:
    location = activate(client, newcomer)
    nonce = client.cookies[handover.COOKIE].value
    other = Client()
    other.cookies[handover.COOKIE] = nonce  # the cookie without this browser's session
    response = other.get(location)
    assert is_login_form(response) and TGC_COOKIE not in response.cookies
    without_cookie = Client()  # this browser's session without the cookie: never even read
    without_cookie.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    assert is_login_form(without_cookie.get(location))
    forged = Client()
    forged.cookies = copy_cookies(client)
    forged.cookies[handover.COOKIE] = nonce[::-1]  # this session with another value
    assert is_login_form(forged.get(location))
    assert is_login_form(client.get(location))  # and the marker is gone for good


def test_renew_shows_the_login_form(client: Client, newcomer: Person, service: Service) -> None:
    location = activate(client, newcomer)
    response = client.get(location + "&renew=true")
    assert is_login_form(response) and TGC_COOKIE not in response.cookies
    assert LOG_IN_AGAIN in text(response)
    assert 'name="renew" value="true"' in response.content.decode()
    done = cas_login(client, newcomer, SERVICE_URL, password=NEW_PASSWORD, renew="true")
    assert validated_user(ticket_from(done))["user"] == newcomer.uid


@pytest.mark.parametrize("known", [False, True])
def test_an_unknown_or_disabled_service_is_still_refused(
    client: Client, newcomer: Person, service: Service, known: bool
) -> None:
    if known:
        Service.objects.filter(pk=service.pk).update(enabled=False)
        url = SERVICE_URL
    else:
        url = "https://evil.example.com/"
    response = client.get(activate(client, newcomer, service=url))
    assert response.status_code == 403 and TGC_COOKIE not in response.cookies
    assert "Service non autorisé" in text(response)


@pytest.mark.parametrize("change", ["reset", "deactivated"])
def test_an_account_changed_meanwhile_is_not_logged_in(
    client: Client, newcomer: Person, service: Service, change: str
) -> None:
    location = activate(client, newcomer)
    newcomer.refresh_from_db()
    if change == "reset":
        reset_password(newcomer)
    else:
        newcomer.is_active = False
        newcomer.save()
    response = client.get(location)
    assert is_login_form(response) and TGC_COOKIE not in response.cookies
    # The page does not claim the password just chosen is still the one to type.
    assert LOG_IN_AGAIN not in text(response)
    assert f"Connectez-vous avec votre identifiant {newcomer.login}." in text(response)


def test_it_replaces_someone_else_logged_in_at_this_browser(
    client: Client, pupil: Person, newcomer: Person, service: Service
) -> None:
    cas_login(client, pupil, SERVICE_URL)
    previous = client.cookies[TGC_COOKIE].value
    assert client.get("/").wsgi_request.user.pk == pupil.pk
    location = activate(client, newcomer)
    # The portal session of the other person ended with the activation.
    assert client.session.get("_auth_user_id") is None
    response = client.get(location)
    assert validated_user(ticket_from(response))["user"] == newcomer.uid
    assert get_store().get_session(previous) is None  # with its single logout, as at a login
    assert response.cookies[TGC_COOKIE].value != previous
    assert client.get("/").wsgi_request.user.pk == newcomer.pk


def test_someone_elses_sso_session_ends_with_the_activation_itself(
    client: Client, pupil: Person, newcomer: Person, service: Service
) -> None:
    """A browser that never reaches the CAS login (closed, or shown the form because the
    marker expired) must not open the other person's services afterwards."""
    cas_login(client, pupil, SERVICE_URL)
    previous = client.cookies[TGC_COOKIE].value
    response = choose_password(client, newcomer)
    assert get_store().get_session(previous) is None
    deleted = response.cookies[TGC_COOKIE]
    assert deleted.value == "" and deleted["max-age"] == 0 and deleted["path"] == "/cas/"
    # The marker expires before the CAS login: the form, and no hop for the other person.
    session = client.session
    session[handover.SESSION_KEY]["at"] -= handover.MAX_AGE + 1
    session.save()
    client.cookies[TGC_COOKIE] = previous  # even from a browser that kept the old cookie
    assert is_login_form(client.get(response["Location"]))
    assert is_login_form(client.get("/cas/login", {"service": SERVICE_URL}))


def test_the_session_ends_although_the_activation_page_never_sees_the_tgc(
    client: Client, pupil: Person, newcomer: Person, service: Service
) -> None:
    """A browser sends the TGC (path ``/cas/``) only to the CAS, not to ``/compte/``: the
    session to end is the one the portal session remembers."""
    cas_login(client, pupil, SERVICE_URL)
    previous = client.cookies.pop(TGC_COOKIE).value  # as a real browser posts the page
    response = choose_password(client, newcomer)
    assert get_store().get_session(previous) is None
    assert response.cookies[TGC_COOKIE]["max-age"] == 0


def test_an_unreachable_store_does_not_undo_the_activation(
    client: Client,
    pupil: Person,
    newcomer: Person,
    service: Service,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    cas_login(client, pupil, SERVICE_URL)
    previous = client.cookies[TGC_COOKIE].value

    def down(session_id: str) -> None:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr("socle.cas.signals.end_session", down)
    response = choose_password(client, newcomer)
    assert response.cookies[TGC_COOKIE]["max-age"] == 0  # the browser forgets it all the same
    assert "previous SSO session not ended" in caplog.text and previous not in caplog.text
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)
    assert get_store().get_session(previous) is not None  # lives on, in no browser


def test_through_the_wsgi_application_the_fast_hop_leaves_it_to_the_view(
    client: Client, pupil: Person, newcomer: Person, service: Service
) -> None:
    """As gunicorn serves it: the other person's SSO cookie would make the request a hop,
    which must not open the service for them."""
    from socle.wsgi import application

    cas_login(client, pupil, SERVICE_URL)
    previous = client.cookies[TGC_COOKIE].value
    location = activate(client, newcomer)
    client.cookies[TGC_COOKIE] = previous  # a browser that kept it (its session has ended)
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    assert f"{TGC_COOKIE}=TGC-" in cookie
    request = RequestFactory().get(location, HTTP_COOKIE=cookie)
    answer = run(application, request.environ)
    assert answer.status_code == 302
    ticket = parse_qs(urlsplit(answer.headers["location"]).query)["ticket"][0]
    assert validated_user(ticket)["user"] == newcomer.uid


def test_an_ordinary_login_never_reads_the_django_session_for_a_marker(
    client: Client, pupil: Person, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(request: Any) -> None:
        raise AssertionError("the session was read for a marker")

    monkeypatch.setattr(handover, "take", refuse)
    client.get("/")  # a Django session cookie, as most browsers have
    assert client.get("/cas/login", {"service": SERVICE_URL}).status_code == 200
    assert cas_login(client, pupil, SERVICE_URL).status_code == 302
    assert client.get("/cas/login", {"service": SERVICE_URL}).status_code == 302


def test_it_trusts_the_browser_where_the_account_was_activated(
    client: Client, newcomer: Person, service: Service
) -> None:
    """The device cookie is set as after a password login (socle.cas.device)."""
    from socle.cas import device

    response = client.get(activate(client, newcomer))
    assert response.status_code == 302
    entry = response.cookies[device.COOKIE]
    assert entry["httponly"] and entry.value
    request = RequestFactory().get("/cas/login", HTTP_COOKIE=f"{device.COOKIE}={entry.value}")
    newcomer.refresh_from_db()
    assert device.trusted_nonce(request, newcomer.login, newcomer.password) is not None


def test_the_saved_notice_of_the_login_page_is_announced(
    client: Client, newcomer: Person, service: Service
) -> None:
    """The notice arrives with the page: like base.html's messages, its live region is emptied
    and filled again after the load by the script that follows it (socle/_announce.html)."""
    location = activate(client, newcomer)
    newcomer.refresh_from_db()
    reset_password(newcomer)
    page = lxml.html.fromstring(client.get(location).content.decode())
    # (the password's Caps Lock note is the form's other status, empty and hidden)
    (region,) = page.xpath("//main//*[@role='status'][not(@id='id_password_capslock')]")
    assert region.text_content().startswith("Connectez-vous avec votre identifiant")
    wrapper = region.getparent()
    script = wrapper.getnext()
    assert script.tag == "script" and script.get("src", "").endswith("/socle/announce.js")
    assert script.get("defer") is None  # it runs before the first paint
