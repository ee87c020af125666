"""The database store's SSO hop: one statement once the process has seen the session, and a
session ended or expired since (on any node) gets no ticket (socle/cas/tickets/db.py)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from socle.cas.models import SsoSession, Ticket
from socle.cas.tickets.base import SessionEnded
from socle.cas.tickets.db import TOUCH_GRANULARITY, DatabaseStore
from socle.directory.models import Person
from socle.portal.models import Service
from tests.cas.conftest import issue_ticket


def hop(store: DatabaseStore, session_id: str, person: Person, service: Service) -> str:
    return issue_ticket(
        store, person, service, session_id=session_id, from_new_login=False, live_session=True
    )


def test_it_issues_a_hop_ticket_in_one_statement_once_the_session_is_known(
    pupil: Person, service: Service
) -> None:
    store = DatabaseStore()
    session = store.create_session(pupil.pk)
    assert store.session_hint(session.id) == session

    with CaptureQueriesContext(connection) as context:
        ticket = hop(store, session.id, pupil, service)

    assert len(context.captured_queries) == 1
    row = Ticket.objects.get(id=ticket)
    assert row.session_id == session.id and row.person_id == pupil.pk
    assert row.consumed_at is None and row.proxies == [] and not row.from_new_login
    assert row.expires_at > timezone.now()
    issued = store.consume_ticket(ticket)
    assert issued is not None and issued.session_id == session.id


def test_it_refuses_a_hop_for_a_session_ended_on_another_node(
    pupil: Person, service: Service
) -> None:
    store = DatabaseStore()
    session = store.create_session(pupil.pk)
    SsoSession.objects.filter(id=session.id).delete()  # another node's logout

    with pytest.raises(SessionEnded):
        hop(store, session.id, pupil, service)

    assert store.session_hint(session.id) is None
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("limit", ["last_used_at", "expires_at"])
def test_it_refuses_a_hop_for_a_session_past_its_limits(
    pupil: Person, service: Service, limit: str
) -> None:
    store = DatabaseStore()
    session = store.create_session(pupil.pk)
    SsoSession.objects.filter(id=session.id).update(**{limit: timezone.now() - dt.timedelta(2)})

    with pytest.raises(SessionEnded):
        hop(store, session.id, pupil, service)
    assert not Ticket.objects.exists()


def test_it_refreshes_the_idle_deadline_when_this_process_has_not_for_a_while(
    pupil: Person, service: Service
) -> None:
    store = DatabaseStore()
    session = store.create_session(pupil.pk)
    a_while_ago = timezone.now() - TOUCH_GRANULARITY * 2
    SsoSession.objects.filter(id=session.id).update(last_used_at=a_while_ago)

    hop(store, session.id, pupil, service)  # seen just now by this process: no refresh yet
    assert SsoSession.objects.get(id=session.id).last_used_at == a_while_ago

    store._hints.remember(session, seen_at=time.monotonic() - 2 * TOUCH_GRANULARITY.seconds)
    hop(store, session.id, pupil, service)
    assert SsoSession.objects.get(id=session.id).last_used_at > a_while_ago


def test_reading_a_session_tells_the_hint_when_it_was_last_refreshed(pupil: Person) -> None:
    store = DatabaseStore()
    session = store.create_session(pupil.pk)
    long_ago = timezone.now() - TOUCH_GRANULARITY / 2
    SsoSession.objects.filter(id=session.id).update(last_used_at=long_ago)

    assert store.get_session(session.id) == session
    seen_at = store._hints.seen_at(session.id)
    assert seen_at is not None
    assert time.monotonic() - seen_at == pytest.approx(TOUCH_GRANULARITY.seconds / 2, abs=5)
