import datetime as dt
import html
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from socle.directory.activation import (
    CODE_ALPHABET,
    activation_redirect,
    cas_login_url,
    code_from_token,
    issue_code,
    safe_service,
)
from socle.directory.models import ActivationCode, Person
from socle.directory.signals import password_changed
from tests.factories import make_person

SERVICE = "https://0312609t.index-education.net/pronote/eleve.html"
NEW_PASSWORD = "un cheval mange des pommes"


@pytest.fixture
def newcomer() -> Person:
    return make_person("Camille", "Martin", password=None)


def _token_url(person: Person, service: str | None = SERVICE) -> tuple[str, str]:
    issued = issue_code(person)
    url = activation_redirect(person.login, issued.code, service)
    assert url is not None
    return url, issued.code


def test_codes_are_long_random_and_from_an_unambiguous_alphabet(newcomer: Person) -> None:
    codes = {issue_code(newcomer).code for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) >= 8 and set(code) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_only_a_hash_of_the_code_is_stored(newcomer: Person) -> None:
    issued = issue_code(newcomer)
    row = ActivationCode.objects.get(person=newcomer)
    assert issued.code not in row.code_hash and len(row.code_hash) == 64


def test_a_valid_code_leads_to_the_first_connection_page(newcomer: Person) -> None:
    issued = issue_code(newcomer)
    typed = issued.display.lower()  # "abcde-fghjk": case and dash do not matter
    url = activation_redirect("camille.martin", typed, SERVICE)
    assert url is not None and url.startswith("/compte/activation/")
    assert parse_qs(urlsplit(url).query)["service"] == [SERVICE]


def test_wrong_codes_and_unknown_logins_lead_nowhere(newcomer: Person) -> None:
    issue_code(newcomer)
    assert activation_redirect("camille.martin", "AAAAAAAAAA", None) is None
    assert activation_redirect("nobody", "AAAAAAAAAA", None) is None
    assert activation_redirect("camille.martin", "", None) is None


def test_an_expired_code_is_refused(newcomer: Person) -> None:
    issued = issue_code(newcomer)
    ActivationCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert activation_redirect("camille.martin", issued.code, None) is None


@override_settings(SOCLE_ACTIVATION_CODE_DAYS=3)
def test_the_lifetime_is_configurable(newcomer: Person) -> None:
    issued = issue_code(newcomer)
    assert (
        dt.timedelta(days=2, hours=23) < issued.expires_at - timezone.now() <= dt.timedelta(days=3)
    )


def test_a_new_code_replaces_the_previous_one(newcomer: Person) -> None:
    first = issue_code(newcomer)
    issue_code(newcomer)
    assert activation_redirect("camille.martin", first.code, None) is None


def test_the_code_is_never_a_password(newcomer: Person) -> None:
    issued = issue_code(newcomer)
    newcomer.refresh_from_db()
    assert not newcomer.check_password(issued.code)
    assert not Client().login(username="camille.martin", password=issued.code)


def test_choosing_a_password_consumes_the_code_once(client: Client, newcomer: Person) -> None:
    url, code = _token_url(newcomer)
    page = client.get(url)
    assert page.status_code == 200
    assert "J'accepte la charte d'utilisation" in html.unescape(page.content.decode())
    assert "data-password-toggle" in html.unescape(page.content.decode())
    received = []
    password_changed.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="act")
    try:
        response = client.post(
            url,
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "accept_terms": "on"},
        )
    finally:
        password_changed.disconnect(dispatch_uid="act")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc, target.path) == ("", "", "/cas/login")
    assert parse_qs(target.query)["service"] == [SERVICE]
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)
    assert newcomer.activated_at and newcomer.terms_accepted_at
    assert received and received[0]["person"] == newcomer
    # Single use: the link and the code are dead now.
    assert client.get(url).status_code == 410
    assert activation_redirect("camille.martin", code, None) is None


def test_a_too_short_password_is_said_so_even_without_its_confirmation(
    client: Client, newcomer: Person
) -> None:
    url, _code = _token_url(newcomer)
    response = client.post(url, {"new_password1": "court", "accept_terms": "on"})
    form = response.context["form"]
    assert any("trop court" in e for e in form.errors["new_password1"]), form.errors
    assert "new_password2" in form.errors  # still required
    # A good password without its confirmation: only the confirmation is asked for.
    response = client.post(url, {"new_password1": NEW_PASSWORD, "accept_terms": "on"})
    assert "new_password1" not in response.context["form"].errors


def test_the_terms_must_be_accepted_and_the_password_be_good(
    client: Client, newcomer: Person
) -> None:
    url, code = _token_url(newcomer)
    cases = [
        ({"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, "accepter la charte"),
        ({"new_password1": "court", "new_password2": "court", "accept_terms": "on"}, "trop court"),
        (
            {
                "new_password1": "password1234",
                "new_password2": "password1234",
                "accept_terms": "on",
            },
            "trop courant",
        ),
        (
            {
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD + "x",
                "accept_terms": "on",
            },
            "correspondent pas",
        ),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 200
        assert message in html.unescape(response.content.decode()), message
    assert ActivationCode.objects.get().used_at is None


def test_the_code_itself_cannot_become_the_password(client: Client) -> None:
    person = make_person("Léa", "Petit", password=None)
    with override_settings(AUTH_PASSWORD_VALIDATORS=[]):
        url, code = _token_url(person)
        response = client.post(
            url, {"new_password1": code, "new_password2": code, "accept_terms": "on"}
        )
    assert "différent du code d'activation" in html.unescape(response.content.decode())


def test_a_forged_or_stale_link_is_refused(client: Client, newcomer: Person) -> None:
    url, _ = _token_url(newcomer)
    assert client.get(url.replace("/activation/", "/activation/x")).status_code == 410
    issue_code(newcomer)  # renewed: the old link names a code that no longer exists
    assert client.get(url).status_code == 410
    assert code_from_token("garbage") is None


def test_two_racing_submissions_consume_the_code_once(newcomer: Person) -> None:
    from socle.directory.passwords import activate

    url, _ = _token_url(newcomer)
    token = urlsplit(url).path.split("/")[3]
    first, second = code_from_token(token), code_from_token(token)
    assert first and second
    assert activate(first, NEW_PASSWORD) is True
    assert activate(second, "un autre mot de passe long") is False
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    "service",
    [
        "//evil.example.org/x",
        "javascript:alert(1)",
        "/relative",
        "https:/\\evil.org",
        "https://ok.example.org/\x00",
        "x" * 3000,
    ],
)
def test_unsafe_services_are_dropped_never_redirected_to(service: str) -> None:
    assert safe_service(service) == ""
    assert cas_login_url(service) == "/cas/login"


def test_a_safe_service_is_kept_in_the_relative_cas_login_url() -> None:
    assert cas_login_url(SERVICE).startswith("/cas/login?service=https%3A%2F%2F")


def test_the_cas_login_form_sends_an_activation_code_to_the_first_connection_page(
    client: Client, newcomer: Person
) -> None:
    issued = issue_code(newcomer)
    response = client.post("/cas/login", {"username": "camille.martin", "password": issued.display})
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/activation/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Première connexion" in html.unescape(page.content.decode())
    form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "accept_terms": "on"}
    assert client.post(response["Location"], form)["Location"] == "/cas/login"
    again = client.post("/cas/login", {"username": "camille.martin", "password": issued.code})
    assert again.status_code == 200  # the used code no longer leads anywhere
    assert "incorrect" in html.unescape(again.content.decode())
    done = client.post("/cas/login", {"username": "camille.martin", "password": NEW_PASSWORD})
    assert done.status_code in (200, 302) and "incorrect" not in html.unescape(
        done.content.decode()
    )


def test_it_issues_codes_of_twelve_characters_printed_in_groups_of_four() -> None:
    from socle.directory.activation import CODE_ALPHABET, display_code, new_code

    code = new_code()
    assert len(code) == 12 and set(code) <= set(CODE_ALPHABET)
    assert display_code("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"
    assert display_code("ABCDEFGHJK") == "ABCDE-FGHJK"  # a code printed before 2026-12


def test_it_still_accepts_a_ten_character_code_printed_before() -> None:
    from socle.directory.activation import find_valid_code, hash_code
    from socle.directory.models import ActivationCode

    person = make_person("Yanis", "Haddad")
    ActivationCode.objects.filter(person=person).delete()
    old = "ABCDEFGHJK"
    ActivationCode.objects.create(
        person=person,
        code_hash=hash_code(person, old),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    assert find_valid_code(person.login, "abcde-fghjk") is not None
