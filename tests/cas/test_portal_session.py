"""The portal's Django session (« Mon espace ») lives no longer than the browser, nor than the
SSO session it was opened with: closing the browser of a shared school computer ends both."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from socle.cas.middleware import SESSION_KEY
from socle.cas.models import SsoSession
from socle.cas.tickets import get_store
from socle.cas.views.common import TGC_COOKIE
from socle.directory.signals import password_changed
from tests.cas.conftest import SERVICE_URL, cas_login


def logged_in(pupil) -> Client:
    browser = Client()
    cas_login(browser, pupil)
    assert browser.get("/").wsgi_request.user.is_authenticated
    return browser


def test_the_portal_cookie_is_a_browser_session_cookie_like_the_tgc(pupil, service):
    response = cas_login(Client(), pupil, SERVICE_URL)
    portal = response.cookies[settings.SESSION_COOKIE_NAME]
    tgc = response.cookies[TGC_COOKIE]
    for cookie in (portal, tgc):
        assert not cookie["max-age"] and not cookie["expires"], cookie.output()
    assert portal["httponly"] and portal["samesite"] == "Lax"


def test_the_portal_session_ends_on_the_server_with_the_sso_sessions_hard_limit(pupil):
    browser = logged_in(pupil)
    assert browser.session.get_expire_at_browser_close()
    assert browser.session.get_expiry_age() == settings.SOCLE_CAS_SESSION_MAX
    assert settings.SESSION_COOKIE_AGE == settings.SOCLE_CAS_SESSION_MAX


def test_a_logout_on_another_computer_ends_the_portal_session(pupil):
    browser = logged_in(pupil)
    get_store().end_session(browser.session[SESSION_KEY])  # e.g. /cas/logout on another node
    assert not browser.get("/").wsgi_request.user.is_authenticated
    assert not browser.get("/").wsgi_request.user.is_authenticated  # and it stays ended


def test_a_password_changed_elsewhere_ends_the_portal_session(pupil):
    browser = logged_in(pupil)
    password_changed.send(sender=type(pupil), person=pupil)
    assert not browser.get("/").wsgi_request.user.is_authenticated


@pytest.mark.db_store
@pytest.mark.parametrize("limit", ["last_used_at", "expires_at"])
def test_an_expired_sso_session_ends_the_portal_session(pupil, limit):
    browser = logged_in(pupil)
    SsoSession.objects.update(**{limit: timezone.now() - dt.timedelta(days=2)})
    assert not browser.get("/").wsgi_request.user.is_authenticated


def test_a_session_key_planted_before_the_login_opens_nothing_after_it(pupil, service):
    """The login renews the session's key; the former one stays readable a few seconds
    (socle.core.sessions) but holds the state before the login: anonymous."""
    planted = import_module(settings.SESSION_ENGINE).SessionStore()
    planted["chosen_by"] = "someone else"
    planted.save()
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert cas_login(browser, pupil, SERVICE_URL).status_code == 302
    assert browser.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert not stale.get("/").wsgi_request.user.is_authenticated
