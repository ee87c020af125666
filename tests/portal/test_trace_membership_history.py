"""Traces without UAI (logins, logouts, tickets of services of the whole ENT) are each school's
by the establishments their person belonged to when they were recorded (``Trace.member_uais``),
not by where the person belongs today."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.db import connection
from django.urls import reverse

from socle.directory.models import Establishment, Membership, Person
from socle.directory.profiles import Profile
from socle.portal import trace_log
from socle.portal.models import Trace
from socle.portal.traces import record
from tests.factories import make_membership, make_person
from tests.portal.conftest import logged_in


def seen_by(establishment: Establishment) -> set[str]:
    return {
        t.client_ip or ""
        for t in trace_log.scoped_traces({establishment.pk}).filter(event__in=["login", "logout"])
    }


def move(person: Person, school: Establishment, other_school: Establishment) -> None:
    """What a full file of the former school and the new school's file do: the membership of
    the school left is deleted, one in the new school created."""
    Membership.objects.filter(person=person, establishment=school).delete()
    make_membership(person, other_school, profile=Profile.PUPIL)


def test_it_keeps_a_movers_earlier_logins_in_the_school_he_left(
    school: Establishment, other_school: Establishment
) -> None:
    jean = make_person("Jean", "Roux", establishment=school, profile=Profile.PUPIL)
    record("login", person=jean, client_ip="192.0.2.10")
    record("logout", person=jean, client_ip="192.0.2.11")
    move(jean, school, other_school)
    record("login", person=jean, client_ip="198.51.100.20")
    assert seen_by(school) == {"192.0.2.10", "192.0.2.11"}
    assert seen_by(other_school) == {"198.51.100.20"}
    assert trace_log.scoped_traces(None).filter(person=jean).count() == 3


def test_it_shows_the_new_schools_administrator_none_of_the_collège_logins(
    school: Establishment, other_school: Establishment
) -> None:
    jean = make_person("Jean", "Roux", establishment=school, profile=Profile.PUPIL)
    record("login", person=jean, client_ip="192.0.2.10")
    move(jean, school, other_school)
    proviseur = make_person(
        "Paul", "Proviseur", establishment=other_school, profile=Profile.DIRECTION, is_admin=True
    )
    principale = make_person(
        "Anne", "Principale", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )
    url = reverse("portal:traces") + "?format=csv"  # the export gives the addresses too

    def export(admin: Person) -> str:
        return b"".join(logged_in(admin).get(url).streaming_content).decode()

    lycee, college = export(proviseur), export(principale)
    assert "192.0.2.10" not in lycee and jean.login not in lycee
    assert "192.0.2.10" in college and jean.login in college


def test_it_shows_a_person_of_two_schools_in_both_and_a_person_of_none_in_neither(
    school: Establishment, other_school: Establishment
) -> None:
    helene = make_person("Hélène", "Le Gall", establishment=school, profile=Profile.TEACHER)
    make_membership(helene, other_school, profile=Profile.TEACHER)
    record("login", person=helene, client_ip="192.0.2.30")
    nobody = make_person("Sans", "Etablissement")
    record("login", person=nobody, client_ip="192.0.2.31")
    assert Trace.objects.get(person=helene).member_uais == " ".join(
        sorted((school.uai, other_school.uai))
    )
    assert seen_by(school) == seen_by(other_school) == {"192.0.2.30"}
    assert trace_log.scoped_traces(set()).count() == 0


def test_it_keeps_a_deleted_persons_traces_in_the_schools_of_their_time(
    school: Establishment, other_school: Establishment
) -> None:
    # Until SOCLE_TRACE_RETENTION_DAYS, as for a person who left (docs/privacy.md).
    leaver = make_person("Jean", "Roux", establishment=school, profile=Profile.PUPIL)
    record("login", person=leaver, client_ip="192.0.2.40")
    leaver.delete()
    assert seen_by(school) == {"192.0.2.40"} and seen_by(other_school) == set()
    assert Trace.objects.get().person is None


def test_it_dates_the_traces_already_stored_from_the_memberships_at_the_upgrade(
    school: Establishment, other_school: Establishment
) -> None:
    pupil = make_person("Jean", "Roux", establishment=school, profile=Profile.PUPIL)
    helene = make_person("Hélène", "Le Gall", establishment=school, profile=Profile.TEACHER)
    make_membership(helene, other_school, profile=Profile.TEACHER)
    for person in (pupil, helene):
        record("login", person=person)
    record("ticket_issued", person=pupil, uai=school.uai)
    Trace.objects.update(member_uais="")  # as stored before the upgrade
    migration: Any = importlib.import_module("socle.portal.migrations.0008_trace_member_uais")
    migration.date_from_memberships(apps, connection.schema_editor())
    stored = {(t.person_id, t.uai): t.member_uais for t in Trace.objects.all()}
    assert stored == {
        (pupil.pk, ""): school.uai,
        (helene.pk, ""): " ".join(sorted((school.uai, other_school.uai))),
        (pupil.pk, school.uai): "",  # a trace with its UAI is that school's anyway
    }
