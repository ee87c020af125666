"""The « Profil » of « Traces » and the per-profile counts of « Indicateurs » are the profile
the person held in the school that sees the trace **when it was recorded** (``TraceScope.profile``),
not their memberships of today: a pupil who moved keeps « Élève » in his former school, a
teacher who became a personnel keeps « Enseignant » on last year's traces."""

from __future__ import annotations

import csv
import importlib
import io
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from socle.directory.models import Establishment, Membership, Person
from socle.directory.profiles import Profile
from socle.portal import indicators, trace_buffer, trace_log
from socle.portal.models import TraceScope
from socle.portal.populations import profile_label
from socle.portal.traces import record
from tests.factories import make_membership, make_person
from tests.portal.conftest import logged_in


@pytest.fixture(params=[True, False], ids=["deferred", "direct"])
def writer(request: pytest.FixtureRequest, settings: Any) -> Any:
    """Records as the CAS does, through the deferred writer or with ``SOCLE_TRACES_DEFERRED``
    off; the returned function writes what waits."""
    settings.SOCLE_TRACES_DEFERRED = request.param
    return trace_buffer.flush


def shown_profiles(admin: Person) -> dict[str, str]:
    """« Traces » of ``admin``: client address → « Profil » of the CSV export (profile codes),
    checked against the page's column (their labels, « — » for none)."""
    client = logged_in(admin)
    text = b"".join(client.get(reverse("portal:traces") + "?format=csv").streaming_content)
    rows = csv.DictReader(io.StringIO(text.decode().lstrip("\ufeff")), delimiter=";")
    in_csv = {r["adresse_ip"]: r["profil"] for r in rows}
    page = etree.HTML(client.get(reverse("portal:traces")).content)
    on_page = [row.xpath("string(td[7])").strip() for row in page.xpath("//table//tbody/tr")]
    labels = [profile_label(code) if code else "—" for code in in_csv.values()]
    assert sorted(on_page) == sorted(labels), (on_page, in_csv)
    return in_csv


def counted(school: Establishment) -> dict[str, int]:
    """« Indicateurs » of the school's administrator today: profile → connections."""
    today = timezone.localdate()
    series = indicators.per_profile(
        trace_log.scoped_traces({school.pk}), today, today, {school.pk}
    ).series
    return {name: sum(values) for name, values in series}


def move(person: Person, school: Establishment, other_school: Establishment) -> None:
    """What the former school's full file and the new school's file do to the directory."""
    Membership.objects.filter(person=person, establishment=school).delete()
    make_membership(person, other_school, profile=Profile.PUPIL)


def test_it_keeps_a_movers_profile_in_his_former_schools_traces_and_indicators(
    writer: Any, school: Establishment, other_school: Establishment, school_admin: Person
) -> None:
    jean = make_person("Jean", "Roux", establishment=school, profile=Profile.PUPIL)
    record("login", person=jean, client_ip="192.0.2.1")
    record("ticket_issued", person=jean, client_ip="192.0.2.2")  # an ENT-wide service
    record("ticket_issued", person=jean, uai=school.uai, client_ip="192.0.2.3")
    writer()
    move(jean, school, other_school)
    record("ticket_issued", person=jean, uai=other_school.uai, client_ip="198.51.100.4")
    writer()
    proviseur = make_person(
        "Paul", "Proviseur", establishment=other_school, profile=Profile.DIRECTION, is_admin=True
    )
    assert shown_profiles(school_admin) == {
        "192.0.2.1": Profile.PUPIL,
        "192.0.2.2": Profile.PUPIL,
        "192.0.2.3": Profile.PUPIL,
    }
    assert counted(school) == {"Élève": 2}
    assert shown_profiles(proviseur) == {"198.51.100.4": Profile.PUPIL}
    assert counted(other_school) == {"Élève": 1}


def test_it_shows_the_profile_of_before_and_after_a_profile_change(
    writer: Any, school: Establishment, superuser: Person, school_admin: Person
) -> None:
    helene = make_person("Hélène", "Le Gall", establishment=school, profile=Profile.TEACHER)
    record("ticket_issued", person=helene, uai=school.uai, client_ip="192.0.2.10")
    record("login", person=helene, client_ip="192.0.2.11")
    writer()
    Membership.objects.filter(person=helene).update(profile=Profile.ADMIN_STAFF)
    record("ticket_issued", person=helene, uai=school.uai, client_ip="192.0.2.20")
    record("login", person=helene, client_ip="192.0.2.21")
    writer()
    expected = {
        "192.0.2.10": Profile.TEACHER,
        "192.0.2.11": Profile.TEACHER,
        "192.0.2.20": Profile.ADMIN_STAFF,
        "192.0.2.21": Profile.ADMIN_STAFF,
    }
    assert shown_profiles(school_admin) == expected
    assert shown_profiles(superuser) == expected
    assert counted(school) == {"Enseignant": 1, profile_label(Profile.ADMIN_STAFF): 1}


def test_it_still_shows_an_administrator_no_profile_held_in_another_school(
    writer: Any, school: Establishment, other_school: Establishment, school_admin: Person
) -> None:
    # A parent here and a teacher there: this school reads « Parent » only; a teacher of the
    # other school opening this school's service is shown without profile here.
    herve = make_person("Hervé", "Le Gall", establishment=school, profile=Profile.PARENT)
    make_membership(herve, other_school, profile=Profile.TEACHER)
    ines = make_person("Inès", "Bernard", establishment=other_school, profile=Profile.TEACHER)
    record("login", person=herve, client_ip="192.0.2.30")
    record("ticket_issued", person=ines, uai=school.uai, client_ip="192.0.2.31")
    writer()
    assert shown_profiles(school_admin) == {"192.0.2.30": Profile.PARENT, "192.0.2.31": ""}
    held = dict(
        TraceScope.objects.filter(trace__client_ip="192.0.2.30").values_list("uai", "profile")
    )
    assert held == {school.uai: Profile.PARENT, other_school.uai: Profile.TEACHER}


def test_it_fills_the_profiles_of_the_traces_already_stored_from_the_memberships_of_the_upgrade(
    school: Establishment, other_school: Establishment, monkeypatch: pytest.MonkeyPatch
) -> None:
    jean = make_person("Jean", "Roux", establishment=school, profile=Profile.PUPIL)
    helene = make_person("Hélène", "Le Gall", establishment=school, profile=Profile.TEACHER)
    make_membership(helene, school, profile=Profile.PARENT)
    make_membership(helene, other_school, profile=Profile.TEACHER)
    ines = make_person("Inès", "Bernard", establishment=other_school, profile=Profile.TEACHER)
    record("login", person=jean, client_ip="192.0.2.1")
    record("login", person=helene, client_ip="192.0.2.2")
    record("ticket_issued", person=ines, uai=school.uai, client_ip="192.0.2.3")  # a visitor
    record("ticket_issued", uai=school.uai, client_ip="192.0.2.4")  # no person
    record("ticket_issued", person=jean, uai=school.uai, client_ip="192.0.2.5")
    TraceScope.objects.update(profile="")  # as stored before the upgrade
    migration: Any = importlib.import_module("socle.portal.migrations.0010_tracescope_profile")
    monkeypatch.setattr(migration, "CHUNK", 2)  # several ranges of traces
    migration.fill(apps, connection.schema_editor())
    stored = {
        (ip, uai): profile
        for ip, uai, profile in TraceScope.objects.values_list("trace__client_ip", "uai", "profile")
    }
    assert stored == {
        ("192.0.2.1", school.uai): Profile.PUPIL,
        # Two profiles in one school: the first by code, as the writer chooses.
        ("192.0.2.2", school.uai): min(Profile.TEACHER, Profile.PARENT),
        ("192.0.2.2", other_school.uai): Profile.TEACHER,
        ("192.0.2.3", school.uai): "",
        ("192.0.2.4", school.uai): "",
        ("192.0.2.5", school.uai): Profile.PUPIL,
    }


def test_its_fill_does_nothing_without_traces() -> None:
    migration: Any = importlib.import_module("socle.portal.migrations.0010_tracescope_profile")
    migration.fill(apps, connection.schema_editor())
    assert TraceScope.objects.count() == 0


def test_it_shows_a_reader_of_several_schools_the_profile_in_each_rows_school(
    writer: Any, school: Establishment, other_school: Establishment, school_admin: Person
) -> None:
    # Hervé is a parent here and a teacher there (« National_ENS » sorts before
    # « National_TUT »); the administrator reads both schools.
    make_membership(school_admin, other_school, profile=Profile.DIRECTION, is_admin=True)
    herve = make_person("Hervé", "Le Gall", establishment=school, profile=Profile.PARENT)
    make_membership(herve, other_school, profile=Profile.TEACHER)
    record("ticket_issued", person=herve, uai=school.uai, client_ip="192.0.2.40")
    record("ticket_issued", person=herve, uai=other_school.uai, client_ip="192.0.2.41")
    record("login", person=herve, client_ip="192.0.2.42")  # seen by both schools
    writer()
    assert shown_profiles(school_admin) == {
        "192.0.2.40": Profile.PARENT,  # this school's service: his profile here
        "192.0.2.41": Profile.TEACHER,
        "192.0.2.42": Profile.TEACHER,  # no school of its own: the first by code
    }
    client = logged_in(school_admin)
    selected = client.get(reverse("portal:traces"), {"uai": school.uai, "format": "csv"})
    rows = csv.DictReader(
        io.StringIO(b"".join(selected.streaming_content).decode().lstrip("\ufeff")), delimiter=";"
    )
    # the school filter keeps what that school sees (its UAI's traces and its people's logins),
    # each with the profile held there
    assert {r["adresse_ip"]: r["profil"] for r in rows} == {
        "192.0.2.40": Profile.PARENT,
        "192.0.2.42": Profile.PARENT,
    }
