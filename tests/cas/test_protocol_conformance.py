"""Points of the CAS 3.0 specification found by the protocol review of 2026-12-04, one test each."""

from __future__ import annotations

import re

from socle.cas.tickets import get_store
from socle.cas.tickets.base import new_ticket_id
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from


def test_it_issues_tickets_of_letters_digits_and_the_prefix_hyphen_only(
    client, pupil, service
) -> None:
    # §3.7: "all CAS tickets and the value of the ticket-granting cookie MUST contain only
    # characters from the set {A-Z, a-z, 0-9}, and the hyphen character -"; never "_".
    drawn = [new_ticket_id("ST") for _ in range(2000)]
    assert all(re.fullmatch(r"ST-[A-Za-z0-9]{40}", ticket) for ticket in drawn)
    assert len(set(drawn)) == len(drawn)
    response = cas_login(client, pupil, SERVICE_URL)
    session = get_store().get_session(client.cookies["socle_tgc"].value)
    assert session is not None
    for value in (ticket_from(response), session.id):
        assert re.fullmatch(r"(ST|TGC)-[A-Za-z0-9]{40}", value)
