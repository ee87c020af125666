"""An account blocked by hand (socle.directory.blocking) at the CAS: its login is refused with
the words of a deactivated account, its open single sign-on session ends at once, and a block
whose date has passed ends at the next login."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from socle.cas.views.common import TGC_COOKIE
from socle.directory import blocking
from socle.directory.models import Person
from socle.portal.models import Service, Trace
from tests.cas.conftest import SERVICE_URL, cas_login
from tests.factories import make_person


def _admin() -> Person:
    return make_person("Anne", "Leroy", is_superuser=True)


def test_a_blocked_account_is_refused_as_a_deactivated_one(client: Client, pupil: Person) -> None:
    blocking.block(pupil, by=_admin(), until=timezone.localdate(), reason="charte")
    right = cas_login(client, pupil).content.decode()
    assert "Votre compte est désactivé." in right and "charte" not in right
    wrong = cas_login(client, pupil, password="wrong").content.decode()
    assert "Identifiant ou mot de passe incorrect." in wrong and "désactivé" not in wrong
    assert TGC_COOKIE not in client.cookies or not client.cookies[TGC_COOKIE].value


def test_a_blocked_person_s_existing_sso_session_is_refused_at_the_next_hop(
    client: Client, pupil: Person, service: Service
) -> None:
    cas_login(client, pupil, SERVICE_URL)
    assert client.get("/cas/login", {"service": SERVICE_URL}).status_code == 302  # the hop
    blocking.block(pupil, by=_admin())
    answer = client.get("/cas/login", {"service": SERVICE_URL})
    assert answer.status_code == 200  # the login form: no ticket
    assert "ticket=" not in answer.get("Location", "")
    assert 'name="password"' in answer.content.decode()


def test_a_block_past_its_date_ends_at_the_next_login(client: Client, pupil: Person) -> None:
    blocking.block(pupil, by=_admin(), until=timezone.localdate() - dt.timedelta(days=1))
    assert cas_login(client, pupil, password="wrong").status_code == 200
    assert Person.objects.get(pk=pupil.pk).blocked_at is not None  # a wrong password: no change
    answer = cas_login(client, pupil)
    assert answer.status_code in (200, 302) and client.cookies[TGC_COOKIE].value
    pupil.refresh_from_db()
    assert pupil.is_active and pupil.blocked_at is None
    ended = Trace.objects.get(event="account_unblocked")
    assert ended.person == pupil and "terminé (date passée)" in ended.detail


def test_a_login_reads_the_block_from_the_row_it_already_fetched(
    client: Client, pupil: Person
) -> None:
    """The login of an active account runs the same queries with the block's columns."""
    cas_login(Client(), pupil)  # warms the compiled look-up and the caches
    with CaptureQueriesContext(connection) as context:
        cas_login(client, pupil)
    assert client.cookies[TGC_COOKIE].value
    reads = [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].startswith("SELECT") and "directory_person" in q["sql"]
    ]
    assert len(reads) == 1 and "blocked_until" in reads[0]
    assert "block_reason" not in reads[0] and "blocked_by" not in reads[0]  # one column more
