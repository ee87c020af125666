"""Directory attributes are limited to the service's establishment (data minimisation): a
service tied to one school learns nothing of the person's other schools; an ENT-wide service
gets every membership's values."""

from __future__ import annotations

from django.test import Client
from lxml import etree

from socle.cas.attributes import collect
from socle.directory.profiles import Profile
from socle.portal.access_cache import person_facts
from tests.cas.conftest import cas_login, ticket_from
from tests.factories import make_establishment, make_membership, make_person, make_service

NS = {"cas": "http://www.yale.edu/tp/cas"}
RELEASED = ["uai", "profils", "classes", "nom"]


def teacher_in_two_schools():
    a = make_establishment(uai="0312609T", name="Collège Jean Jaurès")
    b = make_establishment(uai="0312799Z", name="Collège Pierre de Fermat")
    teacher = make_person("Hélène", "Le Gall", establishment=a, profile=Profile.TEACHER)
    make_membership(teacher, b, profile=Profile.DOCUMENTALIST)
    make_membership(teacher, a, profile=Profile.PARENT, class_name="4A")
    return teacher, a, b


def attributes_of(response) -> dict[str, list[str]]:
    root = etree.fromstring(response.content)
    found: dict[str, list[str]] = {}
    for element in root.find(".//cas:attributes", NS):
        found.setdefault(etree.QName(element).localname, []).append(element.text)
    return found


def test_a_service_of_one_school_gets_that_schools_values_only():
    teacher, _a, b = teacher_in_two_schools()
    service = make_service(
        "cdi-fermat",
        patterns=("https://cdi.fermat.example.org/**",),
        establishment=b,
        released_attributes=RELEASED,
    )
    url = "https://cdi.fermat.example.org/"
    ticket = ticket_from(cas_login(Client(), teacher, url))
    attributes = attributes_of(
        Client().get("/cas/p3/serviceValidate", {"ticket": ticket, "service": url})
    )
    assert attributes["uai"] == ["0312799Z"]
    assert attributes["profils"] == [Profile.DOCUMENTALIST]
    assert "classes" not in attributes  # the class is school A's
    assert attributes["nom"] == ["Le Gall"]
    assert service.establishment_id == b.pk


def test_an_ent_wide_service_gets_every_memberships_values():
    teacher, _a, _b = teacher_in_two_schools()
    make_service(
        "mediacentre", patterns=("https://media.example.org/**",), released_attributes=RELEASED
    )
    url = "https://media.example.org/"
    ticket = ticket_from(cas_login(Client(), teacher, url))
    attributes = attributes_of(
        Client().get("/cas/p3/serviceValidate", {"ticket": ticket, "service": url})
    )
    assert attributes["uai"] == ["0312609T", "0312799Z"]
    assert attributes["profils"] == sorted([Profile.TEACHER, Profile.DOCUMENTALIST, Profile.PARENT])
    assert attributes["classes"] == ["4A"]


def test_the_per_process_copy_keeps_each_scope_apart():
    teacher, a, b = teacher_in_two_schools()
    facts = person_facts(teacher.pk)
    of_a = make_service(
        "a", patterns=("https://a.example.org/**",), establishment=a, released_attributes=RELEASED
    )
    of_b = make_service(
        "b", patterns=("https://b.example.org/**",), establishment=b, released_attributes=RELEASED
    )
    everywhere = make_service(
        "ent", patterns=("https://ent.example.org/**",), released_attributes=RELEASED
    )
    for _ in range(2):  # the second round is served from the copy
        assert collect(facts, of_a)["uai"] == ["0312609T"]
        assert collect(facts, of_b)["uai"] == ["0312799Z"]
        assert collect(facts, everywhere)["uai"] == ["0312609T", "0312799Z"]


def test_someone_without_membership_in_the_services_school_gets_no_school_values():
    teacher, _a, _b = teacher_in_two_schools()
    other = make_establishment(name="Lycée")
    service = make_service(
        "lycee",
        patterns=("https://lycee.example.org/**",),
        establishment=other,
        released_attributes=RELEASED,
    )
    attributes = collect(person_facts(teacher.pk), service)
    assert attributes == {"nom": ["Le Gall"]}
