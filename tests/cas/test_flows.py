"""Login-side behaviour: gateway, renew, method=POST, logout and single logout, throttling."""

from __future__ import annotations

import datetime as dt
import html
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from socle.cas.models import SsoSession
from socle.cas.views.common import TGC_COOKIE
from socle.directory.activation import issue_code
from socle.directory.models import ActivationCode
from socle.directory.signals import password_changed
from socle.portal.models import Trace
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.factories import DEFAULT_PASSWORD, make_person

NS = {"cas": "http://www.yale.edu/tp/cas"}


def test_it_sends_gateway_requests_back_without_a_ticket(client: Client, service) -> None:
    response = client.get("/cas/login", {"service": SERVICE_URL, "gateway": "true"})
    assert response.status_code == 302 and response["Location"] == SERVICE_URL


def test_it_gives_a_ticket_to_a_gateway_request_with_a_session(client, pupil, service) -> None:
    cas_login(client, pupil)
    response = client.get("/cas/login", {"service": SERVICE_URL, "gateway": "true"})
    assert "ticket=ST-" in response["Location"]


def test_it_asks_for_credentials_again_on_renew(client, pupil, service) -> None:
    cas_login(client, pupil)
    response = client.get("/cas/login", {"service": SERVICE_URL, "renew": "true"})
    assert response.status_code == 200 and b'name="password"' in response.content


def test_it_posts_the_ticket_when_method_is_post(client, pupil, service) -> None:
    cas_login(client, pupil)
    response = client.get("/cas/login", {"service": SERVICE_URL, "method": "POST"})
    form = etree.HTML(response.content).find(".//form")
    assert form.get("method") == "post" and form.get("action") == SERVICE_URL
    assert form.find(".//input[@name='ticket']").get("value").startswith("ST-")


def test_a_ticket_already_in_the_service_url_is_replaced_not_repeated(
    client, pupil, service
) -> None:
    """A client that kept the previous connection's ticket in the service it asks for: the
    redirect carries one ``ticket``, the new one (a second one read first by most clients
    would be the spent one); the service's other parameters are kept as they were."""
    cas_login(client, pupil)
    for asked in (
        f"{SERVICE_URL}?page=notes&ticket=ST-spent",
        f"{SERVICE_URL}?tick%65t=ST-spent&page=notes",
    ):
        location = client.get("/cas/login", {"service": asked})["Location"]
        assert location.startswith(f"{SERVICE_URL}?page=notes&ticket=ST-")
        assert parse_qs(urlsplit(location).query)["ticket"] != ["ST-spent"]
        assert len(parse_qs(urlsplit(location).query)["ticket"]) == 1
    form = etree.HTML(
        client.get(
            "/cas/login", {"service": f"{SERVICE_URL}?ticket=ST-spent", "method": "POST"}
        ).content
    ).find(".//form")
    assert form.get("action") == SERVICE_URL


def test_the_page_that_posts_the_ticket_says_its_language(client, pupil, service) -> None:
    cas_login(client, pupil)
    query = {"service": SERVICE_URL, "method": "POST"}
    for language, button, heading in (
        ("fr", "Continuer", "Redirection vers le service"),
        ("en", "Continue", "Redirecting to the service"),
    ):
        page = etree.HTML(client.get("/cas/login", query, HTTP_ACCEPT_LANGUAGE=language).content)
        assert page.get("lang") == language
        assert page.find(".//main/h1").text == heading
        assert page.find(".//noscript/button").text == button
        assert "JavaScript" in page.find(".//noscript/p").text  # why the button is there


def test_it_refuses_a_wrong_password_without_saying_whether_the_login_exists(client, pupil):
    wrong = cas_login(client, pupil, password="not the password").content.decode()
    unknown = client.post("/cas/login", {"username": "nobody", "password": "x"}).content.decode()
    assert "Identifiant ou mot de passe incorrect." in wrong
    assert "Identifiant ou mot de passe incorrect." in unknown
    assert TGC_COOKIE not in client.cookies or not client.cookies[TGC_COOKIE].value


def test_it_refuses_an_inactive_account_saying_so_to_whoever_knows_its_password(
    client, pupil
) -> None:
    pupil.is_active = False
    pupil.save()
    right = cas_login(client, pupil).content.decode()
    assert "Votre compte est désactivé." in right and "incorrect" not in right
    wrong = cas_login(client, pupil, password="wrong").content.decode()
    assert "Identifiant ou mot de passe incorrect." in wrong and "désactivé" not in wrong
    assert TGC_COOKIE not in client.cookies or not client.cookies[TGC_COOKIE].value
    trace = Trace.objects.filter(event="login_failed").order_by("pk").first()
    assert trace is not None and trace.detail == "compte désactivé"


def test_the_disabled_account_message_is_no_oracle_past_the_throttle(client, pupil) -> None:
    """« Votre compte est désactivé » tells whoever typed the right password: each such attempt
    counts as a failure, and once the account is throttled the right password is told nothing
    more than a wrong one; the code of a letter printed before says nothing either."""
    code = issue_code(pupil)
    pupil.is_active = False
    pupil.save()
    for _ in range(2):
        assert "Votre compte est désactivé." in cas_login(client, pupil).content.decode()
    guessed = cas_login(client, pupil, password=code.display)
    assert guessed.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in guessed.content.decode()
    for _ in range(2):
        cas_login(client, pupil, password="wrong")
    late = cas_login(client, pupil).content.decode()  # the right password, the sixth attempt
    assert "Trop de tentatives" in late and "désactivé" not in late


def test_it_accepts_a_login_typed_with_capitals(client, pupil) -> None:
    """« Camille.Martin » for ``camille.martin`` (a phone's first capital, Caps Lock): logged in,
    as the person, not refused as an unknown login."""
    typed = pupil.login.title()
    assert typed != pupil.login
    form = {"username": typed, "password": DEFAULT_PASSWORD, "next": "/"}
    assert client.post("/cas/login", form)["Location"] == "/"
    assert client.session["_auth_user_id"] == str(pupil.pk)
    wrong = Client().post("/cas/login", {"username": typed.upper(), "password": "wrong"})
    assert "Identifiant ou mot de passe incorrect." in wrong.content.decode()
    trace = Trace.objects.filter(event="login_failed").get()
    assert trace.person_id == pupil.pk  # the account's failure, in its school's « Traces »


def test_it_says_an_expired_activation_code_has_expired_to_whoever_typed_it(client) -> None:
    """A letter's code typed after its expiry: « expiré », ask for a new one — said only to the
    code's holder (another code or password is « incorrect »), a failure all the same."""
    newcomer = make_person("Léa", "Petit", password=None)
    letter = issue_code(newcomer)
    ActivationCode.objects.filter(person=newcomer).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    expired = cas_login(client, newcomer, password=letter.display)
    assert expired.status_code == 200
    text = html.unescape(expired.content.decode())
    assert "Ce code d'activation a expiré. Demandez-en un nouveau" in text
    assert "incorrect" not in text
    wrong = cas_login(client, newcomer, password="ABCDE-FGHJK").content.decode()
    assert "Identifiant ou mot de passe incorrect." in wrong and "expiré" not in wrong
    assert TGC_COOKIE not in client.cookies or not client.cookies[TGC_COOKIE].value
    details = list(
        Trace.objects.filter(event="login_failed").order_by("pk").values_list("detail", flat=True)
    )
    assert details == ["code d'activation expiré", "mot de passe incorrect"]
    form = {"username": newcomer.login, "password": letter.code}
    english = client.post("/cas/login", form, HTTP_ACCEPT_LANGUAGE="en")
    assert "This activation code has expired." in html.unescape(english.content.decode())


def test_it_throttles_repeated_failures_on_one_account(client, pupil, service) -> None:
    for _ in range(5):
        cas_login(client, pupil, password="wrong")
    response = cas_login(client, pupil, SERVICE_URL)  # the right password, but too late
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()


def test_a_success_clears_the_accounts_failures(client, pupil, service) -> None:
    for _ in range(4):
        cas_login(client, pupil, password="wrong")
    assert cas_login(Client(), pupil, SERVICE_URL).status_code == 302
    for _ in range(4):  # counting starts again from zero
        cas_login(client, pupil, password="wrong")
    assert cas_login(Client(), pupil, SERVICE_URL).status_code == 302


def test_it_throttles_one_address_trying_many_accounts(client, settings, service) -> None:
    settings.SOCLE_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for index in range(3):
        client.post("/cas/login", {"username": f"user{index}", "password": "wrong"})
    victim = make_person("Zoé", "Petit")
    assert "Trop de tentatives" in cas_login(client, victim).content.decode()


def test_it_logs_out_and_notifies_the_services(client, pupil, service, monkeypatch) -> None:
    sent: list[str] = []
    monkeypatch.setattr(
        "socle.cas.sso.send_single_logout", lambda tickets: sent.extend(t.id for t in tickets)
    )
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    response = client.get("/cas/logout")
    assert response.status_code == 200 and "déconnecté" in response.content.decode()
    assert sent == [ticket]
    assert SsoSession.objects.count() == 0
    # The next login asks for credentials again.
    assert client.get("/cas/login", {"service": SERVICE_URL}).status_code == 200


def test_it_does_not_log_out_on_a_head_request(client, pupil, service, monkeypatch) -> None:
    sent: list[str] = []
    monkeypatch.setattr(
        "socle.cas.sso.send_single_logout", lambda tickets: sent.extend(t.id for t in tickets)
    )
    cas_login(client, pupil, SERVICE_URL)
    tgc = client.cookies[TGC_COOKIE].value
    response = client.head("/cas/logout")
    assert response.status_code == 200 and response.content == b""
    assert TGC_COOKIE not in response.cookies  # the ticket-granting cookie is not cleared
    assert "socle_session" not in response.cookies and sent == []
    assert not Trace.objects.filter(event="logout").exists()
    assert client.get("/").wsgi_request.user.is_authenticated  # the portal session lives
    hop = client.get("/cas/login", {"service": SERVICE_URL})  # and the SSO session
    assert hop.status_code == 302 and "ticket=ST-" in hop["Location"]
    assert client.cookies[TGC_COOKIE].value == tgc


def test_a_head_request_gets_the_redirect_a_get_would(client, pupil, service) -> None:
    cas_login(client, pupil)
    response = client.head("/cas/logout", {"service": SERVICE_URL})
    assert response.status_code == 302 and response["Location"] == SERVICE_URL
    hop = client.get("/cas/login", {"service": SERVICE_URL})  # the SSO session lives (any store)
    assert hop.status_code == 302 and "ticket=ST-" in hop["Location"]


def test_it_skips_single_logout_for_services_that_opt_out(client, pupil, service, monkeypatch):
    service.single_logout = False
    service.save()
    sent: list[str] = []
    monkeypatch.setattr(
        "socle.cas.sso.send_single_logout", lambda tickets: sent.extend(t.id for t in tickets)
    )
    cas_login(client, pupil, SERVICE_URL)
    client.get("/cas/logout")
    assert sent == []


def test_it_posts_a_saml_logout_request_naming_the_ticket(pupil, service, monkeypatch) -> None:
    from socle.cas import outbound
    from socle.cas.tickets.base import IssuedTicket

    captured = {}

    class FakeResponse:
        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

    def fake_open(request, timeout):
        captured["url"], captured["body"] = request.full_url, request.data
        return FakeResponse()

    monkeypatch.setattr(outbound._opener, "open", fake_open)
    ticket = IssuedTicket(
        id="ST-abc",
        person_id=1,
        service_url=SERVICE_URL,
        service_id=1,
        session_id=None,
        created_at=None,
        from_new_login=True,
    )
    outbound.send_single_logout([ticket], wait=True)
    from urllib.parse import parse_qs

    body = parse_qs(captured["body"].decode())["logoutRequest"][0]
    root = etree.fromstring(body.encode())
    assert captured["url"] == SERVICE_URL
    assert root.findtext("{urn:oasis:names:tc:SAML:2.0:protocol}SessionIndex") == "ST-abc"


def test_it_redirects_after_logout_only_to_a_registered_service(client, pupil, service) -> None:
    cas_login(client, pupil)
    assert client.get("/cas/logout", {"service": SERVICE_URL})["Location"] == SERVICE_URL
    cas_login(client, pupil)
    response = client.get("/cas/logout", {"service": "https://evil.example.com/"})
    assert response.status_code == 200


def test_it_ends_other_sessions_when_the_password_changes(pupil, service) -> None:
    first, second = Client(), Client()
    cas_login(first, pupil)
    cas_login(second, pupil)
    keep = second.cookies[TGC_COOKIE].value
    password_changed.send(sender=type(pupil), person=pupil, keep_session_key=keep)
    assert first.get("/cas/login", {"service": SERVICE_URL}).status_code == 200
    assert second.get("/cas/login", {"service": SERVICE_URL}).status_code == 302


def test_it_refuses_a_ticket_to_someone_the_portal_rules_exclude(client, service, school):
    service.establishment = school
    service.save()
    outsider = make_person("Jean", "Dehors")  # no membership in the school
    response = cas_login(client, outsider, SERVICE_URL)
    assert response.status_code == 403
    page = html.unescape(response.content.decode())
    assert "Accès refusé" in page  # the title
    # The launcher's words (portal/denied.html): one situation, one wording.
    assert "Vous n'avez pas accès à ce service" in page
    assert "n'est pas ouvert à votre profil dans votre établissement" in page
    assert Trace.objects.filter(event="access_denied").exists()


def test_it_records_traces_without_full_tickets(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    events = set(Trace.objects.values_list("event", flat=True))
    assert {"login", "ticket_issued", "ticket_validated"} <= events
    assert not Trace.objects.filter(detail__contains=ticket).exists()


@pytest.mark.parametrize("field", ["username", "password"])
def test_it_refuses_absurdly_long_credentials_with_a_message(client, service, field) -> None:
    data = {"username": "a", "password": "b", field: "x" * 5000}
    response = client.post("/cas/login", data)
    assert response.status_code == 200 and "trop long" in response.content.decode()


def test_it_shows_the_queue_page_when_the_node_is_saturated(client, pupil, service, monkeypatch):
    from socle.core.admission import QueueFull

    def full(*args, **kwargs):
        raise QueueFull(7)

    monkeypatch.setattr("socle.cas.authentication.password_hash_slot", full)
    response = cas_login(client, pupil, SERVICE_URL)
    assert response.status_code == 503 and response["Retry-After"] == "7"
    assert "File d'attente" in response.content.decode()
    page = etree.HTML(response.content)
    assert page.find(".//form[@id='queue-retry']").get("action") == "/cas/login"
    # No meta refresh (WCAG 2.2.1): without JavaScript the person presses the button.
    assert page.find(".//meta[@http-equiv='refresh']") is None
    assert "appuyez sur « Réessayer maintenant »" in page.findtext(".//p[@id='queue-manual']")


def test_it_ends_the_portal_session_when_the_sso_session_ends_elsewhere(client, pupil) -> None:
    cas_login(client, pupil)
    assert client.get("/").wsgi_request.user.is_authenticated
    SsoSession.objects.all().delete()  # e.g. logged out on another node
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_it_keeps_the_sso_session_the_password_was_changed_from(pupil, service) -> None:
    browser, other = Client(), Client()
    cas_login(browser, pupil)
    cas_login(other, pupil)
    django_key = browser.session.session_key
    password_changed.send(sender=type(pupil), person=pupil, keep_session_key=django_key)
    assert browser.get("/cas/login", {"service": SERVICE_URL}).status_code == 302
    assert other.get("/cas/login", {"service": SERVICE_URL}).status_code == 200


def test_changing_the_password_keeps_this_browser_signed_in_and_ends_the_others(
    pupil, service
) -> None:
    here, elsewhere = Client(), Client()
    cas_login(here, pupil)
    cas_login(elsewhere, pupil)
    new = "un tout nouveau mot de passe 42"
    response = here.post(
        "/compte/mot-de-passe",
        {
            "old_password": "correct horse battery staple",
            "new_password1": new,
            "new_password2": new,
        },
    )
    assert response.status_code == 200
    # This browser: still in the portal, and SSO to a service needs no password.
    assert here.get("/").wsgi_request.user.is_authenticated
    assert here.get("/cas/login", {"service": SERVICE_URL}).status_code == 302
    # The other one: signed out everywhere.
    assert elsewhere.get("/cas/login", {"service": SERVICE_URL}).status_code == 200
    assert not elsewhere.get("/").wsgi_request.user.is_authenticated
