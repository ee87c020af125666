"""Between schools: an administrator of school A tries, page by page, to read or change what
belongs to school B only (ids in URLs and in POST data, choices not offered, query strings), and
people who administer nothing, or no longer, try the administration pages."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from lxml import html

from socle.directory.models import Establishment, Membership, Person
from socle.directory.profiles import Profile
from socle.portal import individual
from socle.portal.access import can_access
from socle.portal.models import (
    AccessMode,
    AccessRule,
    AccessTarget,
    Group,
    Service,
    ServiceActivation,
    SSOType,
    Trace,
)
from socle.portal.traces import record
from tests.factories import make_membership, make_parent_link, make_person, make_service
from tests.portal.conftest import logged_in
from tests.portal.test_service_pages import service_data

ADMIN_PAGES = (
    "portal:admin_index",
    "portal:service_list",
    "portal:service_create",
    "portal:activations",
    "portal:traces",
    "portal:indicators",
    "portal:accounts",
    "pronote:index",
    "pronote:doctor",
    "pronote:export",
)


def _administer(person: Person, school: Establishment) -> None:
    """Makes ``person`` an administrator of ``school`` too."""
    make_membership(person, school, profile=Profile.DIRECTION, is_admin=True)


def _anonymous_service_data(school: Establishment) -> dict[str, Any]:
    return service_data(
        code="piege",
        label="Changez votre mot de passe",
        sso_type=SSOType.NONE,
        url="https://piege.example.org/",
        establishment=str(school.pk),
        anonymous="on",
        in_services_bar="on",
    )


def _create_anonymous_service(admin: Person, school: Establishment) -> Any:
    """``admin`` sends the service form for an anonymous service of ``school``."""
    return logged_in(admin).post(reverse("portal:service_create"), _anonymous_service_data(school))


def test_it_refuses_an_anonymous_service_of_a_school_shown_to_another_school(
    school_admin: Person, school: Establishment, pupil_there: Person
) -> None:
    response = _create_anonymous_service(school_admin, school)
    assert response.status_code == 200
    assert response.context["form"].errors["anonymous"] == [
        "Un service anonyme est proposé à tout l'ENT, visiteurs compris : seul un "
        "administrateur de l'ENT peut le déclarer."
    ]
    assert not Service.objects.exists()
    for client in (logged_in(pupil_there), Client()):
        assert "Changez votre mot de passe" not in client.get("/").content.decode()


def test_it_shows_a_school_administrator_the_anonymous_box_disabled_with_why(
    school_admin: Person, superuser: Person
) -> None:
    tree = html.fromstring(
        logged_in(school_admin).get(reverse("portal:service_create")).content.decode()
    )
    box = tree.xpath('//input[@name="anonymous"]')[0]
    assert box.get("disabled") is not None
    help_text = tree.xpath(f'//*[@id="{box.get("aria-describedby")}"]')[0].text_content()
    assert "seul un administrateur de l'ENT peut le déclarer" in help_text
    tree = html.fromstring(
        logged_in(superuser).get(reverse("portal:service_create")).content.decode()
    )
    assert tree.xpath('//input[@name="anonymous"]')[0].get("disabled") is None


def test_it_refuses_a_school_administrator_the_change_of_an_anonymous_service_of_their_school(
    school_admin: Person, school: Establishment, superuser: Person
) -> None:
    assert _create_anonymous_service(superuser, school).status_code == 302
    service = Service.objects.get(code="piege")
    assert service.anonymous and service.establishment == school
    client = logged_in(school_admin)
    url = reverse("portal:service_edit", args=[service.pk])
    page = client.get(url)
    assert [t.name for t in page.templates][0] == "portal/services/readonly.html"
    assert "Ce service anonyme est proposé à tout l'ENT" in page.content.decode()
    data = _anonymous_service_data(school) | {"url": "https://ailleurs.example.org/"}
    client.post(url, data)
    assert client.post(reverse("portal:service_delete", args=[service.pk])).status_code == 403
    service.refresh_from_db()
    assert service.url == "https://piege.example.org/"
    own = make_service("cdt", sso_type=SSOType.NONE, establishment=school, patterns=())
    edit = reverse("portal:service_edit", args=[own.pk])
    response = client.post(edit, service_data(code="cdt", **_plain(school), anonymous="on"))
    assert "anonymous" in response.context["form"].errors
    own.refresh_from_db()
    assert not own.anonymous


def _plain(school: Establishment) -> dict[str, Any]:
    return {
        "label": "Cahier de textes",
        "sso_type": SSOType.NONE,
        "url": "https://cdt.example.org/",
        "establishment": str(school.pk),
    }


def test_it_refuses_a_service_created_in_or_moved_to_another_school(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    client = logged_in(school_admin)
    theirs = {**_plain(other_school)}
    response = client.post(reverse("portal:service_create"), service_data(code="cdt", **theirs))
    assert "establishment" in response.context["form"].errors
    assert not Service.objects.exists()
    own = make_service("cdt", sso_type=SSOType.NONE, establishment=school, patterns=())
    response = client.post(
        reverse("portal:service_edit", args=[own.pk]), service_data(code="cdt", **theirs)
    )
    assert "establishment" in response.context["form"].errors
    own.refresh_from_db()
    assert own.establishment == school


def test_it_refuses_a_rule_for_a_group_or_a_class_of_another_school(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    shared = make_service("aide", url="https://aide.example.org/")
    own = make_service("labo", url="https://labo.example.org/", establishment=school)
    club = Group.objects.create(establishment=other_school, name="Club théâtre")
    make_person("Léa", "Autre", establishment=other_school, class_name="3B")
    client = logged_in(school_admin)
    attempts = [
        (shared, {"rule-target": "groups", "rule-groups": [f"g{club.pk}"]}),
        (shared, {"rule-target": "groups", "rule-groups": ["c3B"]}),
        (own, {"rule-target": "establishments", "rule-establishments": [other_school.pk]}),
    ]
    for service, data in attempts:
        url = reverse("portal:service_access", args=[service.pk])
        post = {"action": "add_rule", "rule-role": "access", "rule-profiles": [""], **data}
        response = client.post(url, post)
        assert response.status_code == 200 and response.context["rule_form"].errors
    assert not AccessRule.objects.exists()
    assert not Group.objects.exclude(pk=club.pk).exists()  # no « Classe 3B » made for A


def test_it_refuses_to_remove_the_activation_of_another_school(
    school_admin: Person, other_school: Establishment
) -> None:
    shared = make_service("aide", url="https://aide.example.org/")
    ServiceActivation.objects.create(service=shared, establishment=other_school, enabled=False)
    url = reverse("portal:service_access", args=[shared.pk])
    client = logged_in(school_admin)
    response = client.post(url, {"action": "remove_activation", "id": other_school.pk})
    assert response.status_code == 403
    assert ServiceActivation.objects.filter(establishment=other_school).exists()
    assert other_school.name not in client.get(url).content.decode()


def test_it_refuses_the_individual_access_given_in_another_school(
    school_admin: Person, other_school: Establishment, pupil_there: Person
) -> None:
    shared = make_service("aide", url="https://aide.example.org/", access_mode=AccessMode.RULES)
    individual.grant(shared, pupil_there, other_school)
    their_rule = AccessRule.objects.get()
    client = logged_in(school_admin)
    users = reverse("portal:service_users", args=[shared.pk])
    assert client.post(users, {"action": "revoke", "id": pupil_there.pk}).status_code == 403
    access = reverse("portal:service_access", args=[shared.pk])
    response = client.post(access, {"action": "remove_rule", "id": their_rule.pk})
    assert response.status_code == 403
    assert can_access(pupil_there, shared)
    for query in ({}, {"q": pupil_there.login}, {"q": "Léa Autre"}):
        response = client.get(users, query)
        assert response.context["granted"] == [] and response.context["results"] == []


def test_it_refuses_the_indicators_of_another_school(
    school_admin: Person, other_school: Establishment, pupil_there: Person
) -> None:
    record("ticket_issued", person=pupil_there, uai=other_school.uai, service_code="labas")
    client = logged_in(school_admin)
    assert "labas" not in client.get(reverse("portal:indicators")).content.decode()
    response = client.get(reverse("portal:indicators"), {"uai": other_school.uai})
    assert "uai" in response.context["form"].errors and "labas" not in response.content.decode()


def test_it_refuses_another_schools_pages_to_an_administrator_of_a_who_is_a_parent_in_b(
    school_admin: Person, other_school: Establishment
) -> None:
    child = make_person("Hugo", "Dupuis", establishment=other_school, class_name="6C")
    make_membership(school_admin, other_school, profile=Profile.PARENT)
    make_parent_link(school_admin, child)
    teacher_there = make_person("Paul", "Prof", establishment=other_school, profile=Profile.TEACHER)
    shared = make_service("aide", url="https://aide.example.org/")
    client = logged_in(school_admin)
    for url in (reverse("portal:activations"), reverse("portal:service_access", args=[shared.pk])):
        assert client.get(url, {"etab": other_school.uai}).status_code == 403
    for person in (child, teacher_there):
        reset = reverse("directory:reset_password", args=[person.uid])
        assert client.post(reset).status_code == 403
        block = reverse("portal:account_block", args=[person.uid])
        assert client.post(block).status_code == 404  # not this school's: not found
    record("ticket_issued", person=teacher_there, uai=other_school.uai, service_code="labas")
    assert "labas" not in client.get(reverse("portal:traces")).content.decode()
    pronote = client.get(reverse("pronote:index"))
    choices = pronote.context["form"].fields["establishment"].queryset
    assert other_school not in choices


def _admin_urls(service: Service, person: Person) -> list[str]:
    return [
        *(reverse(name) for name in ADMIN_PAGES),
        reverse("portal:service_edit", args=[service.pk]),
        reverse("portal:service_access", args=[service.pk]),
        reverse("portal:service_users", args=[service.pk]),
        reverse("portal:service_delete", args=[service.pk]),
        reverse("portal:account_block", args=[person.uid]),
        reverse("portal:account_unblock", args=[person.uid]),
        reverse("directory:reset_password", args=[person.uid]),
        reverse("directory:reset_code", args=[person.uid]),
    ]


def test_it_refuses_every_administration_page_to_teachers_pupils_and_parents(
    school: Establishment,
) -> None:
    service = make_service("labo", url="https://labo.example.org/", establishment=school)
    pupil = make_person(establishment=school, class_name="4A")
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    parent = make_person("Anne", "Martin", establishment=school, profile=Profile.PARENT)
    make_parent_link(parent, pupil)
    for person in (pupil, teacher, parent):
        client = logged_in(person)
        target = teacher if person is not teacher else pupil
        for url in _admin_urls(service, target):
            assert client.get(url).status_code == 403, url
        for url in _admin_urls(service, target)[:-1]:  # the code page answers GET only
            assert client.post(url, {"action": "grant", "id": person.pk}).status_code == 403, url
    service.refresh_from_db()
    assert not AccessRule.objects.exists() and Service.objects.filter(pk=service.pk).exists()
    assert all(p.has_usable_password() and p.is_active for p in Person.objects.all())


def test_it_refuses_the_administration_pages_once_the_rights_are_removed_while_logged_in(
    school_admin: Person, school: Establishment
) -> None:
    service = make_service("labo", url="https://labo.example.org/", establishment=school)
    pupil = make_person(establishment=school)
    client = logged_in(school_admin)
    assert client.get(reverse("portal:service_list")).status_code == 200
    Membership.objects.filter(person=school_admin).update(is_admin=False)
    for url in _admin_urls(service, pupil):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("portal:service_delete", args=[service.pk])).status_code == 403
    assert client.post(reverse("directory:reset_password", args=[pupil.uid])).status_code == 403
    assert Service.objects.filter(pk=service.pk).exists()
    pupil.refresh_from_db()
    assert pupil.has_usable_password()


def test_it_sends_a_deactivated_school_administrator_to_the_login(
    school_admin: Person, school: Establishment
) -> None:
    service = make_service("labo", url="https://labo.example.org/", establishment=school)
    pupil = make_person(establishment=school)
    client = logged_in(school_admin)
    Person.objects.filter(pk=school_admin.pk).update(is_active=False)
    for url in _admin_urls(service, pupil):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/cas/login")
    client.post(reverse("directory:reset_password", args=[pupil.uid]))
    pupil.refresh_from_db()
    assert pupil.has_usable_password()


def test_it_refuses_the_django_admin_to_a_school_administrator(school_admin: Person) -> None:
    client = logged_in(school_admin)
    for url in ("/django-admin/", "/django-admin/directory/person/", "/django-admin/portal/trace/"):
        response = client.get(url, follow=True)
        assert response.status_code == 403, url


def test_it_records_a_change_for_another_administered_school_in_that_schools_traces(
    school_admin: Person, school: Establishment, other_school: Establishment, pupil_there: Person
) -> None:
    _administer(school_admin, other_school)
    admin_here = make_person("Marc", "Ici", establishment=school, profile=Profile.DIRECTION)
    admin_there = make_person("Lou", "Labas", establishment=other_school, profile=Profile.TEACHER)
    Membership.objects.filter(person__in=[admin_here, admin_there]).update(is_admin=True)
    shared = make_service("aide", url="https://aide.example.org/", access_mode=AccessMode.RULES)
    client = logged_in(school_admin)
    url = reverse("portal:service_access", args=[shared.pk]) + f"?etab={school.uai}"
    added = {
        "action": "add_rule",
        "rule-role": "access",
        "rule-target": "establishments",
        "rule-establishments": [other_school.pk],
        "rule-profiles": [Profile.TEACHER],
    }
    assert client.post(url, added).status_code == 302
    rule = AccessRule.objects.get()
    assert client.post(url, {"action": "remove_rule", "id": rule.pk}).status_code == 302
    users = reverse("portal:service_users", args=[shared.pk]) + f"?etab={school.uai}"
    for action in ("grant", "revoke"):
        assert client.post(users, {"action": action, "id": pupil_there.pk}).status_code == 302

    def traced(admin: Person) -> list[tuple[str, str]]:
        response = logged_in(admin).get(reverse("portal:traces"), {"service": "aide"})
        return sorted((row[0].event, row[0].uai) for row in response.context["rows"])

    events = ["access_rule_added", "access_rule_added", "access_rule_removed"]
    events += ["access_rule_removed"]
    assert traced(admin_there) == sorted((event, other_school.uai) for event in events)
    assert traced(admin_here) == []


def test_it_writes_no_refusal_in_the_traces_of_a_school_the_person_is_not_in(
    school: Establishment, other_school: Establishment
) -> None:
    shared = make_service("aide", url="https://aide.example.org/", access_mode=AccessMode.RULES)
    theirs = make_service(
        "labo", url="https://labo.example.org/", establishment=other_school, patterns=()
    )
    pupil = make_person(establishment=school)
    client = logged_in(pupil)
    for service in (shared, theirs):
        url = reverse("portal:launcher", args=[service.code])
        for query in ({}, {"etab": other_school.uai}, {"etab": school.uai}):
            assert client.get(url, query).status_code == 403
    traced = sorted(Trace.objects.filter(event="access_denied").values_list("service_code", "uai"))
    assert (
        traced
        == [("aide", ""), ("aide", ""), ("aide", school.uai)] + [("labo", other_school.uai)] * 3
    )


def test_it_lets_an_administrator_of_both_schools_manage_both(
    school_admin: Person, school: Establishment, other_school: Establishment, pupil_there: Person
) -> None:
    _administer(school_admin, other_school)
    theirs = make_service("labo", url="https://labo.example.org/", establishment=other_school)
    record("ticket_issued", person=pupil_there, uai=other_school.uai, service_code="labo")
    client = logged_in(school_admin)
    assert client.get(reverse("portal:activations"), {"etab": other_school.uai}).status_code == 200
    assert client.get(reverse("portal:service_edit", args=[theirs.pk])).status_code == 200
    assert "lea.autre" in client.get(reverse("portal:traces")).content.decode()
    reset = client.post(reverse("directory:reset_password", args=[pupil_there.uid]))
    assert reset.status_code == 302
    choices = client.get(reverse("pronote:index")).context["form"].fields["establishment"]
    assert set(choices.queryset) == {school, other_school}


def test_it_refuses_a_rule_of_another_schools_service_posted_on_a_service_of_ones_own(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    own = make_service("labo", url="https://labo.example.org/", establishment=school)
    theirs = make_service("cdi", url="https://cdi.example.org/", establishment=other_school)
    their_rule = AccessRule.objects.create(service=theirs, target=AccessTarget.SITE)
    their_rule.establishments.set([other_school])
    ServiceActivation.objects.create(service=theirs, establishment=other_school, enabled=True)
    url = reverse("portal:service_access", args=[own.pk])
    client = logged_in(school_admin)
    assert client.post(url, {"action": "remove_rule", "id": their_rule.pk}).status_code == 403
    response = client.post(url, {"action": "remove_activation", "id": other_school.pk})
    assert response.status_code == 403
    assert AccessRule.objects.filter(pk=their_rule.pk).exists()
    assert ServiceActivation.objects.filter(service=theirs).exists()
