"""SSO hops and validations read the directory and the portal from the process's memory, and
still see every change at once (docs/benchmarks/analysis.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from socle.directory.models import Establishment, Person
from socle.portal import trace_buffer
from socle.portal.models import AccessMode, Service, ServiceActivation
from tests.cas.conftest import SERVICE_URL, cas_login, issue_ticket, ticket_from
from tests.factories import make_establishment, make_membership, make_service

NS = {"cas": "http://www.yale.edu/tp/cas"}
# Tickets live in the database store in these tests: only the other tables count.
WATCHED = ("directory_", "portal_", "socle_cache")


def _directory_and_portal_queries(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if any(t in q["sql"] for t in WATCHED)]


def _hop(client: Client) -> Any:
    return client.get("/cas/login", {"service": SERVICE_URL})


def _p3(ticket: str) -> etree._Element:
    answer = Client().get("/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    return etree.fromstring(answer.content)


def test_it_issues_and_validates_tickets_without_reading_the_directory_once_warm(
    client: Client, pupil: Person, service: Service, settings: Any
) -> None:
    settings.SOCLE_TRACES_DEFERRED = True  # the servers' default: traces written off the path
    service.released_attributes = ["uid", "mail", "profils"]
    service.save()
    cas_login(client, pupil, SERVICE_URL)
    _p3(ticket_from(_hop(client)))  # warms this process's copies
    with CaptureQueriesContext(connection) as context:
        ticket = ticket_from(_hop(client))
        root = _p3(ticket)
    assert root.find("cas:authenticationSuccess", NS) is not None
    assert root.findtext(".//cas:attributes/cas:profils", namespaces=NS) == "National_ELV"
    assert _directory_and_portal_queries(context) == []
    assert trace_buffer.flush() >= 2


def test_it_refuses_a_hop_as_soon_as_the_school_switches_the_service_off(
    client: Client, pupil: Person, service: Service, school: Establishment
) -> None:
    cas_login(client, pupil, SERVICE_URL)
    assert _hop(client).status_code == 302
    ServiceActivation.objects.create(service=service, establishment=school, enabled=False)
    assert _hop(client).status_code == 403


def test_it_grants_a_hop_as_soon_as_a_membership_is_added(
    client: Client, pupil: Person, school: Establishment
) -> None:
    other = make_establishment(name="Lycée Pierre de Fermat")
    make_service(
        "appli",
        patterns=("https://appli.example.org/**",),
        establishment=other,
        access_mode=AccessMode.OPEN,
    )
    cas_login(client, pupil)
    assert _hop(client).status_code == 403
    make_membership(pupil, other, profile="National_ELV")
    assert _hop(client).status_code == 302


def test_it_releases_the_new_value_of_an_attribute_at_once(
    client: Client, pupil: Person, service: Service
) -> None:
    service.released_attributes = ["mail"]
    service.save()
    cas_login(client, pupil, SERVICE_URL)
    _p3(ticket_from(_hop(client)))
    pupil.email = "camille.nouvelle@example.org"
    pupil.save()
    root = _p3(ticket_from(_hop(client)))
    assert root.findtext(".//cas:attributes/cas:mail", namespaces=NS) == pupil.email


def test_it_refuses_to_validate_for_an_account_deactivated_meanwhile(
    client: Client, pupil: Person, service: Service
) -> None:
    cas_login(client, pupil, SERVICE_URL)
    ticket = ticket_from(_hop(client))
    pupil.is_active = False
    pupil.save()  # as the administration pages do (sessions end through person_deactivated)
    root = _p3(ticket)
    assert root.find("cas:authenticationFailure", NS) is not None


def test_it_consumes_a_database_ticket_in_one_write_and_records_when(
    pupil: Person, service: Service
) -> None:
    """One ``UPDATE … RETURNING`` on PostgreSQL; on SQLite a read, then the conditional
    ``UPDATE`` alone in the write turn (tests/cas/test_db_store_consume.py)."""
    from socle.cas.models import Ticket
    from socle.cas.tickets.db import DatabaseStore

    store = DatabaseStore()
    ticket = issue_ticket(store, pupil, service)
    with CaptureQueriesContext(connection) as context:
        issued = store.consume_ticket(ticket)
    assert issued is not None and issued.person_id == pupil.pk and issued.from_new_login
    writes = [q["sql"] for q in context.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(writes) == 1
    assert len(context.captured_queries) == (2 if connection.vendor == "sqlite" else 1)
    assert store.consume_ticket(ticket) is None
    row = Ticket.objects.get(id=ticket)
    assert row.consumed_at is not None
    assert abs((timezone.now() - row.consumed_at).total_seconds()) < 60
    assert Ticket.objects.filter(consumed_at__lte=timezone.now()).count() == 1


def _authentication_date(root: etree._Element) -> dt.datetime:
    text = root.findtext(".//cas:attributes/cas:authenticationDate", namespaces=NS)
    assert text is not None
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_an_sso_hop_tells_when_the_password_was_typed_not_when_the_ticket_was_made(
    client: Client, pupil: Person, service: Service
) -> None:
    from socle.cas.tickets import get_store
    from socle.cas.views.common import TGC_COOKIE

    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    session = get_store().create_session(pupil.pk, now=an_hour_ago)  # logged in an hour ago
    client.cookies[TGC_COOKIE] = session.id
    hop = _authentication_date(_p3(ticket_from(_hop(client))))
    assert abs(hop - an_hour_ago) < dt.timedelta(seconds=1)
    renewed = ticket_from(
        cas_login(client, pupil, SERVICE_URL, renew="true")  # the password typed again
    )
    assert timezone.now() - _authentication_date(_p3(renewed)) < dt.timedelta(minutes=1)
