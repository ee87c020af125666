"""« Accès aux services tiers », « Accès population », « Accès utilisateur »."""

from __future__ import annotations

from django.urls import reverse

from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from socle.portal.access import can_access
from socle.portal.models import AccessMode, AccessRule, AccessTarget, ServiceActivation, Trace
from tests.factories import make_person, make_service
from tests.portal.conftest import logged_in


def test_activating_a_service_for_pupils_and_parents(
    school_admin: Person, school: Establishment
) -> None:
    service = make_service(
        "pronote",
        establishment=school,
        access_mode=AccessMode.RULES,
        url="https://0312609t.index-education.net/pronote/",
    )
    pupil = make_person(establishment=school)
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    client = logged_in(school_admin)
    url = reverse("portal:service_access", args=[service.pk])
    page = client.get(url).content.decode()
    assert "Accès aux services tiers — Collège Jean Jaurès" in page
    assert "Personne n&#x27;a accès à ce service dans cet établissement." in page
    response = client.post(
        url, {"action": "activation", "act-enabled": "1", "act-populations": ["eleve", "parent"]}
    )
    assert response.status_code == 302
    assert can_access(pupil, service) and not can_access(teacher, service)
    page = client.get(url).content.decode()
    assert "Accessible à : Élève, Parent." in page
    trace = Trace.objects.get(event="activation_changed")
    assert trace.uai == school.uai and trace.detail == "activé : Élève, Parent"


def test_activation_yes_needs_a_profile(school_admin: Person, school: Establishment) -> None:
    service = make_service("pronote", establishment=school)
    response = logged_in(school_admin).post(
        reverse("portal:service_access", args=[service.pk]),
        {"action": "activation", "act-enabled": "1"},
    )
    assert response.status_code == 200
    assert response.context["activation_form"].errors["populations"] == [
        "Cochez au moins un profil, ou choisissez « Non » pour désactiver le service."
    ]


def test_the_activation_page_saves_only_the_changed_rows(
    school_admin: Person, school: Establishment
) -> None:
    first = make_service("aide", label="Aide", url="https://aide.example.org/")
    second = make_service("pronote", establishment=school)
    client = logged_in(school_admin)
    page = client.get(reverse("portal:activations"))
    assert page.status_code == 200 and "Accès aux services tiers" in page.content.decode()
    all_keys = ["eleve", "enseignant", "parent", "personnel", "agent", "administrateur"]
    response = client.post(
        reverse("portal:activations"),
        {
            "etab": school.uai,
            f"s{first.pk}-enabled": "0",
            f"s{second.pk}-enabled": "1",
            f"s{second.pk}-populations": all_keys,
        },
    )
    assert response.status_code == 302
    assert list(ServiceActivation.objects.values_list("service__code", "enabled")) == [
        ("aide", False)
    ]


def test_a_command_line_service_shows_its_default_access_and_can_be_restricted(
    superuser: Person, school: Establishment
) -> None:
    service = make_service("annu", label="Annuaire", url="https://annu.example.org/")
    client = logged_in(superuser)
    page = client.get(reverse("portal:service_access", args=[service.pk])).content.decode()
    assert "Accès par défaut" in page and "Tout l&#x27;ENT" in page and "Restreindre" in page


def test_adding_then_removing_access_rules(superuser: Person, school: Establishment) -> None:
    service = make_service("labo", url="https://labo.example.org/", access_mode=AccessMode.RULES)
    pupil = make_person(establishment=school, class_name="4A")
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    client = logged_in(superuser)
    url = reverse("portal:service_access", args=[service.pk]) + f"?etab={school.uai}"
    page = client.get(url).content.decode()
    assert "Classe 4A" in page  # classes are offered as groups
    response = client.post(
        url,
        {
            "action": "add_rule",
            "etab": school.uai,
            "rule-role": "access",
            "rule-target": "groups",
            "rule-groups": ["c4A"],
            "rule-profiles": [Profile.PUPIL],
        },
    )
    assert response.status_code == 302
    client.post(
        url,
        {
            "action": "add_rule",
            "etab": school.uai,
            "rule-role": "access",
            "rule-target": "site",
            "rule-profiles": [Profile.TEACHER],
        },
    )
    assert can_access(pupil, service) and can_access(teacher, service)
    page = client.get(url).content.decode()
    assert "Récapitulatif des droits d'accès" in page
    assert "Liste de groupes : Classe 4A (Collège Jean Jaurès)" in page
    rule = AccessRule.objects.get(target=AccessTarget.GROUPS)
    client.post(url, {"action": "remove_rule", "id": rule.pk})
    assert not can_access(pupil, service) and can_access(teacher, service)
    assert Trace.objects.filter(event="access_rule_removed").count() == 1
    assert Trace.objects.filter(event="access_rule_added").count() == 2


def test_a_rule_form_needs_its_target_details(superuser: Person, school: Establishment) -> None:
    service = make_service("labo", url="https://labo.example.org/")
    url = reverse("portal:service_access", args=[service.pk]) + f"?etab={school.uai}"
    response = logged_in(superuser).post(
        url, {"action": "add_rule", "rule-role": "access", "rule-target": "establishments"}
    )
    errors = response.context["rule_form"].errors
    assert errors["establishments"] == ["Cochez au moins un établissement."]
    assert errors["profiles"] == ["Cochez au moins un profil."]


def test_the_user_tab_explains_a_refusal(superuser: Person, school: Establishment) -> None:
    service = make_service("pronote", establishment=school, access_mode=AccessMode.RULES)
    make_person("Camille", "Martin", establishment=school)
    page = (
        logged_in(superuser)
        .get(reverse("portal:service_users", args=[service.pk]) + "?q=martin")
        .content.decode()
    )
    assert "MARTIN Camille" in page and "Refusé" in page
    assert "Réinitialiser le mot de passe" in page
    assert "aucun droit ne couvre ce profil" in page


def test_the_user_tab_gives_and_withdraws_access_to_one_person(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    service = make_service("labo", url="https://labo.example.org/", access_mode=AccessMode.RULES)
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    stranger = make_person("Léa", "Autre", establishment=other_school)
    client = logged_in(school_admin)
    url = reverse("portal:service_users", args=[service.pk])
    assert client.post(url, {"action": "grant", "id": teacher.pk}).status_code == 302
    assert can_access(teacher, service)
    page = client.get(url).content.decode()
    assert "Accès individuels" in page and "PROF Jean" in page
    # another school's pupil is out of this administrator's reach
    assert client.post(url, {"action": "grant", "id": stranger.pk}).status_code == 403
    assert not can_access(stranger, service)
    client.post(url, {"action": "revoke", "id": teacher.pk})
    assert not can_access(teacher, service)
    assert Trace.objects.filter(
        event="access_rule_added", detail="accès individuel : jean.prof"
    ).exists()
