"""The directory's Django admin pages (socle.directory.admin)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from lxml import html

from socle.directory.models import GroupKind, Membership, MembershipGroup, Profile
from tests.factories import make_establishment, make_person


def _superuser_client(client: Client) -> Client:
    client.force_login(make_person("Ada", "Admin", is_superuser=True, is_staff=True))
    return client


def test_it_shows_the_classes_a_teacher_teaches_on_the_membership_page(client: Client) -> None:
    school = make_establishment()
    teacher = make_person("Paul", "Prof", establishment=school, profile=Profile.TEACHER)
    membership = Membership.objects.get(person=teacher)
    MembershipGroup.objects.create(membership=membership, kind=GroupKind.CLASS, name="3A")
    MembershipGroup.objects.create(membership=membership, kind=GroupKind.GROUP, name="Latin 3e")
    client = _superuser_client(client)
    response = client.get(reverse("admin:directory_membership_change", args=[membership.pk]))
    assert response.status_code == 200
    page = html.fromstring(response.content.decode())
    names = page.xpath("//input[contains(@name, '-name')]/@value")
    assert sorted(names) == ["3A", "Latin 3e"]


def test_it_links_a_person_s_membership_to_its_own_page(client: Client) -> None:
    school = make_establishment()
    teacher = make_person("Paul", "Prof", establishment=school, profile=Profile.TEACHER)
    membership = Membership.objects.get(person=teacher)
    client = _superuser_client(client)
    response = client.get(reverse("admin:directory_person_change", args=[teacher.pk]))
    assert response.status_code == 200
    page = html.fromstring(response.content.decode())
    wanted = reverse("admin:directory_membership_change", args=[membership.pk])
    assert wanted in page.xpath("//a/@href")


def test_it_lists_memberships_by_login(client: Client) -> None:
    school = make_establishment()
    make_person("Paul", "Prof", establishment=school, profile=Profile.TEACHER)
    make_person("Zoé", "Zèbre", establishment=school)
    client = _superuser_client(client)
    response = client.get(reverse("admin:directory_membership_changelist"), {"q": "paul"})
    assert response.status_code == 200
    page = html.fromstring(response.content.decode())
    rows = page.xpath("//table[@id='result_list']/tbody/tr")
    assert len(rows) == 1
