import html

import lxml.html
import pytest
from django.conf import settings
from django.test import Client

from socle.directory.activation import activation_redirect
from socle.directory.models import Person
from socle.directory.signals import password_changed
from tests.factories import (
    DEFAULT_PASSWORD,
    make_establishment,
    make_membership,
    make_parent_link,
    make_person,
)

NEW = "une phrase de passe assez longue"


def _capture() -> list[dict]:
    received: list[dict] = []
    password_changed.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="pv")
    return received


@pytest.fixture(autouse=True)
def _disconnect():  # type: ignore[no-untyped-def]
    yield
    password_changed.disconnect(dispatch_uid="pv")


def test_a_logged_in_person_changes_the_password_and_keeps_this_session(client: Client) -> None:
    person = make_person("Paul", "Durand")
    client.force_login(person)
    page = client.get("/compte/mot-de-passe")
    assert page.status_code == 200 and "data-password-toggle" in page.content.decode()
    received = _capture()
    response = client.post(
        "/compte/mot-de-passe",
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    assert "Mot de passe changé" in html.unescape(response.content.decode())
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert received[0]["keep_session_key"] == client.session.session_key
    assert client.get("/compte/mot-de-passe").status_code == 200  # still logged in


def test_the_session_key_held_before_a_password_change_opens_nothing_afterwards(
    client: Client,
) -> None:
    """The renewed session's former key stays readable a few seconds (socle.core.sessions):
    what it holds is the former password's digest, which Django refuses and empties."""
    person = make_person("Paul", "Durand")
    client.force_login(person)
    former = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(
        "/compte/mot-de-passe",
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != former
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = former
    answer = stale.get("/compte/mot-de-passe")
    assert answer.status_code == 302  # to the login, as without a session


def test_the_current_password_is_required(client: Client) -> None:
    person = make_person("Paul", "Durand")
    client.force_login(person)
    response = client.post(
        "/compte/mot-de-passe", {"old_password": "faux", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.check_password(DEFAULT_PASSWORD)


def _change(client: Client, old: str) -> str:
    response = client.post(
        "/compte/mot-de-passe", {"old_password": old, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_it_stops_checking_the_current_password_after_five_wrong_ones(client: Client) -> None:
    person = make_person("Paul", "Durand")
    client.force_login(person)
    for attempt in range(5):
        assert "Trop d'essais" not in _change(client, f"faux-{attempt}")
    page = _change(client, DEFAULT_PASSWORD)  # the right one, but no longer checked
    assert "Trop d'essais erronés du mot de passe actuel" in page
    person.refresh_from_db()
    assert person.check_password(DEFAULT_PASSWORD)


def test_a_right_current_password_forgets_the_wrong_ones(client: Client) -> None:
    person = make_person("Paul", "Durand")
    client.force_login(person)
    for attempt in range(4):
        _change(client, f"faux-{attempt}")
    assert "Mot de passe changé" in _change(client, DEFAULT_PASSWORD)
    from socle.directory import old_password

    assert not old_password.locked(person)


def test_the_current_password_lock_is_per_person(client: Client) -> None:
    person, other = make_person("Paul", "Durand"), make_person("Lise", "Morel")
    client.force_login(person)
    for attempt in range(5):
        _change(client, f"faux-{attempt}")
    client.force_login(other)
    assert "Mot de passe changé" in _change(client, DEFAULT_PASSWORD)


def test_a_full_hash_queue_answers_busy_without_checking(client: Client, monkeypatch) -> None:
    from contextlib import contextmanager

    from socle.core.admission import QueueFull
    from socle.directory import old_password

    @contextmanager
    def full():  # type: ignore[no-untyped-def]
        raise QueueFull
        yield

    monkeypatch.setattr(old_password, "password_hash_slot", full)
    person = make_person("Paul", "Durand")
    client.force_login(person)
    assert "Le serveur est très sollicité" in _change(client, DEFAULT_PASSWORD)
    assert not old_password.locked(person)


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get("/compte/mot-de-passe")
    assert response.status_code == 302 and response["Location"].startswith("/cas/login")


def _school_admin_and_pupil() -> tuple[Person, Person]:
    college = make_establishment("0312609T")
    pupil = make_person("Camille", "Martin", establishment=college)
    admin = make_person(
        "Anne", "Leroy", establishment=college, profile="National_DIR", is_admin=True
    )
    return admin, pupil


def _state(client: Client, url: str) -> str:
    """The hidden state field of the confirmation form, as the browser would send it back."""
    tree = lxml.html.fromstring(client.get(url).content.decode())
    (field,) = tree.xpath("//form[@method='post']//input[@type='hidden'][@name='state']")
    return field.get("value", "")


def test_an_establishment_admin_resets_a_password_and_gets_a_new_code(client: Client) -> None:
    admin, pupil = _school_admin_and_pupil()
    client.force_login(admin)
    url = f"/compte/reinitialiser/{pupil.uid}/"
    state = _state(client, url)
    received = _capture()
    posted = client.post(url, {"state": state})
    assert posted.status_code == 302 and posted["Location"] == f"{url}code/"
    pupil.refresh_from_db()
    assert not pupil.has_usable_password()
    assert received and received[0]["person"] == pupil and received[0]["keep_session_key"] is None
    response = client.get(posted["Location"])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    code = response.context["issued"].code
    assert code in response.content.decode().replace("-", "")
    assert activation_redirect("camille.martin", code, None)


def test_it_shows_the_code_once_and_a_reload_keeps_it_valid(client: Client) -> None:
    admin, pupil = _school_admin_and_pupil()
    client.force_login(admin)
    url = f"/compte/reinitialiser/{pupil.uid}/"
    shown = client.post(url, {"state": _state(client, url)}, follow=True)
    code = shown.context["issued"].code
    again = client.get(f"{url}code/")
    text = " ".join(lxml.html.fromstring(again.content.decode()).text_content().split())
    assert again.status_code == 200 and "issued" not in again.context
    assert "Code d'activation déjà affiché" in text and "Aucun nouveau code n'a été créé" in text
    assert code not in again.content.decode().replace("-", "")
    assert activation_redirect("camille.martin", code, None)  # still the live code


def test_it_never_renews_the_code_when_the_form_is_resubmitted(client: Client) -> None:
    admin, pupil = _school_admin_and_pupil()
    client.force_login(admin)
    url = f"/compte/reinitialiser/{pupil.uid}/"
    state = _state(client, url)
    code = client.post(url, {"state": state}, follow=True).context["issued"].code
    received = _capture()
    resubmitted = client.post(url, {"state": state}, follow=True)  # reload, back button…
    assert resubmitted.redirect_chain == [(f"{url}code/", 302)]
    assert "issued" not in resubmitted.context
    assert not received
    assert activation_redirect("camille.martin", code, None)
    # A deliberate new reset, from a freshly drawn page, does renew it.
    renewed = client.post(url, {"state": _state(client, url)}, follow=True).context["issued"]
    assert renewed.code != code and not activation_redirect("camille.martin", code, None)


def test_only_admins_of_the_persons_establishment_may_reset(client: Client) -> None:
    college, other = make_establishment("0312609T"), make_establishment()
    pupil = make_person("Camille", "Martin", establishment=college)
    stranger = make_person(
        "Marc", "Petit", establishment=other, profile="National_DIR", is_admin=True
    )
    teacher = make_person("Paul", "Durand", establishment=college, profile="National_ENS")
    for intruder in (stranger, teacher):
        client.force_login(intruder)
        assert client.post(f"/compte/reinitialiser/{pupil.uid}/").status_code == 403
        assert client.get(f"/compte/reinitialiser/{pupil.uid}/code/").status_code == 403
    pupil.refresh_from_db()
    assert pupil.check_password(DEFAULT_PASSWORD)
    boss = Person.objects.create_superuser("root", "un mot de passe de root")
    client.force_login(boss)
    assert client.post(f"/compte/reinitialiser/{pupil.uid}/").status_code == 302
    assert client.get("/compte/reinitialiser/inconnu/").status_code == 404


def test_the_django_admin_changes_passwords_on_socles_own_page(client: Client) -> None:
    admin = make_person("Ada", "Admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post("/django-admin/password_change/", {"old_password": "faux"})
    assert response.status_code == 302 and response["Location"] == "/compte/mot-de-passe"


def test_simultaneous_wrong_current_passwords_get_no_more_than_five_checks(monkeypatch) -> None:
    """Each attempt is counted before its hash: with five in flight, a sixth finds no place and
    is refused without a hash, whatever the timing."""
    from socle.directory import old_password

    person = make_person("Paul", "Durand")
    in_flight = [old_password._increment(old_password._key(person)) for _ in range(5)]
    assert in_flight == [1, 2, 3, 4, 5]
    hashed: list[str] = []
    monkeypatch.setattr(Person, "check_password", lambda self, raw: hashed.append(raw) or True)
    assert old_password.check(person, DEFAULT_PASSWORD) is None
    assert hashed == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password1234", "Ce mot de passe est trop courant."),  # Django's list
        ("motdepasse123", "Ce mot de passe est trop courant : un mot courant"),  # the French one
        ("court", "trop court"),
    ],
)
def test_it_says_a_refused_password_once_under_the_new_password(
    client: Client, password: str, message: str
) -> None:
    person = make_person("Paul", "Durand")
    client.force_login(person)
    response = client.post(
        "/compte/mot-de-passe",
        {"old_password": DEFAULT_PASSWORD, "new_password1": password, "new_password2": password},
    )
    errors = response.context["form"].errors
    assert list(errors) == ["new_password1"], errors
    assert len(errors["new_password1"]) == 1 and message in errors["new_password1"][0]
    page = lxml.html.fromstring(response.content)
    shown = page.xpath("//p[@class='field-error']")
    assert [p.get("id") for p in shown] == ["id_new_password1_error"]


def test_it_leaves_a_mismatch_under_the_confirmation(client: Client) -> None:
    person = make_person("Paul", "Durand")
    client.force_login(person)
    response = client.post(
        "/compte/mot-de-passe",
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"},
    )
    assert list(response.context["form"].errors) == ["new_password2"]


def test_it_shows_the_new_code_as_a_fiche_de_connexion_to_print(client: Client) -> None:
    college = make_establishment("0312609T", name="Collège Jean Jaurès")
    admin = make_person(
        "Anne", "Leroy", establishment=college, profile="National_DIR", is_admin=True
    )
    parent = make_person("Nathalie", "Martin", establishment=college, profile="National_TUT")
    for first, klass in (("Camille", "4A"), ("Hugo", "6C")):
        child = make_person(first, "Martin", establishment=college, class_name=klass)
        make_parent_link(parent, child)
    client.force_login(admin)
    url = f"/compte/reinitialiser/{parent.uid}/"
    shown = client.post(url, {"state": _state(client, url)}, follow=True)
    tree = lxml.html.fromstring(shown.content.decode())
    (letter,) = tree.xpath("//section[@class='letter']")
    text = " ".join(letter.text_content().split())
    assert f"Fiche de connexion à {settings.SOCLE_ENT_NAME}" in text
    assert "Collège Jean Jaurès (0312609T)" in text
    assert "Responsable de : Camille Martin (4A), Hugo Martin (6C)" in text
    assert shown.context["issued"].display in text and "nathalie.martin" in text
    assert "Choisissez votre mot de passe personnel" in text  # the letters' « Pour commencer »
    assert "Cette fiche est personnelle" in text
    # what is for the administrator only is left out of the printed page
    (note,) = tree.xpath("//p[contains(., 'ne sera plus jamais affiché')]")
    assert "no-print" in note.get("class", "")


def test_the_letter_names_nothing_of_a_school_the_administrator_does_not_administer(
    client: Client,
) -> None:
    college = make_establishment("0312609T", name="Collège Jean Jaurès")
    other = make_establishment("0310001H", name="Collège Voisin")
    admin = make_person(
        "Anne", "Leroy", establishment=college, profile="National_DIR", is_admin=True
    )
    parent = make_person("Nathalie", "Martin", establishment=college, profile="National_TUT")
    make_membership(parent, other, profile="National_TUT")
    make_parent_link(
        parent, make_person("Camille", "Martin", establishment=college, class_name="4A")
    )
    make_parent_link(parent, make_person("Léo", "Martin", establishment=other, class_name="6B"))
    client.force_login(admin)
    url = f"/compte/reinitialiser/{parent.uid}/"
    shown = client.post(url, {"state": _state(client, url)}, follow=True)
    text = " ".join(lxml.html.fromstring(shown.content.decode()).text_content().split())
    assert "Responsable de : Camille Martin (4A)" in text
    assert "Voisin" not in text and "0310001H" not in text and "Léo" not in text
