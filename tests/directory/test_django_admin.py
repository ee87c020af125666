"""The directory's Django admin pages (socle.directory.admin)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from lxml import html

from socle.directory.models import (
    Establishment,
    GroupKind,
    Membership,
    MembershipGroup,
    Person,
    Profile,
)
from socle.directory.signals import person_deactivated
from tests.factories import make_establishment, make_person, make_uai


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


def test_it_lists_a_pupil_s_level_beside_the_class(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    school = make_establishment()
    for i in range(3):
        pupil = make_person("Zoé", f"Zèbre{i}", establishment=school, class_name=f"3{'ABC'[i]}")
        membership = Membership.objects.get(person=pupil)
        MembershipGroup.objects.create(membership=membership, kind=GroupKind.LEVEL, name="3EME")
    make_person("Paul", "Prof", establishment=school, profile=Profile.TEACHER)
    client = _superuser_client(client)
    url = reverse("admin:directory_membership_changelist")
    client.get(url)
    with django_assert_max_num_queries(12):  # not one more per row
        response = client.get(url)
    page = html.fromstring(response.content.decode())
    levels = page.xpath("//table[@id='result_list']//td[contains(@class, 'field-level')]")
    assert sorted(td.text_content().strip() for td in levels) == ["-", "3EME", "3EME", "3EME"]


def _posted_form(client: Client, url: str, **changes: str) -> Any:
    """Posts the admin's change form as the page fills it, with ``changes`` (unset when "")."""
    page = html.fromstring(client.get(url).content.decode())
    form = page.xpath("//form[@id and contains(@id, '_form')]")[0]
    data: dict[str, Any] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        if value:
            data[name] = [value]
        else:
            data.pop(name, None)
    return client.post(url, data)


def test_it_keeps_an_establishment_s_uai_in_the_django_admin(client: Client) -> None:
    school = make_establishment(name="Collège Jean Jaurès")
    uai = school.uai
    client = _superuser_client(client)
    url = reverse("admin:directory_establishment_change", args=[school.pk])
    response = _posted_form(client, url, uai=make_uai(), name="Collège Jaurès")
    assert response.status_code == 302
    school.refresh_from_db()
    assert (school.uai, school.name) == (uai, "Collège Jaurès")


def test_it_still_sets_the_uai_of_a_new_establishment_in_the_django_admin(client: Client) -> None:
    client = _superuser_client(client)
    uai = make_uai()
    response = client.post(
        reverse("admin:directory_establishment_add"), {"uai": uai, "name": "Lycée Fermat"}
    )
    assert response.status_code == 302
    assert Establishment.objects.filter(uai=uai, name="Lycée Fermat").exists()


def test_it_ends_the_sessions_of_a_person_deactivated_in_the_django_admin(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_person("Paul", "Prof")
    deactivated: list[Person] = []

    def receiver(sender: Any, person: Person, **kwargs: Any) -> None:
        deactivated.append(person)

    person_deactivated.connect(receiver, dispatch_uid="test-admin-deactivation")
    try:
        client = _superuser_client(client)
        url = reverse("admin:directory_person_change", args=[person.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = _posted_form(client, url, first_name="Paolo")  # still active
        assert response.status_code == 302
        assert deactivated == []
        with django_capture_on_commit_callbacks(execute=True):
            response = _posted_form(client, url, is_active="")
        assert response.status_code == 302
    finally:
        person_deactivated.disconnect(dispatch_uid="test-admin-deactivation")
    person.refresh_from_db()
    assert (person.first_name, person.is_active) == ("Paolo", False)
    assert [p.pk for p in deactivated] == [person.pk]


def test_unticking_active_in_the_django_admin_is_a_block_that_ticking_lifts(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from socle.portal.models import Trace

    person = make_person("Paul", "Prof", establishment=make_establishment())
    client = _superuser_client(client)
    url = reverse("admin:directory_person_change", args=[person.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert _posted_form(client, url, is_active="").status_code == 302
    person.refresh_from_db()
    assert not person.is_active and person.blocked_at is not None
    assert person.blocked_by is not None and person.blocked_by.login == "ada.admin"
    with django_capture_on_commit_callbacks(execute=True):
        assert _posted_form(client, url, is_active="on").status_code == 302
    person.refresh_from_db()
    assert person.is_active and person.blocked_at is None
    events = list(Trace.objects.order_by("pk").values_list("event", "actor_login"))
    assert events == [("account_blocked", "ada.admin"), ("account_unblocked", "ada.admin")]


def test_it_traces_no_unblock_when_ticking_active_on_an_account_an_import_deactivated(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils import timezone

    from socle.portal.models import Trace

    person = make_person("Paul", "Prof", establishment=make_establishment())
    Person.objects.filter(pk=person.pk).update(is_active=False, deactivated_at=timezone.now())
    client = _superuser_client(client)
    url = reverse("admin:directory_person_change", args=[person.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert _posted_form(client, url, is_active="on").status_code == 302
    person.refresh_from_db()
    assert person.is_active and person.blocked_at is None
    assert not Trace.objects.filter(event="account_unblocked").exists()
