"""can_access over the database: activation, rules, groups, and a bounded number of queries."""

from __future__ import annotations

from typing import Any

from socle.directory.models import Establishment, GroupKind, Membership, MembershipGroup
from socle.directory.profiles import Profile
from socle.portal.access import accessible_services, can_access, explain_access
from socle.portal.access_cache import PEOPLE_VERSION, POLICY_VERSION
from socle.portal.models import (
    AccessMode,
    AccessRule,
    AccessTarget,
    Group,
    ServiceActivation,
)
from tests.factories import (
    make_establishment,
    make_membership,
    make_parent_link,
    make_person,
    make_service,
)


def test_a_service_registered_without_profiles_is_open_to_its_establishment(
    school: Establishment, other_school: Establishment
) -> None:
    service = make_service("pronote", establishment=school)
    pupil = make_person(establishment=school, profile=Profile.PUPIL)
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    stranger = make_person("Léa", "Autre", establishment=other_school)
    assert can_access(pupil, service)
    assert can_access(teacher, service)
    assert not can_access(stranger, service)


def test_a_service_of_the_whole_ent_is_open_to_every_member_of_any_school(
    school: Establishment, other_school: Establishment
) -> None:
    service = make_service("aide")
    assert can_access(make_person(establishment=other_school, profile=Profile.PARENT), service)
    assert not can_access(make_person("Sans", "Etablissement"), service)


def test_the_activation_of_an_establishment_picks_the_profiles(school: Establishment) -> None:
    service = make_service("pronote", establishment=school, access_mode=AccessMode.RULES)
    pupil = make_person(establishment=school, profile=Profile.PUPIL)
    parent = make_person("Paul", "Martin", establishment=school, profile=Profile.PARENT)
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    assert not can_access(pupil, service)
    ServiceActivation.objects.create(
        service=service, establishment=school, enabled=True, populations=["eleve", "parent"]
    )
    assert can_access(pupil, service)
    assert can_access(parent, service)
    assert not can_access(teacher, service)


def test_switching_a_service_off_for_a_school_closes_it_there_only(
    school: Establishment, other_school: Establishment
) -> None:
    service = make_service("aide")
    here = make_person(establishment=school)
    there = make_person("Léa", "Autre", establishment=other_school)
    ServiceActivation.objects.create(service=service, establishment=school, enabled=False)
    assert not can_access(here, service)
    assert can_access(there, service)


def test_a_class_rule_opens_the_service_to_that_class(school: Establishment) -> None:
    service = make_service("labo", access_mode=AccessMode.RULES)
    in_class = make_person(establishment=school, class_name="4A")
    other_class = make_person("Hugo", "Petit", establishment=school, class_name="3B")
    group = Group.objects.create(establishment=school, name="Classe 4A", class_name="4A")
    rule = AccessRule.objects.create(
        service=service, target=AccessTarget.GROUPS, profile=Profile.PUPIL
    )
    rule.groups.set([group])
    assert can_access(in_class, service)
    assert not can_access(other_class, service)


def _teacher_of(school: Establishment, *classes: str, **fields: Any) -> Any:
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER, **fields)
    membership = Membership.objects.get(person=teacher, establishment=school)
    for name in classes:
        MembershipGroup.objects.create(membership=membership, kind=GroupKind.CLASS, name=name)
    return teacher


def test_a_class_rule_opens_the_service_to_the_teachers_of_that_class(
    school: Establishment, other_school: Establishment
) -> None:
    service = make_service("manuel-4e", access_mode=AccessMode.RULES)
    group = Group.objects.create(establishment=school, name="Classe 4A", class_name="4A")
    for profile in ("", Profile.TEACHER):
        rule = AccessRule.objects.create(
            service=service, target=AccessTarget.GROUPS, profile=profile
        )
        rule.groups.set([group])
    teaching = _teacher_of(school, "3B", "4a")  # the AAF's ENTAuxEnsClasses; case as imported
    elsewhere = _teacher_of(other_school, "4A", login="jean.prof.ailleurs")  # another school's 4A
    other = _teacher_of(school, "3B", login="jean.prof.autre")
    assert can_access(teaching, service)
    assert not can_access(elsewhere, service)
    assert not can_access(other, service)
    # « Accès utilisateur » and « Mon espace » read the same facts
    assert explain_access(teaching, service).allowed
    assert service.pk in accessible_services(teaching)


def _class_4a_service(school: Establishment, code: str, profile: str = "") -> Any:
    """A service opened by one « Accès population » rule: the class 4A (× ``profile``)."""
    service = make_service(code, access_mode=AccessMode.RULES)
    group, _ = Group.objects.get_or_create(
        establishment=school, class_name="4A", defaults={"name": "Classe 4A"}
    )
    rule = AccessRule.objects.create(service=service, target=AccessTarget.GROUPS, profile=profile)
    rule.groups.set([group])
    return service


def test_a_class_rule_for_pupils_leaves_the_teachers_of_the_class_out(
    school: Establishment,
) -> None:
    service = _class_4a_service(school, "labo", Profile.PUPIL)
    assert not can_access(_teacher_of(school, "4A"), service)


def test_a_class_row_of_a_pupil_counts_nowhere(school: Establishment) -> None:
    """Pupils and parents teach nothing: a « classe » row added to a pupil's membership (by hand,
    in the Django admin) opens nothing, on a hop as in « Accès utilisateur »."""
    from socle.portal.access import explain_for_people

    service = make_service("labo", access_mode=AccessMode.RULES)
    group = Group.objects.create(establishment=school, name="Classe 4A", class_name="4A")
    rule = AccessRule.objects.create(service=service, target=AccessTarget.GROUPS)
    rule.groups.set([group])
    pupil = make_person(establishment=school, class_name="3B")
    MembershipGroup.objects.create(
        membership=Membership.objects.get(person=pupil), kind=GroupKind.CLASS, name="4A"
    )
    assert not can_access(pupil, service)
    assert not explain_access(pupil, service).allowed
    assert not explain_for_people([pupil], service)[pupil.pk].allowed
    # nor on the parent side of a teacher who is also a parent there (the teacher's rows read)
    teacher = _teacher_of(school, "3B")
    parent = make_membership(teacher, school, profile=Profile.PARENT)
    MembershipGroup.objects.create(membership=parent, kind=GroupKind.CLASS, name="4A")
    assert not can_access(teacher, service)
    assert not explain_access(teacher, service).allowed
    assert not explain_for_people([teacher], service)[teacher.pk].allowed


def test_a_pupil_costs_no_query_for_classes_taught(
    school: Establishment, django_assert_num_queries: Any
) -> None:
    from socle.portal.access_cache import person_facts

    pupil = make_person(establishment=school, class_name="4A")
    teacher = _teacher_of(school, "4A")
    PEOPLE_VERSION.current()
    with django_assert_num_queries(2):  # the person, the memberships
        person_facts(pupil.pk)
    with django_assert_num_queries(3):  # and the classes taught
        facts = person_facts(teacher.pk)
    assert facts is not None and facts.memberships[0].taught_classes == frozenset({"4a"})


def test_a_class_rule_opens_the_service_to_the_parents_of_its_pupils(
    school: Establishment, other_school: Establishment
) -> None:
    from socle.portal.access import explain_for_people

    service = _class_4a_service(school, "carnet-4a", Profile.PARENT)
    in_4a = make_person("Léa", "Petit", establishment=school, class_name="4a")
    in_3b = make_person("Hugo", "Petit", establishment=school, class_name="3B")
    elsewhere = make_person("Zoé", "Petit", establishment=other_school, class_name="4A")
    mother = make_person("Anne", "Petit", establishment=school, profile=Profile.PARENT)
    make_parent_link(mother, in_4a)
    father = make_person("Marc", "Petit", establishment=school, profile=Profile.PARENT)
    make_parent_link(father, in_3b)
    make_membership(father, other_school, profile=Profile.PARENT)
    make_parent_link(father, elsewhere)  # another school's 4A
    assert can_access(mother, service)
    assert not can_access(father, service)
    assert not can_access(in_4a, service)  # the rule names parents only
    # « Accès utilisateur » and « Mon espace » read the same facts
    assert explain_access(mother, service).allowed
    assert service.pk in accessible_services(mother)
    decisions = explain_for_people([mother, father, in_4a], service)
    assert [decisions[p.pk].allowed for p in (mother, father, in_4a)] == [True, False, False]
    # the child leaves the class, or leaves: the hop sees it (the people cache is dropped)
    Membership.objects.filter(person=in_4a).update(class_name="3B")
    PEOPLE_VERSION.changed()
    assert not can_access(mother, service)
    Membership.objects.filter(person=in_4a).update(class_name="4A")
    in_4a.is_active = False
    in_4a.save()
    assert not can_access(mother, service)


def test_a_parent_link_made_or_removed_reaches_the_hop(school: Establishment) -> None:
    service = _class_4a_service(school, "carnet-4a")
    child = make_person("Léa", "Petit", establishment=school, class_name="4A")
    mother = make_person("Anne", "Petit", establishment=school, profile=Profile.PARENT)
    assert not can_access(mother, service)
    link = make_parent_link(mother, child)
    assert can_access(mother, service)
    link.delete()
    assert not can_access(mother, service)


def test_explain_for_people_reads_all_the_children_in_one_query(
    school: Establishment, django_assert_num_queries: Any
) -> None:
    from socle.portal.access import explain_for_people

    service = _class_4a_service(school, "carnet-4a")
    parents = []
    for i in range(4):
        child = make_person("Enfant", f"N{i}", establishment=school, class_name=f"{3 + i % 2}A")
        parent = make_person("Parent", f"N{i}", establishment=school, profile=Profile.PARENT)
        make_parent_link(parent, child)
        parents.append(parent)
    people = list(type(parents[0]).objects.filter(pk__in=[p.pk for p in parents]))
    # memberships, classes taught, activations, rules, their groups, the children's classes
    with django_assert_num_queries(6):
        decisions = explain_for_people(people, service)
    assert sorted(decisions[p.pk].allowed for p in parents) == [False, False, True, True]


def test_a_parent_costs_one_query_for_the_childrens_classes(
    school: Establishment, django_assert_num_queries: Any
) -> None:
    from socle.portal.access_cache import person_facts

    child = make_person(establishment=school, class_name="4A")
    mother = make_person("Anne", "Petit", establishment=school, profile=Profile.PARENT)
    make_parent_link(mother, child)
    PEOPLE_VERSION.current()
    with django_assert_num_queries(3):  # the person, the memberships, the children's classes
        facts = person_facts(mother.pk)
    assert facts is not None and facts.memberships[0].children_classes == frozenset({"4a"})


def _staff_holding(school: Establishment, login: str, profile: str, **held: str) -> Any:
    person = make_person("Jean", login, establishment=school, profile=profile, login=login)
    membership = Membership.objects.get(person=person, establishment=school)
    for kind, name in held.items():
        MembershipGroup.objects.create(membership=membership, kind=kind, name=name)
    return person


def test_a_rule_narrowed_to_a_discipline_opens_the_service_to_its_teachers_only(
    school: Establishment, other_school: Establishment, django_assert_num_queries: Any
) -> None:
    from socle.portal.access import explain_for_people
    from socle.portal.access_cache import person_facts

    service = make_service("maths", access_mode=AccessMode.RULES)
    rule = AccessRule.objects.create(
        service=service, target=AccessTarget.SITE, disciplines=["Mathématiques"]
    )
    rule.establishments.set([school, other_school])
    maths = _staff_holding(school, "maths", Profile.TEACHER, discipline="MATHÉMATIQUES")
    english = _staff_holding(school, "anglais", Profile.TEACHER, discipline="ANGLAIS")
    elsewhere = _staff_holding(other_school, "ailleurs", Profile.TEACHER)
    make_membership(elsewhere, school, profile=Profile.TEACHER)
    MembershipGroup.objects.create(  # maths in the other school only: not here
        membership=Membership.objects.get(person=elsewhere, establishment=other_school),
        kind=GroupKind.DISCIPLINE,
        name="Mathématiques",
    )
    pupil = make_person("Léa", "Petit", establishment=school, class_name="4A")
    assert can_access(maths, service)
    assert not can_access(english, service)
    assert can_access(elsewhere, service, other_school)
    assert not can_access(elsewhere, service, school)
    assert not can_access(pupil, service)
    assert explain_access(maths, service).allowed and service.pk in accessible_services(maths)
    # « Accès utilisateur » says why the English teacher is refused
    reason = explain_access(english, service).verdicts[0].reason
    assert reason.startswith("un droit de l'onglet « Accès population » couvre ce profil, mais")
    assert explain_access(pupil, service).verdicts[0].reason == "aucun droit ne couvre ce profil"
    decisions = explain_for_people([maths, english, pupil], service)
    assert [decisions[p.pk].allowed for p in (maths, english, pupil)] == [True, False, False]
    PEOPLE_VERSION.changed()  # forget the copies made above
    PEOPLE_VERSION.current()
    with django_assert_num_queries(3):  # the person, the memberships, their rows: no more
        person_facts(maths.pk)


def test_a_rule_narrowed_to_a_subject_taught_opens_the_service_to_its_teachers(
    school: Establishment,
) -> None:
    service = make_service("svt", access_mode=AccessMode.RULES)
    rule = AccessRule.objects.create(
        service=service, target=AccessTarget.SITE, subjects=["Sciences de la vie et de la Terre"]
    )
    rule.establishments.set([school])
    subject = "SCIENCES DE LA VIE ET DE LA TERRE"
    svt = _staff_holding(school, "svt", Profile.TEACHER, matiere=subject)
    latin = _staff_holding(school, "latin", Profile.TEACHER, matiere="LATIN")
    assert can_access(svt, service) and not can_access(latin, service)


def test_it_compares_a_subject_without_accents_nor_repeated_spaces(
    school: Establishment,
) -> None:
    service = make_service("maths", access_mode=AccessMode.RULES)
    rule = AccessRule.objects.create(
        service=service, target=AccessTarget.SITE, subjects=["Mathématiques  appliquées"]
    )
    rule.establishments.set([school])
    maths = _staff_holding(school, "maths", Profile.TEACHER, matiere="MATHEMATIQUES APPLIQUEES")
    latin = _staff_holding(school, "latin", Profile.TEACHER, matiere="LATIN")
    assert can_access(maths, service) and not can_access(latin, service)


def test_a_blank_name_or_a_null_list_narrows_to_nobody_as_socle_w051_says(
    school: Establishment,
) -> None:
    from django.db.models import Value
    from django.db.models.fields.json import JSONField

    from socle.portal.checks import check_access_rules

    service = make_service("maths", access_mode=AccessMode.RULES)
    blank = AccessRule.objects.create(
        service=service, target=AccessTarget.SITE, subjects=["MATHEMATIQUES", " "]
    )
    blank.establishments.set([school])
    maths = _staff_holding(school, "maths", Profile.TEACHER, matiere="MATHEMATIQUES")
    assert not can_access(maths, service)
    blank.subjects = ["MATHEMATIQUES"]
    blank.save()
    assert can_access(maths, service)
    AccessRule.objects.filter(pk=blank.pk).update(subjects=Value(None, JSONField()))
    assert AccessRule.objects.get(pk=blank.pk).subjects is None
    POLICY_VERSION.changed()  # a script's UPDATE sends no signal
    assert not can_access(maths, service)  # not « no narrowing »
    (warning,) = check_access_rules(databases=["default"])
    assert warning.id == "socle.W051" and "matières enseignées" in warning.msg


def test_the_form_offers_a_subject_once_whatever_its_accents(school: Establishment) -> None:
    from socle.directory.models import GroupKind
    from socle.portal.forms.access import _held_names

    _staff_holding(school, "a", Profile.TEACHER, matiere="Mathématiques")
    _staff_holding(school, "b", Profile.TEACHER, matiere="MATHEMATIQUES")
    assert len(_held_names(GroupKind.SUBJECT, None)) == 1


def test_a_malformed_narrowing_opens_to_nobody_and_the_admin_refuses_it(
    school: Establishment,
) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    service = make_service("pilotage", access_mode=AccessMode.RULES)
    rule = AccessRule.objects.create(service=service, target=AccessTarget.SITE, functions="DIR")
    rule.establishments.set([school])
    head = _staff_holding(school, "principal", Profile.DIRECTION, fonction="DIRECTION")
    assert not can_access(head, service)  # not « no narrowing »
    with pytest.raises(ValidationError) as raised:
        rule.full_clean()
    assert set(raised.value.message_dict) == {"functions"}


def test_a_function_held_in_the_establishment_counts_for_each_staff_profile_there(
    school: Establishment,
) -> None:
    service = make_service("pilotage", access_mode=AccessMode.RULES)
    rule = AccessRule.objects.create(
        service=service,
        target=AccessTarget.SITE,
        profile=Profile.DIRECTION,
        functions=["DIRECTION"],
    )
    rule.establishments.set([school])
    # the import keeps the rows on the teaching membership; the direction one reads them too
    head = _staff_holding(school, "principal", Profile.TEACHER, fonction="DIRECTION")
    make_membership(head, school, profile=Profile.DIRECTION)
    assert can_access(head, service)


def test_a_hand_made_group_rule_opens_the_service_to_its_members(school: Establishment) -> None:
    service = make_service("labo", access_mode=AccessMode.RULES)
    member = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    outsider = make_person("Anne", "Prof", establishment=school, profile=Profile.TEACHER)
    group = Group.objects.create(establishment=school, name="Sciences")
    group.members.add(member)
    rule = AccessRule.objects.create(service=service, target=AccessTarget.GROUPS)
    rule.groups.set([group])
    assert can_access(member, service)
    assert not can_access(outsider, service)


def test_it_answers_for_the_requested_establishment(
    school: Establishment, other_school: Establishment
) -> None:
    service = make_service("aide")
    parent = make_person(establishment=school, profile=Profile.PARENT)

    make_membership(parent, other_school, profile=Profile.PARENT)
    ServiceActivation.objects.create(service=service, establishment=school, enabled=False)
    assert can_access(parent, service)
    assert not can_access(parent, service, school)
    assert can_access(parent, service, other_school)


def test_explain_access_gives_a_reason_per_membership(school: Establishment) -> None:
    service = make_service("pronote", establishment=school, access_mode=AccessMode.RULES)
    pupil = make_person(establishment=school)
    decision = explain_access(pupil, service)
    assert not decision.allowed
    assert decision.verdicts[0].reason == "aucun droit ne couvre ce profil"


def test_can_access_needs_a_few_queries_whatever_the_rules(
    school: Establishment, django_assert_max_num_queries: Any
) -> None:
    service = make_service("labo", access_mode=AccessMode.RULES)
    pupil = make_person(establishment=school, class_name="4A")
    for i in range(5):
        group = Group.objects.create(establishment=school, name=f"G{i}", class_name=f"{i}B")
        rule = AccessRule.objects.create(service=service, target=AccessTarget.GROUPS)
        rule.groups.set([group])
        site = AccessRule.objects.create(
            service=service, target=AccessTarget.SITE, profile=Profile.TEACHER
        )
        site.establishments.set([school])
    ServiceActivation.objects.create(
        service=service, establishment=school, enabled=True, populations=["parent"]
    )
    POLICY_VERSION.current(), PEOPLE_VERSION.current()  # version tokens read (once a second)
    with django_assert_max_num_queries(6):
        assert not can_access(pupil, service)
    with django_assert_max_num_queries(0):  # the next hops: from this process's memory
        assert not can_access(pupil, service)


def test_it_sees_a_new_rule_and_a_new_membership_at_once(school: Establishment) -> None:
    service = make_service("labo", access_mode=AccessMode.RULES)
    teacher = make_person(establishment=school, profile=Profile.TEACHER)
    assert not can_access(teacher, service)
    rule = AccessRule.objects.create(service=service, target=AccessTarget.SITE)
    rule.establishments.set([school])
    assert can_access(teacher, service)
    rule.delete()
    assert not can_access(teacher, service)
    other = make_establishment("0310001H")
    rule = AccessRule.objects.create(service=service, target=AccessTarget.SITE)
    rule.establishments.set([other])
    assert not can_access(teacher, service)
    make_membership(teacher, other, profile=Profile.TEACHER)
    assert can_access(teacher, service)


def test_accessible_services_lists_many_services_in_constant_queries(
    school: Establishment, django_assert_max_num_queries: Any
) -> None:
    services = [make_service(f"s{i}", patterns=()) for i in range(12)]
    ServiceActivation.objects.create(service=services[0], establishment=school, enabled=False)
    pupil = make_person(establishment=school)
    with django_assert_max_num_queries(6):
        decisions = accessible_services(pupil, services)
    assert set(decisions) == {s.pk for s in services[1:]}
