"""An account blocked by hand (socle.directory.blocking) at the CAS: its login is refused with
the words of a deactivated account, its open single sign-on session ends at once, and a block
whose date has passed ends at the next login."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from socle.cas.authentication import check_credentials
from socle.cas.views.common import TGC_COOKIE
from socle.directory import blocking
from socle.directory.models import Person
from socle.directory.passwords import reset_password
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


def test_it_ends_a_block_past_its_date_at_a_reset_so_that_the_new_code_works(
    client: Client, pupil: Person
) -> None:
    """The person has not logged in since the block's last day: the reset makes the password
    unusable, so the login that would end the block cannot come; the reset ends it (traced
    as the login's), and the new code opens the first-connection page."""
    blocking.block(pupil, by=_admin(), until=timezone.localdate() - dt.timedelta(days=3))
    issued = reset_password(pupil)
    assert pupil.is_active and Person.objects.get(pk=pupil.pk).blocked_at is None
    ended = Trace.objects.get(event="account_unblocked")
    assert ended.person == pupil and "terminé (date passée)" in ended.detail
    outcome = check_credentials(
        RequestFactory().post("/cas/login"), pupil.login, issued.code, "127.0.0.1"
    )
    assert outcome.activation_code is not None


def test_it_ends_a_block_at_the_first_use_of_a_code_issued_while_it_ran(
    client: Client, pupil: Person
) -> None:
    """Reset during the block, code typed after its last day: the password is unusable, so only
    the code can end the block; it does (traced), and opens the first-connection page."""
    blocking.block(pupil, by=_admin(), until=timezone.localdate())
    issued = reset_password(pupil)
    assert cas_login(client, pupil, password=issued.code).status_code == 200  # still its day
    assert not Person.objects.get(pk=pupil.pk).is_active
    Person.objects.filter(pk=pupil.pk).update(  # the days pass
        blocked_until=timezone.localdate() - dt.timedelta(days=1)
    )
    answer = cas_login(client, pupil, password=issued.code)
    assert answer.status_code == 302 and "/compte/activation/" in answer["Location"]
    pupil.refresh_from_db()
    assert pupil.is_active and pupil.blocked_at is None
    ended = Trace.objects.get(event="account_unblocked")
    assert ended.person == pupil and "terminé (date passée)" in ended.detail
    assert client.get(answer["Location"]).status_code == 200  # the page to choose a password


def test_it_keeps_a_block_the_imports_ended_meanwhile_closed_to_the_code(
    client: Client, pupil: Person
) -> None:
    blocking.block(pupil, by=_admin(), until=timezone.localdate())
    issued = reset_password(pupil)
    Person.objects.filter(pk=pupil.pk).update(
        blocked_until=timezone.localdate() - dt.timedelta(days=1), active_when_unblocked=False
    )
    assert cas_login(client, pupil, password=issued.code).status_code == 200
    assert Person.objects.get(pk=pupil.pk).blocked_at is not None


def test_it_leaves_a_running_block_in_place_at_a_reset(pupil: Person) -> None:
    until = timezone.localdate()  # its last day: still blocked
    blocking.block(pupil, by=_admin(), until=until)
    reset_password(pupil)
    pupil.refresh_from_db()
    assert not pupil.is_active and pupil.blocked_until == until
    assert not Trace.objects.filter(event="account_unblocked").exists()


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
