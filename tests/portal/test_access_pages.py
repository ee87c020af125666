"""« Accès aux services tiers », « Accès population » (« Accès utilisateur »:
test_user_access_page.py)."""

from __future__ import annotations

from django.urls import reverse
from lxml import html

from socle.directory.models import Establishment, Membership, Person
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


def _checkbox_labels(tree: html.HtmlElement, name: str) -> dict[str, tuple[str, bool]]:
    """value → (label text, ticked) of the checkboxes called ``name``."""
    result = {}
    for box in tree.xpath(f'//input[@type="checkbox"][@name="{name}"]'):
        label = tree.xpath(f'//label[@for="{box.get("id")}"]')[0]
        result[box.get("value")] = (" ".join(label.text_content().split()), box.checked)
    return result


def test_it_marks_a_population_open_to_some_of_its_profiles_next_to_its_unticked_box(
    school_admin: Person, school: Establishment
) -> None:
    service = make_service("labo", url="https://labo.example.org/", access_mode=AccessMode.RULES)
    rule = AccessRule.objects.create(
        service=service, target=AccessTarget.SITE, profile=Profile.TEACHER
    )
    rule.establishments.set([school])
    client = logged_in(school_admin)
    tree = html.fromstring(client.get(reverse("portal:activations")).content.decode())
    boxes = _checkbox_labels(tree, f"s{service.pk}-populations")
    assert boxes["enseignant"] == ("Enseignant (certains profils)", False)
    assert boxes["eleve"] == ("Élève", False)
    text = " ".join(tree.text_content().split())
    assert "Accessible à : Enseignant (certains profils)." in text
    assert (
        "Cochez-la pour l'ouvrir à toute la population ; décochée, elle garde ces droits." in text
    )
    tab = html.fromstring(
        client.get(reverse("portal:service_access", args=[service.pk])).content.decode()
    )
    assert _checkbox_labels(tab, "act-populations")["enseignant"] == (
        "Enseignant (certains profils)",
        False,
    )
    response = client.post(  # saving the page as shown changes nothing for the teachers
        reverse("portal:activations"),
        {
            "etab": school.uai,
            f"s{service.pk}-enabled": "1",
            f"s{service.pk}-populations": ["eleve"],
        },
    )
    assert response.status_code == 302
    assert ServiceActivation.objects.get(service=service).populations == ["eleve"]
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    assert can_access(teacher, service)


def test_it_says_how_many_services_were_updated_with_a_proper_plural(
    school_admin: Person, school: Establishment
) -> None:
    first = make_service("aide", label="Aide", url="https://aide.example.org/")
    second = make_service("labo", label="Labo", url="https://labo.example.org/")
    ServiceActivation.objects.create(service=second, establishment=school, enabled=False)
    client = logged_in(school_admin)
    url = reverse("portal:activations")
    off, pupils = {"enabled": "0"}, {"enabled": "1", "populations": ["eleve"]}
    messages = []
    for aide, labo in ((off, off), (pupils, pupils), (pupils, pupils)):  # the last as shown
        data = {f"s{first.pk}-{k}": v for k, v in aide.items()}
        data |= {f"s{second.pk}-{k}": v for k, v in labo.items()}
        response = client.post(url, {"etab": school.uai, **data}, follow=True)
        tree = html.fromstring(response.content.decode())
        messages.append(
            " ".join(tree.xpath('//*[contains(@class, "alert")]')[0].text_content().split())
        )
    assert messages == [
        "1 service mis à jour pour Collège Jean Jaurès.",
        "2 services mis à jour pour Collège Jean Jaurès.",
        "Aucun changement pour Collège Jean Jaurès.",
    ]


def test_it_puts_the_colon_of_a_rules_target_the_english_way_in_english(
    superuser: Person, school: Establishment
) -> None:
    service = make_service("labo", url="https://labo.example.org/", access_mode=AccessMode.RULES)
    rule = AccessRule.objects.create(
        service=service, target=AccessTarget.SITE, profile=Profile.TEACHER
    )
    rule.establishments.set([school])
    url = reverse("portal:service_access", args=[service.pk]) + f"?etab={school.uai}"
    texts = {}
    for language in ("en", "fr"):
        response = logged_in(superuser).get(url, headers={"Accept-Language": language})
        texts[language] = " ".join(
            html.fromstring(response.content.decode()).text_content().split()
        )
    assert "School(s) of the current site: Collège Jean Jaurès" in texts["en"]
    assert "Établissement(s) du site courant : Collège Jean Jaurès" in texts["fr"]


def test_a_class_only_taught_is_offered_as_a_group_and_opens_to_its_teacher(
    superuser: Person, school: Establishment
) -> None:
    from socle.directory.models import GroupKind, Membership, MembershipGroup

    service = make_service("labo", url="https://labo.example.org/", access_mode=AccessMode.RULES)
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    MembershipGroup.objects.create(
        membership=Membership.objects.get(person=teacher), kind=GroupKind.CLASS, name="2nde3"
    )
    client = logged_in(superuser)
    url = reverse("portal:service_access", args=[service.pk]) + f"?etab={school.uai}"
    assert "Classe 2nde3" in client.get(url).content.decode()  # no pupil of 2nde3 imported yet
    rule = {"action": "add_rule", "etab": school.uai, "rule-role": "access"}
    rule |= {"rule-target": "groups", "rule-groups": ["c2nde3"], "rule-profiles": [""]}
    assert client.post(url, rule).status_code == 302
    assert can_access(teacher, service)


def test_a_rule_can_be_narrowed_to_the_disciplines_held_in_the_school(
    superuser: Person, school: Establishment
) -> None:
    from socle.directory.models import GroupKind, MembershipGroup

    service = make_service("maths", url="https://maths.example.org/", access_mode=AccessMode.RULES)
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    membership = Membership.objects.get(person=teacher)
    MembershipGroup.objects.create(membership=membership, kind=GroupKind.DISCIPLINE, name="MATHS")
    MembershipGroup.objects.create(membership=membership, kind=GroupKind.FUNCTION, name="ENS")
    MembershipGroup.objects.create(membership=membership, kind=GroupKind.SUBJECT, name="SVT")
    other = make_person("Anne", "Prof", establishment=school, profile=Profile.TEACHER)
    client = logged_in(superuser)
    url = reverse("portal:service_access", args=[service.pk]) + f"?etab={school.uai}"
    page = html.fromstring(client.get(url).content)
    assert page.xpath('//input[@name="rule-disciplines"]/@value') == ["MATHS"]
    assert page.xpath('//input[@name="rule-functions"]/@value') == ["ENS"]
    assert page.xpath('//input[@name="rule-subjects"]/@value') == ["SVT"]
    rule = {"action": "add_rule", "etab": school.uai, "rule-role": "access"}
    rule |= {"rule-target": "site", "rule-profiles": [""], "rule-disciplines": ["MATHS"]}
    assert client.post(url, rule).status_code == 302
    assert AccessRule.objects.get(service=service).disciplines == ["MATHS"]
    assert can_access(teacher, service) and not can_access(other, service)
    recap = html.fromstring(client.get(url).content)
    headers = [th.text_content().strip() for th in recap.xpath("//table//th")]
    columns = ["Cible", "Profil", "Matière enseignée", "Fonction", "Discipline de poste"]
    assert headers[:5] == columns
    cells = [td.text_content().strip() for td in recap.xpath("//table//tbody/tr[1]/td")]
    assert cells[2:5] == ["—", "—", "MATHS"]
    forged = rule | {"rule-disciplines": ["INVENTEE"]}  # only what the school holds
    assert client.post(url, forged).status_code == 200
    assert AccessRule.objects.filter(service=service).count() == 1
    pupils_only = rule | {"rule-profiles": [Profile.PUPIL]}  # pupils hold no discipline
    refused = client.post(url, pupils_only)
    assert "ne concernent que les personnels" in refused.content.decode()
    assert AccessRule.objects.filter(service=service).count() == 1
    trace = Trace.objects.filter(event="access_rule_added").latest("at")
    assert trace.detail.endswith("× Tous les profils ; disciplines de poste : MATHS")
    state = html.fromstring(client.get(url).content).xpath('string(//p[@class="state"])')
    assert "Personne n" not in state and "Enseignant (certains groupes)" in state


def test_a_rule_can_be_narrowed_to_the_levels_of_the_school(
    superuser: Person, school: Establishment
) -> None:
    from socle.directory.models import GroupKind, MembershipGroup

    service = make_service(
        "brevet", url="https://brevet.example.org/", access_mode=AccessMode.RULES
    )
    levels = {"3EME": "3B", "3ème": "3C", "4EME": "4A"}  # one level written two ways
    pupils = {}
    for level, class_name in levels.items():
        pupil = make_person("Léa", class_name, establishment=school, class_name=class_name)
        membership = Membership.objects.get(person=pupil)
        MembershipGroup.objects.create(membership=membership, kind=GroupKind.LEVEL, name=level)
        pupils[class_name] = pupil
    client = logged_in(superuser)
    url = reverse("portal:service_access", args=[service.pk]) + f"?etab={school.uai}"
    page = html.fromstring(client.get(url).content)
    assert page.xpath('//input[@name="rule-levels"]/@value') == ["3EME", "4EME"]
    rule = {"action": "add_rule", "etab": school.uai, "rule-role": "access"}
    rule |= {"rule-target": "site", "rule-profiles": [""], "rule-levels": ["3EME"]}
    teachers = rule | {"rule-profiles": [Profile.PUPIL, Profile.TEACHER]}
    refused = client.post(url, teachers)
    assert "ne concernent que les élèves et leurs parents" in refused.content.decode()
    assert client.post(url, rule).status_code == 302
    assert AccessRule.objects.get(service=service).levels == ["3EME"]
    assert [can_access(pupils[c], service) for c in ("3B", "3C", "4A")] == [True, True, False]
    recap = html.fromstring(client.get(url).content)
    headers = [th.text_content().strip() for th in recap.xpath("//table//th")]
    assert headers[5] == "Niveau"
    cells = [td.text_content().strip() for td in recap.xpath("//table//tbody/tr[1]/td")]
    assert cells[2:6] == ["—", "—", "—", "3EME"]
    trace = Trace.objects.filter(event="access_rule_added").latest("at")
    assert trace.detail.endswith("× Tous les profils ; niveaux : 3EME")
    state = html.fromstring(client.get(url).content).xpath('string(//p[@class="state"])')
    assert "Élève (certains groupes)" in state and "Parent (certains groupes)" in state
