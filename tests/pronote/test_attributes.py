"""What the CAS releases to PRONOTE: the attribute provider and its mandatory names."""

from __future__ import annotations

import datetime as dt

from socle.cas.attributes import mandatory_names as cas_mandatory_names
from socle.cas.attributes import providers
from socle.directory.profiles import Profile
from socle.portal.models import SSOType
from socle.pronote.attributes import mandatory_names, preview, pronote_attributes
from socle.pronote.models import MissingIdentifierEvent
from tests.factories import (
    make_establishment,
    make_membership,
    make_person,
    make_pronote_identity,
    make_service,
)


def pronote_service(establishment, recognition="pronote", attribute="idPronote", code="pronote"):
    return make_service(
        code,
        sso_type=SSOType.PRONOTE,
        establishment=establishment,
        patterns=(f"https://{establishment.uai.lower()}.index-education.net/pronote/**",),
        pronote_recognition=recognition,
        pronote_id_attribute=attribute,
    )


def test_the_provider_is_registered_with_its_mandatory_names():
    assert pronote_attributes in providers()
    school = make_establishment()
    assert "idPronote" in cas_mandatory_names(pronote_service(school))


def test_it_sends_the_pronote_identifier_of_the_services_school():
    school, other = make_establishment(), make_establishment()
    pupil = make_person(establishment=school)
    make_pronote_identity(pupil, school, "AZKH9C7WSQ2R54DP")
    make_pronote_identity(pupil, other, "OTHER00000000001")
    assert pronote_attributes(pupil, pronote_service(school)) == {"idPronote": ["AZKH9C7WSQ2R54DP"]}


def test_it_uses_the_configured_attribute_name():
    school = make_establishment()
    pupil = make_person(establishment=school)
    make_pronote_identity(pupil, school, "X1")
    service = pronote_service(school, attribute="identifiantPronote")
    assert pronote_attributes(pupil, service) == {"identifiantPronote": ["X1"]}
    assert mandatory_names(service) == {"identifiantPronote"}


def test_it_sends_nothing_to_other_services():
    school = make_establishment()
    pupil = make_person(establishment=school)
    service = make_service("mail", establishment=school)
    assert pronote_attributes(pupil, service) == {}
    assert mandatory_names(service) == set()


def test_it_sends_the_identity_for_recognition_by_identity():
    school = make_establishment()
    person = make_person(
        "Camille",
        "Martin",
        establishment=school,
        profile=Profile.TEACHER,
        birth_date=dt.date(1980, 3, 4),
        postal_code="31000",
    )
    make_membership(person, school, profile=Profile.PARENT)
    make_membership(person, make_establishment(), profile=Profile.DIRECTION)
    service = pronote_service(school, recognition="identity")
    assert pronote_attributes(person, service) == {
        "nom": ["Martin"],
        "prenom": ["Camille"],
        "dateNaissance": ["04/03/1980"],
        "codePostal": ["31000"],
        "categories": ["National_2;National_3"],
    }
    assert mandatory_names(service) == {
        "nom",
        "prenom",
        "dateNaissance",
        "codePostal",
        "categories",
    }


def test_categories_never_come_from_another_school():
    """A global administrator (who may open every service) has no membership in the PRONOTE
    service's school: PRONOTE gets no ``categories`` rather than their profile elsewhere."""
    school, elsewhere = make_establishment(), make_establishment()
    admin = make_person(
        "Alex", "Admin", establishment=elsewhere, profile=Profile.DIRECTION, is_superuser=True
    )
    attributes = pronote_attributes(admin, pronote_service(school, recognition="identity"))
    assert attributes == {"nom": ["Admin"], "prenom": ["Alex"]}


def test_the_directory_attributes_a_pronote_service_lists_are_its_schools_only():
    from socle.cas.attributes import collect

    school, elsewhere = make_establishment(), make_establishment()
    teacher = make_person(establishment=school, profile=Profile.TEACHER)
    make_membership(teacher, elsewhere, profile=Profile.DIRECTION)
    service = pronote_service(school, recognition="identity")
    service.released_attributes = ["uai", "profils"]
    service.save()
    attributes = collect(teacher, service)
    assert attributes["uai"] == [school.uai]
    assert attributes["profils"] == [Profile.TEACHER]
    assert attributes["categories"] == ["National_3"]


def test_it_maps_every_profile_to_pronotes_categories():
    school = make_establishment()
    expected = {
        Profile.PUPIL: "National_1",
        Profile.PARENT: "National_2",
        Profile.TEACHER: "National_3",
        Profile.DOCUMENTALIST: "National_3",
        Profile.DIRECTION: "National_4",
        Profile.VIE_SCOLAIRE: "National_5",
        Profile.ADMIN_STAFF: "National_6",
        Profile.COLLECTIVITY: "National_6",
        Profile.ACADEMY: "National_7",
    }
    service = pronote_service(school, recognition="identity")
    for profile, code in expected.items():
        person = make_person("A", str(profile), establishment=school, profile=profile)
        assert pronote_attributes(person, service)["categories"] == [code]


def test_both_modes_send_both_and_omit_unknown_values():
    school = make_establishment()
    pupil = make_person("Léa", "Petit", establishment=school)
    make_pronote_identity(pupil, school, "X1")
    attributes = pronote_attributes(pupil, pronote_service(school, recognition="both"))
    assert attributes == {
        "idPronote": ["X1"],
        "nom": ["Petit"],
        "prenom": ["Léa"],
        "categories": ["National_1"],
    }


def test_a_person_without_identifier_is_recorded_for_the_diagnostics():
    school = make_establishment()
    pupil = make_person(establishment=school)
    service = pronote_service(school)
    assert pronote_attributes(pupil, service) == {}
    assert pronote_attributes(pupil, service) == {}
    event = MissingIdentifierEvent.objects.get()
    assert (event.person, event.establishment, event.count, event.service_code) == (
        pupil,
        school,
        2,
        "pronote",
    )


def test_a_preview_records_nothing():
    school = make_establishment()
    pupil = make_person(establishment=school)
    with preview():
        pronote_attributes(pupil, pronote_service(school))
    assert not MissingIdentifierEvent.objects.exists()


def test_the_cas_releases_the_identifier_to_pronote_whatever_its_release_list():
    from socle.cas.attributes import collect

    school = make_establishment()
    pupil = make_person(establishment=school)
    make_pronote_identity(pupil, school, "X1")
    service = pronote_service(school)
    assert service.released_attributes == []
    assert collect(pupil, service) == {"idPronote": ["X1"]}
