"""« Accès population » rules narrowed to levels (« niveaux »): pupils of those levels in the
establishment and their parents, nobody else; read only for services whose rules name levels."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from socle.directory.models import Establishment, GroupKind, Membership, MembershipGroup, Person
from socle.directory.profiles import Profile
from socle.portal.access import (
    accessible_services,
    can_access,
    explain_access,
    explain_for_people,
)
from socle.portal.access_admin import rule_detail, shown_rule_detail
from socle.portal.access_cache import PEOPLE_VERSION, POLICY_VERSION, person_facts
from socle.portal.forms.access import AccessRuleForm
from socle.portal.membership_facts import levels_of
from socle.portal.models import (
    AccessMode,
    AccessRule,
    AccessTarget,
    Group,
    Service,
    levels_problem,
)
from socle.portal.policy import level_key, population_access
from tests.factories import make_membership, make_parent_link, make_person, make_service


def pupil_of(school: Establishment, first: str, level: str, class_name: str = "3B") -> Person:
    pupil = make_person(first, "Petit", establishment=school, class_name=class_name)
    membership = Membership.objects.get(person=pupil, establishment=school)
    if level:
        MembershipGroup.objects.create(membership=membership, kind=GroupKind.LEVEL, name=level)
    return pupil


def brevet(school: Establishment, *levels: str, profile: str = "") -> Service:
    service = make_service("brevet", access_mode=AccessMode.RULES)
    rule = AccessRule.objects.create(
        service=service, target=AccessTarget.SITE, profile=profile, levels=list(levels)
    )
    rule.establishments.set([school])
    return service


def decisions(people: list[Person], service: Service) -> list[bool]:
    """What the CAS, « Accès utilisateur » (one and many) and « Mon espace » say: they agree."""
    found = [can_access(p, service) for p in people]
    assert found == [explain_access(p, service).allowed for p in people]
    many = explain_for_people(people, service)
    assert found == [many[p.pk].allowed for p in people]
    assert found == [service.pk in accessible_services(p, [service]) for p in people]
    return found


def test_it_opens_the_service_to_the_pupils_of_a_level_and_their_parents_only(
    school: Establishment, other_school: Establishment
) -> None:
    service = brevet(school, "3ème")  # compared without case nor accents
    third = pupil_of(school, "Léa", "3EME")
    fourth = pupil_of(school, "Hugo", "4EME", "4A")
    unknown = pupil_of(school, "Zoé", "")
    elsewhere = pupil_of(other_school, "Noé", "3EME")  # a 3e of another school
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    mother = make_person("Anne", "Petit", establishment=school, profile=Profile.PARENT)
    make_parent_link(mother, third)
    father = make_person("Marc", "Petit", establishment=school, profile=Profile.PARENT)
    make_parent_link(father, fourth)
    make_membership(father, other_school, profile=Profile.PARENT)
    make_parent_link(father, elsewhere)  # his 3e is at the other school
    people = [third, fourth, unknown, elsewhere, teacher, mother, father]
    assert decisions(people, service) == [True, False, False, False, False, True, False]
    reasons = [explain_access(p, service).verdicts[0].reason for p in (fourth, teacher)]
    assert reasons == [
        "un droit de l'onglet « Accès population » couvre ce profil, mais pour d'autres niveaux",
        "aucun droit ne couvre ce profil",
    ]
    # the child leaves: the parent no longer has access
    third.is_active = False
    third.save()
    assert decisions([mother], service) == [False]


def test_a_rule_for_one_profile_narrows_it_to_the_level(school: Establishment) -> None:
    service = brevet(school, "3EME", profile=Profile.PARENT)
    third = pupil_of(school, "Léa", "3EME")
    mother = make_person("Anne", "Petit", establishment=school, profile=Profile.PARENT)
    make_parent_link(mother, third)
    assert decisions([third, mother], service) == [False, True]


def test_a_level_rule_lets_no_staff_member_in_even_one_stored_by_hand(
    school: Establishment,
) -> None:
    """The forms refuse a level rule for a staff profile; one written anyway admits nobody."""
    service = brevet(school, "3EME", profile=Profile.TEACHER)
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    MembershipGroup.objects.create(
        membership=Membership.objects.get(person=teacher), kind=GroupKind.LEVEL, name="3EME"
    )
    assert decisions([teacher], service) == [False]


def test_a_new_level_reaches_the_hop_at_once(school: Establishment) -> None:
    service = brevet(school, "3EME")
    pupil = pupil_of(school, "Léa", "4EME", "4A")
    assert not can_access(pupil, service)
    MembershipGroup.objects.filter(membership__person=pupil).update(name="3EME")
    PEOPLE_VERSION.changed()  # as the imports' signals or TTL do
    assert can_access(pupil, service)


def test_the_state_says_some_pupils_and_parents(school: Establishment) -> None:
    from socle.portal.access import load_policies

    service = brevet(school, "3EME")
    state = population_access(load_policies([service])[service.pk], school.pk)
    assert state == {"eleve": "some", "parent": "some"}


def test_levels_fold_case_accents_and_spaces() -> None:
    assert level_key(" 3ème  Générale ") == level_key("3EME GENERALE") == "3eme generale"


def test_the_journal_names_the_levels(school: Establishment) -> None:
    service = brevet(school, "3EME", "4EME")
    detail = rule_detail(AccessRule.objects.get(service=service))
    assert detail.endswith("× Tous les profils ; niveaux : 3EME, 4EME")
    assert shown_rule_detail(detail) == detail


@pytest.mark.parametrize(
    ("profile", "narrowing", "message"),
    [
        (Profile.TEACHER, {}, "ne concernent que les élèves et leurs parents"),
        ("", {"subjects": ["MATHS"]}, "à la fois des niveaux"),
    ],
)
def test_the_django_admin_refuses_a_level_rule_that_would_admit_nobody(
    school: Establishment, profile: str, narrowing: dict[str, list[str]], message: str
) -> None:
    service = make_service("brevet")
    rule = AccessRule(
        service=service, target=AccessTarget.ALL, profile=profile, levels=["3EME"], **narrowing
    )
    with pytest.raises(ValidationError, match=message):
        rule.clean()
    AccessRule(service=service, target=AccessTarget.ALL, levels=["3EME"]).clean()
    with pytest.raises(ValidationError, match="Une liste de noms"):
        AccessRule(service=service, target=AccessTarget.ALL, levels="3EME").clean()


# --- cost: the hop of a service without levels reads nothing more -----------------------------


def _warm_versions() -> None:
    POLICY_VERSION.current(), PEOPLE_VERSION.current()  # tokens read once a second


def test_a_level_rule_costs_one_query_for_a_pupil_or_a_parent_and_none_once_warm(
    school: Establishment, django_assert_num_queries: Any
) -> None:
    plain = make_service("plain", access_mode=AccessMode.RULES)
    rule = AccessRule.objects.create(service=plain, target=AccessTarget.SITE)
    rule.establishments.set([school])
    with_levels = brevet(school, "3EME")
    pupil = pupil_of(school, "Léa", "3EME")
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    can_access(pupil, plain), can_access(pupil, with_levels)  # the policies, warm
    PEOPLE_VERSION.changed()
    _warm_versions()
    with django_assert_num_queries(2):  # the person, the memberships: as before
        person_facts(pupil.pk)
    with django_assert_num_queries(0):
        assert can_access(pupil, plain)
    with django_assert_num_queries(1):  # the levels, once
        assert can_access(pupil, with_levels)
    with django_assert_num_queries(0):
        assert can_access(pupil, with_levels)
    person_facts(teacher.pk)
    with django_assert_num_queries(0):  # a teacher has no level to read
        assert not can_access(teacher, with_levels)


def test_explain_for_people_reads_the_levels_of_all_in_two_indexed_queries(
    school: Establishment, django_assert_num_queries: Any
) -> None:
    service = brevet(school, "3EME")
    people = []
    for i in range(4):
        child = pupil_of(school, f"Enfant{i}", f"{3 + i % 2}EME")
        parent = make_person("Parent", f"N{i}", establishment=school, profile=Profile.PARENT)
        make_parent_link(parent, child)
        people += [child, parent]
    people = list(Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"))
    # memberships, classes taught, activations, rules, their establishments, the children's
    # classes, the pupils' levels, the children's levels
    with django_assert_num_queries(8):
        found = explain_for_people(people, service)
    assert sorted(found[p.pk].allowed for p in people) == [False] * 4 + [True] * 4


def test_it_reads_the_levels_in_one_indexed_query_per_branch_held(
    school: Establishment, django_assert_num_queries: Any
) -> None:
    third = pupil_of(school, "Léa", "3EME")
    mother = make_person("Anne", "Petit", establishment=school, profile=Profile.PARENT)
    make_parent_link(mother, third)
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    facts = {p.pk: person_facts(p.pk).memberships for p in (third, mother, teacher)}
    with CaptureQueriesContext(connection) as pupil_only:
        assert levels_of({third.pk: facts[third.pk]}) == {
            third.pk: {(school.pk, Profile.PUPIL.value): frozenset({"3eme"})}
        }
    with CaptureQueriesContext(connection) as parent_only:
        assert levels_of({mother.pk: facts[mother.pk]}) == {
            mother.pk: {(school.pk, Profile.PARENT.value): frozenset({"3eme"})}
        }
    with django_assert_num_queries(0):
        assert levels_of({teacher.pk: facts[teacher.pk]}) == {}
    with django_assert_num_queries(2):
        assert set(levels_of(facts)) == {third.pk, mother.pk}
    (pupil_sql,), (parent_sql,) = (
        [q["sql"].lower() for q in c.captured_queries] for c in (pupil_only, parent_only)
    )
    # no OR across the pupil's and the parent links' tables (it defeats both indexes)
    assert " or " not in pupil_sql and "parentlink" not in pupil_sql
    assert " or " not in parent_sql and "parentlink" in parent_sql
    assert "distinct" not in pupil_sql + parent_sql


def test_it_tells_a_pupil_or_a_parent_without_a_known_level_that_none_is_known(
    school: Establishment,
) -> None:
    service = brevet(school, "3EME")
    no_level = pupil_of(school, "Zoé", "")  # class 3B, no « niveau » row
    fourth = pupil_of(school, "Hugo", "4EME", "4A")
    mother = make_person("Anne", "Petit", establishment=school, profile=Profile.PARENT)
    make_parent_link(mother, no_level)
    father = make_person("Marc", "Petit", establishment=school, profile=Profile.PARENT)
    gone = pupil_of(school, "Noé", "3EME")
    gone.is_active = False
    gone.save()
    make_parent_link(father, gone)  # his only child here left
    people = [no_level, mother, father, fourth]
    assert decisions(people, service) == [False] * 4
    unknown = (
        "un droit de l'onglet « Accès population » couvre ce profil, mais pour certains "
        "niveaux, et aucun niveau n'est connu ici pour ce profil (import de l'annuaire)"
    )
    other = "un droit de l'onglet « Accès population » couvre ce profil, mais pour d'autres niveaux"
    many = explain_for_people(people, service)
    for person, reason in zip(people, [unknown, unknown, unknown, other], strict=True):
        assert explain_access(person, service).verdicts[0].reason == reason
        assert many[person.pk].verdicts[0].reason == reason


def _class_rule(school: Establishment, class_name: str, level: str) -> Service:
    """« Classe 3B » × niveau « 6EME », stored as the forms no longer allow."""
    service = make_service("brevet", access_mode=AccessMode.RULES)
    group = Group.objects.create(
        establishment=school, name=f"Classe {class_name}", class_name=class_name
    )
    rule = AccessRule.objects.create(service=service, target=AccessTarget.GROUPS, levels=[level])
    rule.groups.set([group])
    return service


def test_it_admits_nobody_through_a_rule_naming_a_class_and_levels_stored_before(
    school: Establishment,
) -> None:
    service = _class_rule(school, "3B", "6EME")
    third = pupil_of(school, "Léa", "3EME", "3B")
    sixth = pupil_of(school, "Hugo", "6EME", "6A")
    both = pupil_of(school, "Noé", "6EME", "3B")  # a class and a level that agree
    mother = make_person("Anne", "Petit", establishment=school, profile=Profile.PARENT)
    make_parent_link(mother, third)
    make_parent_link(mother, sixth)  # the class of one child, the level of the other
    assert decisions([mother, third, sixth, both], service) == [False] * 4


def test_it_warns_of_stored_rules_that_admit_nobody(school: Establishment) -> None:
    from socle.portal.checks import check_access_rules

    assert check_access_rules(databases=["default"]) == []
    service = _class_rule(school, "3B", "6EME")
    AccessRule.objects.create(service=service, target=AccessTarget.ALL, levels=["3EME"])  # fine
    AccessRule.objects.create(
        service=service, target=AccessTarget.ALL, profile=Profile.TEACHER, levels=["3EME"]
    )
    AccessRule.objects.create(service=service, target=AccessTarget.ALL, subjects="MATHS")
    said = [(m.id, m.msg) for m in check_access_rules(databases=["default"])]
    assert [code for code, _msg in said] == ["socle.W051"] * 3
    assert "à la fois des niveaux et des classes" in said[0][1]
    assert "ne concernent que les élèves et leurs parents" in said[1][1]
    assert "matières enseignées : Une liste de noms est attendue" in said[2][1]
    assert all(msg.startswith("Service « brevet », droit d'accès n° ") for _c, msg in said)
    assert check_access_rules(databases=None) == []


def test_it_refuses_levels_beside_a_class_in_the_forms(
    school: Establishment, superuser: Person
) -> None:
    message = "à la fois des niveaux et des classes"
    assert message in (levels_problem([""], [], classes=True) or "")
    assert levels_problem([""], [], classes=False) is None
    service = make_service("brevet", access_mode=AccessMode.RULES)
    pupil_of(school, "Léa", "3EME", "3B")
    made = Group.objects.create(establishment=school, name="Atelier")

    def rule_form(groups: list[str], levels: list[str]) -> AccessRuleForm:
        data = {"target": "groups", "profiles": [""], "role": "access", "groups": groups}
        form = AccessRuleForm(
            data | {"levels": levels}, service=service, current=school, administered=None
        )
        form.is_valid()
        return form

    def refused(groups: list[str]) -> bool:
        errors = rule_form(groups, ["3EME"]).errors
        return set(errors) == {"levels"} and message in " ".join(errors["levels"])

    assert refused(["c3B"]) and rule_form(["c3B"], []).is_valid()  # a pupils' class
    group = Group.objects.create(establishment=school, name="Classe 3B", class_name="3B")
    assert refused([f"g{group.pk}"]) and rule_form([f"g{group.pk}"], []).is_valid()
    assert rule_form([f"g{made.pk}"], ["3EME"]).is_valid()  # a hand-made group may

    request = RequestFactory().get("/admin/")
    request.user = superuser
    form_class = admin.site._registry[AccessRule].get_form(request)
    data = {"service": service.pk, "target": "groups", "profile": "", "role": "access"}
    data |= {"subjects": "[]", "functions": "[]", "disciplines": "[]"}
    refused = form_class(data | {"groups": [group.pk], "levels": '["3EME"]'})
    assert not refused.is_valid()
    assert message in " ".join(refused.errors["levels"])
    assert form_class(data | {"groups": [made.pk], "levels": '["3EME"]'}).is_valid()
    assert form_class(data | {"groups": [group.pk], "levels": "[]"}).is_valid()
