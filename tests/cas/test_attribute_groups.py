"""``classes`` (a pupil's class, a teacher's taught classes) and ``groupes`` (pupils' and
teachers' groups, from the AAF) are released like the other directory attributes: only when the
service lists them, scoped to the service's establishment (docs/cas.md, "Attributes")."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from lxml import etree

from socle.cas.attributes import directory_attributes
from socle.directory.models import GroupKind, Membership, MembershipGroup, Person
from socle.directory.profiles import Profile
from tests.cas.conftest import cas_login, ticket_from
from tests.cas.test_attribute_scope import attributes_of
from tests.factories import make_establishment, make_membership, make_person, make_service

RELEASED = ["uai", "classes", "groupes"]


def _rows(*rows: tuple[Membership, str, str]) -> None:
    for membership, kind, name in rows:
        MembershipGroup.objects.create(membership=membership, kind=kind, name=name)


def _teacher_and_pupil() -> tuple[Person, Person, int, int]:
    a = make_establishment(uai="0312609T", name="Collège Jean Jaurès")
    b = make_establishment(uai="0312799Z", name="Collège Pierre de Fermat")
    teacher = make_person("Hélène", "Le Gall", establishment=a, profile=Profile.TEACHER)
    in_b = make_membership(teacher, b, profile=Profile.TEACHER)
    in_a = Membership.objects.get(person=teacher, establishment=a)
    _rows(
        (in_a, GroupKind.CLASS, "4A"),
        (in_a, GroupKind.CLASS, "3B"),
        (in_a, GroupKind.GROUP, "LATIN"),
        (in_b, GroupKind.CLASS, "6C"),
        (in_b, GroupKind.GROUP, "CHORALE"),
    )
    pupil = make_person("Camille", "Martin", establishment=a, class_name="4A")
    MembershipGroup.objects.create(
        membership=pupil.memberships.get(), kind=GroupKind.GROUP, name="ANGLAIS"
    )
    return teacher, pupil, a.pk, b.pk


def _validate(person: Person, url: str) -> dict[str, list[str]]:
    ticket = ticket_from(cas_login(Client(), person, url))
    answer = Client().get("/cas/p3/serviceValidate", {"ticket": ticket, "service": url})
    # Only the directory's attributes: the CAS 3.0 ones (authenticationDate…) are always there.
    return {k: v for k, v in attributes_of(answer).items() if k in {*RELEASED, "nom"}}


def test_a_schools_service_gets_the_teachers_classes_and_groups_there_only() -> None:
    teacher, pupil, _a, b = _teacher_and_pupil()
    make_service(
        "fermat",
        patterns=("https://fermat.example.org/**",),
        establishment_id=b,
        released_attributes=RELEASED,
    )

    attributes = _validate(teacher, "https://fermat.example.org/")

    assert attributes == {"uai": ["0312799Z"], "classes": ["6C"], "groupes": ["CHORALE"]}


def test_an_ent_wide_service_gets_every_schools_classes_and_groups() -> None:
    teacher, pupil, _a, _b = _teacher_and_pupil()
    make_service("ent", patterns=("https://ent.example.org/**",), released_attributes=RELEASED)

    teacher_attributes = _validate(teacher, "https://ent.example.org/")
    pupil_attributes = _validate(pupil, "https://ent.example.org/")

    assert teacher_attributes["classes"] == ["3B", "4A", "6C"]
    assert teacher_attributes["groupes"] == ["CHORALE", "LATIN"]
    assert pupil_attributes["classes"] == ["4A"]  # Membership.class_name
    assert pupil_attributes["groupes"] == ["ANGLAIS"]


def test_the_groups_are_not_released_to_a_service_that_does_not_list_them() -> None:
    teacher, _pupil, a, _b = _teacher_and_pupil()
    make_service(
        "jaures",
        patterns=("https://jaures.example.org/**",),
        establishment_id=a,
        released_attributes=["uai", "nom"],
    )

    attributes = _validate(teacher, "https://jaures.example.org/")

    assert attributes == {"uai": ["0312609T"], "nom": ["Le Gall"]}


def test_classes_and_groups_cost_one_query_more_than_the_memberships() -> None:
    teacher, _pupil, a, _b = _teacher_and_pupil()
    person = Person.objects.get(pk=teacher.pk)

    with CaptureQueriesContext(connection) as context:
        attributes = directory_attributes(person, a)

    assert attributes["classes"] == ["3B", "4A"]
    assert attributes["groupes"] == ["LATIN"]
    # The memberships (with their establishment), then every class and group in one query.
    assert len(context.captured_queries) == 2


def test_saml_validation_releases_them_too() -> None:
    teacher, _pupil, a, _b = _teacher_and_pupil()
    make_service(
        "jaures",
        patterns=("https://jaures.example.org/**",),
        establishment_id=a,
        released_attributes=RELEASED,
    )
    url = "https://jaures.example.org/"
    ticket = ticket_from(cas_login(Client(), teacher, url))
    envelope = (
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
        '<SOAP-ENV:Body><samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol"'
        ' MajorVersion="1" MinorVersion="1" RequestID="_r" IssueInstant="2026-09-07T08:00:00Z">'
        f"<samlp:AssertionArtifact>{ticket}</samlp:AssertionArtifact></samlp:Request>"
        "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )

    answer = Client().post(f"/cas/samlValidate?TARGET={url}", envelope, content_type="text/xml")

    root = etree.fromstring(answer.content)
    values = {
        attribute.get("AttributeName"): sorted(v.text for v in attribute)
        for attribute in root.iter("{urn:oasis:names:tc:SAML:1.0:assertion}Attribute")
    }
    assert values["classes"] == ["3B", "4A"]
    assert values["groupes"] == ["LATIN"]


def test_a_teachers_subjects_functions_and_disciplines_go_where_the_service_lists_them() -> None:
    teacher, pupil, a, b = _teacher_and_pupil()
    in_a = Membership.objects.get(person=teacher, establishment_id=a)
    in_b = Membership.objects.get(person=teacher, establishment_id=b)
    _rows(
        (in_a, GroupKind.SUBJECT, "ANGLAIS"),
        (in_a, GroupKind.FUNCTION, "ENSEIGNEMENT"),
        (in_a, GroupKind.DISCIPLINE, "ANGLAIS"),
        (in_b, GroupKind.SUBJECT, "LATIN"),
    )
    names = ["matieres", "fonctions", "disciplinesPoste"]
    make_service(
        "manuels",
        patterns=("https://manuels.example.org/**",),
        establishment_id=a,
        released_attributes=names,
    )
    ticket = ticket_from(cas_login(Client(), teacher, "https://manuels.example.org/"))
    answer = Client().get(
        "/cas/p3/serviceValidate", {"ticket": ticket, "service": "https://manuels.example.org/"}
    )
    released = {k: v for k, v in attributes_of(answer).items() if k in names}
    assert released == {  # the service's school only: not Fermat's LATIN
        "matieres": ["ANGLAIS"],
        "fonctions": ["ENSEIGNEMENT"],
        "disciplinesPoste": ["ANGLAIS"],
    }
    # and none of them in classes or groupes, nor anything for a pupil
    everything = directory_attributes(Person.objects.get(pk=teacher.pk), a)
    assert everything["classes"] == ["3B", "4A"] and everything["groupes"] == ["LATIN"]
    assert not set(names) & set(directory_attributes(Person.objects.get(pk=pupil.pk), a))


def test_it_releases_a_pupil_s_level_as_niveaux_to_a_service_that_lists_it() -> None:
    a = make_establishment(uai="0312609T", name="Collège Jean Jaurès")
    pupil = make_person("Camille", "Martin", establishment=a, class_name="3B")
    _rows((Membership.objects.get(person=pupil), GroupKind.LEVEL, "3EME"))
    make_service(
        "brevet",
        patterns=("https://brevet.example.org/**",),
        establishment_id=a.pk,
        released_attributes=["classes", "niveaux"],
    )
    ticket = ticket_from(cas_login(Client(), pupil, "https://brevet.example.org/"))
    answer = Client().get(
        "/cas/p3/serviceValidate", {"ticket": ticket, "service": "https://brevet.example.org/"}
    )
    released = attributes_of(answer)
    assert released["niveaux"] == ["3EME"] and released["classes"] == ["3B"]
    # a level is no class nor group
    everything = directory_attributes(Person.objects.get(pk=pupil.pk), a.pk)
    assert "3EME" not in everything["classes"] and "groupes" not in everything
