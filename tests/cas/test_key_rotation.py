"""Rotating ``SOCLE_SECRET_KEY`` with the former key in ``SOCLE_SECRET_KEY_FALLBACKS``: what was
signed or keyed under the former key still opens (letters printed before, sessions, device
cookies), what is new is signed with the new key; without the fallback the letters are void."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from socle.cas import device
from socle.directory.activation import find_valid_code, hash_code, is_the_code, issue_code
from socle.directory.models import ActivationCode
from tests.cas.conftest import SERVICE_URL, cas_login
from tests.cas.test_activation_login import activate
from tests.factories import make_person

OLD = "old-key-" + "a1B2c3D4" * 7
NEW = "new-key-" + "z9Y8x7W6" * 7


@pytest.fixture
def old_key(settings):
    settings.SECRET_KEY = OLD
    settings.SECRET_KEY_FALLBACKS = []
    return settings


def rotate(settings, *, keep_old: bool) -> None:
    settings.SECRET_KEY = NEW
    settings.SECRET_KEY_FALLBACKS = [OLD] if keep_old else []


def test_it_still_opens_a_letter_printed_before_the_rotation(old_key, school):
    newcomer = make_person("Léa", "Petit", password=None, establishment=school)
    letter = issue_code(newcomer)
    rotate(old_key, keep_old=True)
    row = find_valid_code(newcomer.login, letter.code)
    assert row is not None
    assert is_the_code(row, letter.display)  # a password equal to the code is still refused
    assert find_valid_code(newcomer.login, "ABCDE-FGHJK") is None
    reissued = issue_code(newcomer)  # a new letter is keyed with the new key only
    stored = ActivationCode.objects.get(person=newcomer).code_hash
    assert stored == hash_code(newcomer, reissued.code, NEW)


def test_without_the_former_key_the_letters_printed_before_are_void(old_key, school):
    newcomer = make_person("Léa", "Petit", password=None, establishment=school)
    letter = issue_code(newcomer)
    rotate(old_key, keep_old=False)
    assert find_valid_code(newcomer.login, letter.code) is None


def test_a_person_logged_in_before_the_rotation_keeps_their_sessions(old_key, pupil, service):
    browser = Client()
    assert cas_login(browser, pupil, SERVICE_URL).status_code == 302
    assert browser.get("/").status_code == 200
    rotate(old_key, keep_old=True)
    hop = browser.get("/cas/login", {"service": SERVICE_URL})
    assert hop.status_code == 302 and "ticket=ST-" in hop["Location"]
    portal = browser.get("/")
    assert portal.status_code == 200 and pupil.last_name.upper() in portal.content.decode().upper()


def test_a_device_cookie_set_before_the_rotation_is_still_trusted(old_key, pupil):
    response = HttpResponse()
    device.remember(RequestFactory().get("/"), response, pupil.login, pupil.password)
    request = RequestFactory().get("/")
    request.COOKIES[device.COOKIE] = response.cookies[device.COOKIE].value
    rotate(old_key, keep_old=True)
    assert device.trusted_nonce(request, pupil.login, pupil.password)
    rotate(old_key, keep_old=False)
    assert device.trusted_nonce(request, pupil.login, pupil.password) is None


def test_without_the_former_key_the_portal_session_ends_but_not_the_single_sign_on(
    old_key, pupil, service
):
    browser = Client()
    assert cas_login(browser, pupil, SERVICE_URL).status_code == 302
    rotate(old_key, keep_old=False)
    portal = browser.get("/")  # Django's session was signed with the former key: emptied
    assert pupil.last_name.upper() not in portal.content.decode().upper()
    hop = browser.get("/cas/login", {"service": SERVICE_URL})  # the TGC is a random id
    assert hop.status_code == 302 and "ticket=ST-" in hop["Location"]


@pytest.mark.parametrize("keep_old", [True, False])
def test_the_hand_over_after_the_first_connection_crosses_the_rotation_with_the_former_key(
    old_key, school, service, keep_old: bool
):
    newcomer = make_person("Léa", "Petit", password=None, establishment=school)
    browser = Client()
    location = activate(browser, newcomer)  # password chosen under the former key
    rotate(old_key, keep_old=keep_old)
    response = browser.get(location)
    logged_in = response.status_code == 302 and "ticket=ST-" in response.get("Location", "")
    assert logged_in is keep_old  # without it, the person types the new password once
