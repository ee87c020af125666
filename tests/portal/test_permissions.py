"""Administration rights: a school's administrator sees and changes only their school."""

from __future__ import annotations

from django.urls import reverse
from lxml import html

from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from socle.portal.models import AccessRule, AccessTarget, Service, ServiceActivation, SSOType
from socle.portal.permissions import administered_establishments
from socle.portal.traces import record
from tests.factories import make_person, make_service
from tests.portal.conftest import logged_in


def test_administered_establishments_follows_the_admin_memberships(
    school: Establishment, other_school: Establishment, superuser: Person, school_admin: Person
) -> None:
    assert set(administered_establishments(superuser)) == {school, other_school}
    assert list(administered_establishments(school_admin)) == [school]
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    assert not administered_establishments(teacher).exists()
    school_admin.is_active = False
    assert not administered_establishments(school_admin).exists()


def test_people_who_administer_nothing_get_a_403_and_visitors_the_login(
    school: Establishment,
) -> None:
    pupil = make_person(establishment=school)
    for name in (
        "portal:admin_index",
        "portal:service_list",
        "portal:traces",
        "portal:indicators",
        "portal:activations",
    ):
        assert logged_in(pupil).get(reverse(name)).status_code == 403
        from django.test import Client

        response = Client().get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/cas/login")


def test_it_refuses_the_portal_and_the_pronote_pages_with_the_same_page_and_words(
    school: Establishment,
) -> None:
    pupil = make_person(establishment=school)
    client = logged_in(pupil)
    seen = set()
    for url in (reverse("portal:admin_index"), reverse("pronote:index")):
        response = client.get(url)
        assert response.status_code == 403
        assert [t.name for t in response.templates][0] == "403.html"
        tree = html.fromstring(response.content.decode())
        seen.add(
            (
                " ".join(tree.xpath("//h1")[0].text_content().split()),
                " ".join(tree.xpath('//div[@class="alert alert-error"]')[0].text_content().split()),
            )
        )
    assert seen == {("Accès refusé", "Cette page est réservée aux administrateurs.")}


def test_it_answers_404_for_an_unknown_establishment_and_403_for_another_school(
    school: Establishment, other_school: Establishment, school_admin: Person
) -> None:
    client = logged_in(school_admin)
    shared = make_service("aide", url="https://aide.example.org/")
    for url in (
        reverse("portal:activations"),
        reverse("portal:service_access", args=[shared.pk]),
    ):
        assert client.get(url, {"etab": "ZZZZ"}).status_code == 404
        assert client.get(url, {"etab": other_school.uai}).status_code == 403
        assert client.get(url, {"etab": school.uai}).status_code == 200


def test_a_school_admin_does_not_see_another_schools_service(
    school_admin: Person, other_school: Establishment
) -> None:
    theirs = make_service(
        "pronote-b", label="PRONOTE Fermat", establishment=other_school, sso_type=SSOType.PRONOTE
    )
    client = logged_in(school_admin)
    assert "PRONOTE Fermat" not in client.get(reverse("portal:service_list")).content.decode()
    for name in (
        "portal:service_edit",
        "portal:service_access",
        "portal:service_users",
        "portal:service_delete",
    ):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.post(reverse("portal:service_delete", args=[theirs.pk])).status_code == 404
    assert Service.objects.filter(pk=theirs.pk).exists()


def test_a_school_admin_reads_but_cannot_change_an_ent_wide_service(school_admin: Person) -> None:
    shared = make_service("aide", label="Aide en ligne", url="https://aide.example.org/")
    client = logged_in(school_admin)
    page = client.get(reverse("portal:service_edit", args=[shared.pk]))
    assert "seul l'administrateur de l'ENT peut le modifier" in page.content.decode()
    client.post(reverse("portal:service_edit", args=[shared.pk]), {"label": "Piraté"})
    assert client.post(reverse("portal:service_delete", args=[shared.pk])).status_code == 403
    shared.refresh_from_db()
    assert shared.label == "Aide en ligne"


def test_a_school_admin_cannot_switch_a_service_for_another_school(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    shared = make_service("aide", url="https://aide.example.org/")
    client = logged_in(school_admin)
    url = reverse("portal:service_access", args=[shared.pk])
    response = client.post(
        url, {"action": "activation", "etab": other_school.uai, "act-enabled": "0"}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("portal:activations") + f"?etab={other_school.uai}",
        {"etab": other_school.uai, f"s{shared.pk}-enabled": "0"},
    )
    assert response.status_code == 403
    assert not ServiceActivation.objects.exists()
    client.post(url, {"action": "activation", "etab": school.uai, "act-enabled": "0"})
    assert ServiceActivation.objects.get(establishment=school).enabled is False


def test_a_school_admin_cannot_remove_another_schools_rule_nor_an_all_ent_rule(
    school_admin: Person, other_school: Establishment
) -> None:
    shared = make_service("aide", url="https://aide.example.org/")
    theirs = AccessRule.objects.create(service=shared, target=AccessTarget.ESTABLISHMENTS)
    theirs.establishments.set([other_school])
    everyone = AccessRule.objects.create(service=shared, target=AccessTarget.ALL)
    client = logged_in(school_admin)
    url = reverse("portal:service_access", args=[shared.pk])
    page = client.get(url).content.decode()
    assert other_school.name not in page
    assert client.post(url, {"action": "remove_rule", "id": theirs.pk}).status_code == 403
    assert client.post(url, {"action": "remove_rule", "id": everyone.pk}).status_code == 403
    assert AccessRule.objects.count() == 2


def test_a_school_admin_cannot_give_access_to_another_school_or_the_whole_ent(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    shared = make_service("aide", url="https://aide.example.org/")
    client = logged_in(school_admin)
    url = reverse("portal:service_access", args=[shared.pk])
    for data in (
        {"rule-target": "all", "rule-profiles": [""]},
        {
            "rule-target": "establishments",
            "rule-establishments": [other_school.pk],
            "rule-profiles": [""],
        },
    ):
        response = client.post(url, {"action": "add_rule", "rule-role": "access", **data})
        assert response.status_code == 200
        assert response.context["rule_form"].errors
    assert not AccessRule.objects.exists()


def test_a_school_admin_reads_only_their_schools_traces(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    pupil_here = make_person("Ici", "Eleve", establishment=school)
    pupil_there = make_person("Labas", "Eleve", establishment=other_school)
    record("ticket_issued", person=pupil_here, uai=school.uai, service_code="ici")
    record("ticket_issued", person=pupil_there, uai=other_school.uai, service_code="labas")
    record("login", person=pupil_here)
    record("login", person=pupil_there)
    client = logged_in(school_admin)
    page = client.get(reverse("portal:traces")).content.decode()
    assert "ici.eleve" in page and "labas.eleve" not in page
    csv_text = b"".join(
        client.get(reverse("portal:traces") + "?format=csv").streaming_content
    ).decode()
    assert "ici.eleve" in csv_text and "labas.eleve" not in csv_text
    response = client.get(reverse("portal:traces") + f"?uai={other_school.uai}")
    assert response.context["form"].errors
