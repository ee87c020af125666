"""Who may reset whose password: an establishment administrator never takes over an account
holding rights they do not have (security review, 2027)."""

from __future__ import annotations

import lxml.html
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from socle.directory.models import ActivationCode, Person
from socle.directory.passwords import can_reset_password
from socle.directory.profiles import Profile
from tests.factories import DEFAULT_PASSWORD, make_establishment, make_membership, make_person


def admin_of(*establishments, first_name: str = "Anne") -> Person:  # noqa: ANN002
    person = make_person(first_name, "Leroy")
    for establishment in establishments:
        make_membership(person, establishment, profile=Profile.DIRECTION, is_admin=True)
    return person


def refusal(client: Client, target: Person) -> str:
    """The 403 page's sentence; the GET and the POST are both refused, nothing is reset."""
    url = f"/compte/reinitialiser/{target.uid}/"
    response = client.get(url)
    assert response.status_code == 403
    assert client.post(url).status_code == 403
    assert client.get(f"{url}code/").status_code == 403
    target.refresh_from_db()
    assert target.check_password(DEFAULT_PASSWORD)
    assert not ActivationCode.objects.filter(person=target).exists()
    tree = lxml.html.fromstring(response.content.decode())
    (alert,) = tree.xpath("//div[contains(@class, 'alert-error')]")
    return " ".join(alert.text_content().split())


def test_it_refuses_an_administrator_of_another_school_of_the_person(client: Client) -> None:
    school_a, school_b = make_establishment(), make_establishment()
    teacher = make_person("Hélène", "Le Gall", establishment=school_a, profile=Profile.TEACHER)
    make_membership(teacher, school_b, profile=Profile.TEACHER, is_admin=True)
    client.force_login(admin_of(school_a))
    assert refusal(client, teacher) == (
        "Cette personne administre un établissement que vous n'administrez pas : seul un "
        "administrateur de l'ENT peut réinitialiser son mot de passe."
    )


def test_it_refuses_the_accounts_of_the_ents_administration(client: Client) -> None:
    school = make_establishment()
    for flags in ({"is_superuser": True}, {"is_staff": True}):
        target = make_person(
            "Root", "Ent", establishment=school, profile=Profile.DIRECTION, **flags
        )
        client.force_login(admin_of(school, first_name=f"Admin{len(flags)}{target.pk}"))
        assert refusal(client, target) == (
            "Cette personne a un compte d'administration de l'ENT : seul un administrateur de "
            "l'ENT peut réinitialiser son mot de passe."
        )


def test_an_unrelated_administrator_learns_nothing_of_the_persons_rights(client: Client) -> None:
    school, other = make_establishment(), make_establishment()
    target = make_person("Root", "Ent", establishment=school, is_staff=True)
    client.force_login(admin_of(other))
    assert refusal(client, target) == (
        "Seuls les administrateurs d'un établissement de cette personne peuvent réinitialiser "
        "son mot de passe."
    )


def test_ones_own_account_is_sent_to_the_password_page(client: Client) -> None:
    school = make_establishment()
    admin = admin_of(school)
    root = Person.objects.create_superuser("root", DEFAULT_PASSWORD)
    for person in (admin, root):
        client.force_login(person)
        assert refusal(client, person) == (
            "Pour votre propre compte, changez votre mot de passe depuis « Mot de passe »."
        )
        page = lxml.html.fromstring(client.get(f"/compte/reinitialiser/{person.uid}/").content)
        links = {" ".join(a.text_content().split()): a.get("href") for a in page.xpath("//main//a")}
        assert links["Changer mon mot de passe"] == "/compte/mot-de-passe"
        assert links["Retour à Gestion portail"] == "/gestion/"


def test_the_refusal_page_offers_no_administration_link_to_others(client: Client) -> None:
    school = make_establishment()
    pupil = make_person("Camille", "Rivière", establishment=school)
    client.force_login(make_person("Léo", "Rivière", establishment=school))
    assert refusal(client, pupil).startswith("Seuls les administrateurs")
    page = client.get(f"/compte/reinitialiser/{pupil.uid}/").content.decode()
    assert "Gestion portail" not in page and "Changer mon mot de passe" not in page


def test_it_allows_whoever_administers_every_school_the_person_administers(
    client: Client,
) -> None:
    school_a, school_b = make_establishment(), make_establishment()
    teacher = make_person("Hélène", "Le Gall", establishment=school_a, profile=Profile.TEACHER)
    make_membership(teacher, school_b, profile=Profile.TEACHER, is_admin=True)
    colleague = admin_of(school_b, first_name="Paul")  # another administrator of school B
    both = admin_of(school_a, school_b, first_name="Marc")
    root = Person.objects.create_superuser("root", "un mot de passe de root")
    for admin in (colleague, both, root):
        assert can_reset_password(admin, teacher)
    client.force_login(both)
    assert client.post(f"/compte/reinitialiser/{teacher.uid}/").status_code == 302
    teacher.refresh_from_db()
    assert not teacher.has_usable_password()


def test_the_access_page_links_to_the_reset_only_when_it_is_allowed(client: Client) -> None:
    from tests.factories import make_service

    school_a, school_b = make_establishment(), make_establishment()
    pupil = make_person("Camille", "Rivière", establishment=school_a)
    teacher = make_person("Hélène", "Rivière", establishment=school_a, profile=Profile.TEACHER)
    make_membership(teacher, school_b, profile=Profile.TEACHER, is_admin=True)
    service = make_service("appli", establishment=school_a)
    client.force_login(admin_of(school_a))
    response = client.get(f"/gestion/services/{service.pk}/acces-utilisateur/", {"q": "riviere"})
    links = lxml.html.fromstring(response.content.decode()).xpath(
        "//a[contains(@href, '/compte/reinitialiser/')]/@href"
    )
    assert links == [f"/compte/reinitialiser/{pupil.uid}/"]
    # The teacher, whom only the ENT's administrators may reset: a note, not why.
    notes = lxml.html.fromstring(response.content.decode()).xpath(
        "//span[contains(@class, 'muted')][starts-with(normalize-space(), 'Réinitialisation')]"
    )
    assert [note.text_content() for note in notes] == [
        "Réinitialisation : par un administrateur de l'ENT"
    ]


def test_it_names_only_the_administrators_schools_on_the_code_page_read_once(
    client: Client,
) -> None:
    school_a = make_establishment(name="Collège Jean Jaurès")
    school_b = make_establishment(name="Lycée Victor Hugo")
    teacher = make_person("Hélène", "Le Gall", establishment=school_a, profile=Profile.TEACHER)
    make_membership(teacher, school_b, profile=Profile.TEACHER)
    admin = admin_of(school_a)
    client.force_login(admin)
    assert client.post(f"/compte/reinitialiser/{teacher.uid}/").status_code == 302
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/compte/reinitialiser/{teacher.uid}/code/").content.decode()
    assert "Collège Jean Jaurès" in page and "Lycée Victor Hugo" not in page
    # the administrator's establishments (administered_ids), for the right to reset and for the
    # page's schools: read once
    administered = (
        'SELECT "directory_membership"."establishment_id" AS "establishment_id" FROM '
        '"directory_membership" WHERE ("directory_membership"."is_admin" AND '
        f'"directory_membership"."person_id" = {admin.pk})'
    )
    assert [q["sql"] for q in queries.captured_queries].count(administered) == 1


def test_it_reads_the_rights_once_on_the_reset_page(client: Client) -> None:
    """The page's two rights (reset, and the block link's) share the administrator's
    establishments and the person's memberships: each read once."""
    school = make_establishment()
    pupil = make_person("Camille", "Martin", establishment=school)
    admin = admin_of(school)
    client.force_login(admin)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/compte/reinitialiser/{pupil.uid}/").content.decode()
    assert "Bloquer le compte…" in page
    sqls = [q["sql"] for q in queries.captured_queries]
    administered = (
        'SELECT "directory_membership"."establishment_id" AS "establishment_id" FROM '
        '"directory_membership" WHERE ("directory_membership"."is_admin" AND '
        f'"directory_membership"."person_id" = {admin.pk})'
    )
    memberships = [
        sql
        for sql in sqls
        if sql.startswith('SELECT "directory_membership"."id"')
        and (f'"person_id" = {pupil.pk}' in sql or f'"person_id" IN ({pupil.pk})' in sql)
    ]
    assert (sqls.count(administered), len(memberships)) == (1, 1)
