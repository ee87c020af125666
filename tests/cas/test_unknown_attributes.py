"""A release list naming an attribute nobody gives the service (a typo: « mial ») is reported by
socle.W094 and by service_add: such an attribute is never sent."""

from __future__ import annotations

from socle.cas.attributes import DIRECTORY_NAMES, directory_attributes, unknown_names
from socle.cas.checks import check_released_attributes
from socle.directory.models import GroupKind, Membership, MembershipGroup
from socle.directory.profiles import Profile
from socle.portal.models import PronoteRecognition
from tests.factories import (
    make_establishment,
    make_person,
    make_service,
    make_service_by_command,
)


def test_it_names_a_typo_and_nothing_else() -> None:
    service = make_service(released_attributes=["mail", "mial", "classes", "idPronote"])
    assert unknown_names(service) == ["mial", "idPronote"]


def test_a_pronote_service_knows_its_own_names_by_its_recognition() -> None:
    school = make_establishment()
    by_id = make_service(
        "pronote",
        sso_type="pronote",
        establishment=school,
        released_attributes=["idPronote", "dateNaissance"],
    )
    assert unknown_names(by_id) == ["dateNaissance"]
    by_identity = make_service(
        "pronote-b",
        sso_type="pronote",
        establishment=school,
        pronote_recognition=PronoteRecognition.IDENTITY,
        released_attributes=["dateNaissance", "codePostal", "categories"],
    )
    assert unknown_names(by_identity) == []


def test_the_directory_names_are_those_the_directory_gives() -> None:
    school = make_establishment()
    teacher = make_person(
        establishment=school, profile=Profile.TEACHER, email="t@example.org", birth_last_name="X"
    )
    membership = Membership.objects.get(person=teacher)
    membership.class_name = "4A"
    membership.save()
    for kind in (
        GroupKind.CLASS,
        GroupKind.GROUP,
        GroupKind.SUBJECT,
        GroupKind.FUNCTION,
        GroupKind.DISCIPLINE,
        GroupKind.LEVEL,  # a pupil's, on any membership here: the test needs every kind
    ):
        MembershipGroup.objects.create(membership=membership, kind=kind, name=f"{kind}-1")
    assert set(directory_attributes(teacher)) == DIRECTORY_NAMES


def test_the_check_reports_it() -> None:
    make_service("appli", released_attributes=["mial"])
    make_service("other", released_attributes=["mail"])
    (warning,) = check_released_attributes()
    assert warning.id == "socle.W094"
    assert warning.msg == (
        "Service appli : aucun attribut ne porte le nom « mial » pour ce service ; il ne sera "
        "jamais transmis (faute de frappe ?)."
    )


def test_service_add_warns_of_it() -> None:
    _, warnings = make_service_by_command("--attributes", "mail,mial")
    assert "Attention : Service appli : aucun attribut ne porte le nom « mial »" in warnings
