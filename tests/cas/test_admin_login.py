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
