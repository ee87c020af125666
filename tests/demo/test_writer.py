"""Writing a synthetic school into the directory: real rows, bulk, idempotent."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password

from socle.demo.people import SynthSchool
from socle.demo.synth import generate_school
from socle.demo.writer import write_school
from socle.directory.models import Establishment, Membership, MembershipGroup, ParentLink, Person
from socle.directory.profiles import Profile


def make_school(**kwargs: object) -> SynthSchool:
    return generate_school(**{"seed": 3, "pupils": 60, "teachers": 8, "staff": 6, **kwargs})


def table_snapshot() -> tuple[object, ...]:
    return (
        sorted(Establishment.objects.values_list()),
        sorted(Person.objects.values_list()),
        sorted(Membership.objects.values_list()),
        sorted(ParentLink.objects.values_list()),
        sorted(MembershipGroup.objects.values_list()),
    )


def test_it_writes_every_person_membership_and_parent_link() -> None:
    school = make_school()
    report = write_school(school)
    assert report.people_created == Person.objects.count() == len(school.people)
    assert ParentLink.objects.count() == len(school.links)
    assert Establishment.objects.filter(uai__in=["0312609T", "0312799Z"]).count() == 2
    camille = Person.objects.get(login="camille.martin")
    assert camille.memberships.get().class_name == "4A"
    assert camille.memberships.get().profile == Profile.PUPIL
    assert camille.external_id == "synth:0312609T:3:C-CAMILLE-MARTIN"
    assert camille.uid and camille.uid != camille.login
    nathalie = Person.objects.get(login="nathalie.martin")
    assert nathalie.birth_last_name == "ROUSSEAU"
    assert sorted(nathalie.children_links.values_list("child__first_name", flat=True)) == [
        "Camille",
        "Hugo",
    ]


def test_demo_accounts_get_their_password_and_the_others_none() -> None:
    write_school(make_school())
    assert check_password("demo-eleve-2026", Person.objects.get(login="camille.martin").password)
    usable = [p.login for p in Person.objects.all() if p.has_usable_password()]
    assert sorted(usable) == [
        "camille.martin",
        "direction.jaures",
        "gaelle.n-diaye",
        "helene.le-gall",
        "ines.ben-said",
        "nathalie.martin",
        "yanis.haddad",
        "yasmina.ben-said",
    ]


def test_homonyms_get_distinct_logins() -> None:
    write_school(make_school())
    thomas = Person.objects.filter(first_name="Thomas", last_name="MARTIN")
    logins = sorted(thomas.values_list("login", flat=True))
    assert len(logins) >= 2 and logins[:2] == ["thomas.martin", "thomas.martin2"]


def test_the_two_school_teacher_belongs_to_both_and_direction_administers_one() -> None:
    write_school(make_school())
    helene = Person.objects.get(login="helene.le-gall")
    assert sorted(helene.memberships.values_list("establishment__uai", "profile")) == [
        ("0312609T", Profile.TEACHER),
        ("0312799Z", Profile.TEACHER),
    ]
    direction = Membership.objects.get(person__login="direction.jaures")
    assert (direction.is_admin, direction.profile) == (True, Profile.DIRECTION)
    assert Membership.objects.filter(is_admin=True).count() == 1


def test_writing_the_same_school_twice_changes_nothing() -> None:
    school = make_school()
    write_school(school)
    before = table_snapshot()
    report = write_school(school)
    assert not report.changed
    assert report.people_existing == len(school.people)
    assert table_snapshot() == before


def test_a_changed_demo_password_is_restored() -> None:
    school = make_school()
    write_school(school)
    camille = Person.objects.get(login="camille.martin")
    camille.set_password("another secret value")
    camille.save()
    report = write_school(school)
    assert report.passwords_restored == ["camille.martin"]
    camille.refresh_from_db()
    assert camille.check_password("demo-eleve-2026")


def test_a_demo_login_taken_by_someone_else_goes_to_a_suffixed_login() -> None:
    Person.objects.create_person(first_name="Camille", last_name="Martin", login="camille.martin")
    report = write_school(make_school())
    assert report.logins["C-CAMILLE-MARTIN"] == "camille.martin2"


def test_two_schools_with_other_uais_and_seeds_live_side_by_side() -> None:
    write_school(make_school())
    report = write_school(make_school(seed=4, uai="0310099P", name="Collège Test"))
    assert report.people_created == len(make_school(seed=4, uai="0310099P").people)
    assert Establishment.objects.get(uai="0310099P").name == "Collège Test"
    assert Person.objects.filter(external_id__startswith="synth:0310099P:4:").exists()


def test_a_shared_password_opens_every_synthetic_account() -> None:
    write_school(make_school(), shared_password="load-test-password")
    pupil = Person.objects.get(external_id="synth:0312609T:3:E000001")
    assert pupil.check_password("load-test-password")
    assert Person.objects.get(login="camille.martin").check_password("demo-eleve-2026")


def test_search_keys_are_filled_like_a_saved_person() -> None:
    write_school(make_school())
    bulk = Person.objects.get(login="gaelle.n-diaye")
    key = bulk.search_key
    bulk.save()
    bulk.refresh_from_db()
    assert bulk.search_key == key != ""


def test_teachers_and_staff_get_their_function_and_discipline_in_the_main_school() -> None:
    write_school(make_school())
    helene = Person.objects.get(login="helene.le-gall")
    rows = MembershipGroup.objects.filter(membership__person=helene)
    assert {(r.membership.establishment.uai, r.kind) for r in rows} == {
        ("0312609T", "fonction"),
        ("0312609T", "discipline"),
        ("0312609T", "matiere"),
    }
    assert rows.get(kind="fonction").name == "ENSEIGNEMENT"
    direction = MembershipGroup.objects.get(membership__person__login="direction.jaures")
    assert (direction.kind, direction.name) == ("fonction", "DIRECTION")
    pupils_rows = MembershipGroup.objects.filter(membership__profile=Profile.PUPIL)
    assert set(pupils_rows.values_list("kind", flat=True)) == {"niveau"}  # their levels only


def test_it_gives_each_pupil_the_level_of_their_class() -> None:
    write_school(make_school())
    levels = MembershipGroup.objects.filter(kind="niveau")
    noel = levels.get(membership__person__external_id__endswith=":C-NOEL-BEN-SAID")
    assert (noel.membership.class_name, noel.name) == ("3B", "3EME")
    ines = levels.get(membership__person__login="ines.ben-said")
    assert (ines.membership.establishment.uai, ines.name) == ("0312799Z", "5EME")
    pupils = Membership.objects.filter(profile=Profile.PUPIL)
    assert levels.count() == pupils.exclude(class_name="").count()
    assert all(g.name == f"{g.membership.class_name[0]}EME" for g in levels)
    write_school(make_school())  # a second run adds nothing
    assert levels.count() == pupils.exclude(class_name="").count()


def test_it_lets_a_level_rule_be_shown_with_the_demo_accounts() -> None:
    from socle.portal.access import can_access
    from socle.portal.models import AccessMode, AccessRule, AccessTarget
    from tests.factories import make_service

    write_school(make_school())
    jaures = Establishment.objects.get(uai="0312609T")
    service = make_service("brevet", access_mode=AccessMode.RULES)
    rule = AccessRule.objects.create(service=service, target=AccessTarget.SITE, levels=["3EME"])
    rule.establishments.set([jaures])
    noel = Person.objects.get(external_id__endswith=":C-NOEL-BEN-SAID")
    logins = ("yasmina.ben-said", "camille.martin", "nathalie.martin", "helene.le-gall")
    people = [noel, *(Person.objects.get(login=login) for login in logins)]
    assert [can_access(p, service) for p in people] == [True, True, False, False, False]
