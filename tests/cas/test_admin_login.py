"""The Django admin has no password form of its own: its login is the CAS's, throttled."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.test import Client

from tests.cas.conftest import cas_login
from tests.factories import DEFAULT_PASSWORD, make_person


def test_the_admin_login_sends_to_the_cas_login_and_checks_no_password():
    admin = make_person("Alex", "Admin", is_staff=True, is_superuser=True)
    browser = Client()
    for _ in range(8):  # more than the throttle allows
        browser.post("/django-admin/login/", {"username": admin.login, "password": "wrong"})
    answer = browser.post(
        "/django-admin/login/?next=/django-admin/",
        {"username": admin.login, "password": DEFAULT_PASSWORD},
    )
    assert answer.status_code == 302
    target = urlsplit(answer["Location"])
    assert target.path == "/cas/login" and parse_qs(target.query) == {"next": ["/django-admin/"]}
    assert not browser.get("/").wsgi_request.user.is_authenticated


def test_staff_logged_in_through_the_cas_reach_the_admin(pupil):
    admin = make_person("Alex", "Admin", is_staff=True, is_superuser=True)
    browser = Client()
    page = browser.get("/django-admin/", follow=True)
    assert page.redirect_chain[-1][0].startswith("/cas/login?next=")
    cas_login(browser, admin, next="/django-admin/")
    assert browser.get("/django-admin/").status_code == 200


def test_someone_logged_in_without_staff_rights_is_refused(pupil):
    browser = Client()
    cas_login(browser, pupil)
    assert browser.get("/django-admin/login/").status_code == 403


def test_the_admin_logout_ends_the_single_sign_on_too(pupil):
    admin = make_person("Alex", "Admin", is_staff=True, is_superuser=True)
    browser = Client()
    cas_login(browser, admin, next="/django-admin/")
    assert browser.get("/django-admin/").status_code == 200
    answer = browser.post("/django-admin/logout/", follow=True)  # a POST: to the GET logout
    assert answer.redirect_chain == [("/cas/logout", 303)]
    assert answer.status_code == 200 and "déconnecté" in answer.content.decode()
    assert browser.cookies["socle_tgc"].value == ""  # the SSO cookie is cleared
    page = browser.get("/cas/login")
    assert b'name="password"' in page.content  # credentials asked again


def test_a_browser_with_a_live_sso_session_but_no_portal_session_gets_it_back(pupil):
    browser = Client()
    cas_login(browser, pupil)
    tgc = browser.cookies["socle_tgc"].value
    browser.cookies.pop("socle_session")  # the portal's session lost, the SSO cookie kept
    assert browser.cookies["socle_tgc"].value == tgc
    answer = browser.get("/cas/login?next=/")
    assert answer.status_code == 302 and answer["Location"] == "/"
    home = browser.get("/")
    assert home.status_code == 200 and home.wsgi_request.user.pk == pupil.pk
