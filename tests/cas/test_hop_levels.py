"""The SSO hop of a service whose « Accès population » rule names levels: one query more when
the person's facts are read again (a pupil's or a parent's levels), none once warm; a service
without levels costs what it did (docs/portal.md, « Niveaux »)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from socle.directory.models import Establishment, GroupKind, Membership, MembershipGroup, Person
from socle.portal.access_cache import PEOPLE_VERSION
from socle.portal.models import AccessMode, AccessRule, AccessTarget, Service
from tests.cas.conftest import SERVICE_URL, cas_login
from tests.cas.test_fast_paths import _directory_and_portal_queries

TOTALS: list[int] = []  # every query of each hop, the ticket's included


def _hop_queries(client: Client, *, cold: bool) -> list[str]:
    if cold:  # the person's facts read again (an import, or their TTL)
        PEOPLE_VERSION.changed()
        client.get("/cas/login", {"service": "https://appli.example.org/autre"})  # token read
        PEOPLE_VERSION.changed()
    with CaptureQueriesContext(connection) as context:
        response = client.get("/cas/login", {"service": SERVICE_URL})
    assert response.status_code == 302
    TOTALS.append(len(context.captured_queries))
    return _directory_and_portal_queries(context)


def test_it_measures_the_hop_with_and_without_a_level_rule(
    client: Client, pupil: Person, service: Service, school: Establishment, settings: Any
) -> None:
    settings.SOCLE_TRACES_DEFERRED = True  # the servers' default: traces written off the path
    service.access_mode = AccessMode.RULES
    service.save()
    rule = AccessRule.objects.create(service=service, target=AccessTarget.SITE)
    rule.establishments.set([school])
    membership = Membership.objects.get(person=pupil)
    MembershipGroup.objects.create(membership=membership, kind=GroupKind.LEVEL, name="4EME")
    cas_login(client, pupil, SERVICE_URL)
    _hop_queries(client, cold=False)  # warms the policy
    without = _hop_queries(client, cold=True)
    assert _hop_queries(client, cold=False) == []

    rule.levels = ["4ème"]
    rule.save()
    _hop_queries(client, cold=False)  # the new policy, read once
    with_levels = _hop_queries(client, cold=True)
    assert _hop_queries(client, cold=False) == []
    # measured on SQLite: 3 directory and portal queries without levels, 4 with (4 and 5 with
    # the ticket's insert); warm: the ticket's insert alone, with or without levels
    assert len(with_levels) == len(without) + 1
    cold_without, warm_without, cold_with, warm_with = TOTALS[1], TOTALS[2], TOTALS[4], TOTALS[5]
    assert (cold_with, warm_with) == (cold_without + 1, warm_without)
    assert "membershipgroup" in with_levels[-1].lower()

    MembershipGroup.objects.filter(membership=membership).update(name="3EME")
    PEOPLE_VERSION.changed()
    refused = client.get("/cas/login", {"service": SERVICE_URL})
    assert refused.status_code == 403
