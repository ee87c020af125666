"""The service form for an establishment's administrator: their school only, and no address
another school's service (declared or not, its hosted PRONOTE.net) may need; an earlier pattern
that would take a new service's addresses."""

from __future__ import annotations

from typing import Any

from socle.directory.models import Establishment, Person, Profile
from socle.portal.models import Service, SSOType
from tests.factories import make_person, make_service, make_service_at
from tests.portal.conftest import logged_in
from tests.portal.test_service_pages import field_errors, post_new


def post_cas_service(
    admin: Person, school: Establishment, code: str, url: str, **fields: str
) -> Any:
    """``admin`` sends the service form for the CAS service ``code`` of ``school`` at ``url``
    (``fields``: the form's other fields, ``patterns_text`` first)."""
    return post_new(
        logged_in(admin),
        code=code,
        sso_type=SSOType.CAS,
        url=url,
        establishment=str(school.pk),
        **fields,
    )


def test_an_establishment_admin_creates_a_service_for_their_school_only(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    client = logged_in(school_admin)
    response = post_new(client, establishment=str(other_school.pk))
    assert "establishment" in response.context["form"].errors
    response = post_new(client, establishment=str(school.pk))
    assert response.status_code == 302
    assert Service.objects.get().establishment == school


HIJACK = (
    r"^http://127\.0\.0\.1:8001/pronote/(professeur\.html|parent\.html|eleve\.html\?.+)(\?.*)?$"
)


def test_a_school_administrator_cannot_take_the_addresses_of_another_schools_pronote(
    school: Establishment, other_school: Establishment, superuser: Person, settings: Any
) -> None:
    settings.SOCLE_CAS_OUTBOUND_PRIVATE = True  # local addresses allowed: the foreign check
    make_service_at(
        "PRONOTE-JAURES",
        "http://127.0.0.1:8001/pronote/",
        sso_type=SSOType.PRONOTE,
        establishment=school,
    )
    fermat_admin = make_person(
        "Hélène", "Le Gall", establishment=other_school, profile=Profile.DIRECTION, is_admin=True
    )
    hijack_url = "http://127.0.0.1:8001/pronote/eleve.html?x=1"
    response = post_cas_service(
        fermat_admin, other_school, "HIJACK", hijack_url, patterns_text=HIJACK, order="0"
    )
    errors = field_errors(response, "patterns_text")
    assert len(errors) == 1 and "« PRONOTE-JAURES » (Collège Jean Jaurès)" in errors[0], errors
    assert "que vous n'administrez pas" in errors[0]
    assert not Service.objects.filter(code="HIJACK").exists()
    # An administrator of the whole ENT may still write it (the usual overlap checks apply).
    response = post_cas_service(superuser, other_school, "HIJACK", hijack_url, patterns_text=HIJACK)
    assert response.status_code == 302


def test_a_school_administrator_keeps_the_addresses_of_their_own_school(
    school: Establishment, other_school: Establishment, school_admin: Person
) -> None:
    make_service_at(
        "MOODLE-FERMAT", "https://moodle.example.org/fermat/", establishment=other_school
    )
    inside_theirs = "https://moodle.example.org/fermat/cours/"
    response = post_cas_service(
        school_admin, school, "MOODLE-COURS", inside_theirs, patterns_text=inside_theirs + "**"
    )
    assert (
        "« MOODLE-FERMAT » (Collège Pierre de Fermat)" in field_errors(response, "patterns_text")[0]
    )
    own = "https://moodle.example.org/jaures/"
    response = post_cas_service(
        school_admin, school, "MOODLE-JAURES", own, patterns_text=own + "**"
    )
    assert response.status_code == 302


def test_a_school_administrator_is_told_to_start_a_regular_expression_with_the_address(
    school: Establishment, other_school: Establishment, school_admin: Person
) -> None:
    make_service_at(
        "CAHIER-FERMAT", "https://cahier.fermat.example/ent/", establishment=other_school
    )
    response = post_cas_service(
        school_admin,
        school,
        "APPLI-JAURES",
        "https://app.jaures.example/a/",
        patterns_text=r"^(https|http)://app\.jaures\.example/a/.*",
    )
    (error,) = field_errors(response, "patterns_text")
    assert "ne commence pas par l'adresse complète du service" in error
    assert "« CAHIER-FERMAT » (Collège Pierre de Fermat)" in error


def test_a_school_administrator_covering_another_schools_address_is_told_whose_it_is(
    school: Establishment, other_school: Establishment, school_admin: Person, settings: Any
) -> None:
    settings.SOCLE_CAS_OUTBOUND_PRIVATE = True  # local addresses allowed: the foreign check
    theirs = "http://127.0.0.1:8002/pronote/"
    make_service_at("PRONOTE-FERMAT", theirs, sso_type=SSOType.PRONOTE, establishment=other_school)
    response = post_cas_service(
        school_admin, school, "APPLI-JAURES", theirs + "eleve.html", patterns_text=theirs + "**"
    )
    (error,) = field_errors(response, "patterns_text")
    assert "« PRONOTE-FERMAT » (Collège Pierre de Fermat), que vous n'administrez pas" in error


def test_a_new_service_whose_addresses_an_earlier_pattern_takes_is_refused(
    school: Establishment, other_school: Establishment, superuser: Person
) -> None:
    make_service(
        "SQUAT",
        establishment=school,
        order=5,
        kind="regex",
        patterns=(
            r"^https://app\.jaures\.example/a/.*"
            r"|^https://0310001h\.index-education\.net/pronote/professeur\.html.*",
        ),
    )
    response = post_new(
        logged_in(superuser),
        code="PRONOTE-FERMAT",
        url="https://0310001h.index-education.net/pronote/",
        establishment=str(other_school.pk),
    )
    (error,) = field_errors(response, "url")
    assert "est déjà acceptée par le motif" in error and "« SQUAT » (Collège Jean Jaurès)" in error
    assert not Service.objects.filter(code="PRONOTE-FERMAT").exists()
    assert (
        post_new(
            logged_in(superuser),
            code="PRONOTE-FERMAT",
            url="https://0310001h.index-education.net/pronote/",
            establishment=str(other_school.pk),
            order="4",  # before it: the order settles which service gets the address
        ).status_code
        == 302
    )
