"""``socle service_add … --profiles``: command-line services and who may open them."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from socle.directory.models import Establishment
from socle.directory.profiles import Profile
from socle.portal.access import can_access
from socle.portal.models import AccessMode, AccessRule, AccessTarget, Service
from socle.portal.provisioning import ProfilesError, parse_profiles
from tests.factories import make_person

PRONOTE = "https://0312609t.index-education.net/pronote/"


def add(*args: str) -> None:
    call_command("service_add", *args, stdout=io.StringIO())


def test_without_profiles_a_service_is_open_to_every_profile_of_its_school(
    school: Establishment, other_school: Establishment
) -> None:
    add("PRONOTECAS", "Pronote", "--url", PRONOTE, "--sso", "pronote", "--uai", school.uai)
    service = Service.objects.get(code="PRONOTECAS")
    assert service.access_mode == AccessMode.OPEN
    assert can_access(make_person(establishment=school, profile=Profile.TEACHER), service)
    assert not can_access(make_person("Léa", "Autre", establishment=other_school), service)


def test_profiles_restrict_the_service_to_those_profiles(school: Establishment) -> None:
    add(
        "PRONOTECAS",
        "Pronote",
        "--url",
        PRONOTE,
        "--sso",
        "pronote",
        "--uai",
        school.uai,
        "--profiles",
        "National_ELV,national_tut",
    )
    service = Service.objects.get(code="PRONOTECAS")
    assert service.access_mode == AccessMode.RULES
    rules = AccessRule.objects.filter(service=service)
    assert sorted(r.profile for r in rules) == ["National_ELV", "National_TUT"]
    assert all(r.target == AccessTarget.SITE for r in rules)
    assert can_access(make_person(establishment=school, profile=Profile.PUPIL), service)
    assert not can_access(
        make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER), service
    )


def test_profiles_without_uai_cover_the_whole_ent(other_school: Establishment) -> None:
    add(
        "AIDE",
        "Aide",
        "--url",
        "https://aide.example.org/",
        "--pattern",
        "https://aide.example.org/**",
        "--profiles",
        "National_ENS",
    )
    service = Service.objects.get(code="AIDE")
    assert AccessRule.objects.get(service=service).target == AccessTarget.ALL
    teacher = make_person("Jean", "Prof", establishment=other_school, profile=Profile.TEACHER)
    assert can_access(teacher, service)


def test_running_again_replaces_command_line_rules_and_keeps_page_rules(
    school: Establishment, superuser: object
) -> None:
    args = ["PRONOTECAS", "Pronote", "--url", PRONOTE, "--sso", "pronote", "--uai", school.uai]
    add(*args, "--profiles", "National_ELV")
    service = Service.objects.get(code="PRONOTECAS")
    AccessRule.objects.create(
        service=service, target=AccessTarget.ALL, profile="National_DIR", created_by=superuser
    )  # made in the pages
    add(*args, "--profiles", "National_TUT")
    assert sorted(AccessRule.objects.values_list("profile", flat=True)) == [
        "National_DIR",
        "National_TUT",
    ]
    add(*args)  # no --profiles: access left as it is
    assert AccessRule.objects.count() == 2
    assert Service.objects.get(code="PRONOTECAS").access_mode == AccessMode.RULES


def test_unknown_profiles_are_refused_in_french() -> None:
    with pytest.raises(CommandError, match="Profil inconnu : « Eleve »"):
        add(
            "X",
            "X",
            "--url",
            "https://x.example.org/",
            "--pattern",
            "https://x.example.org/**",
            "--profiles",
            "National_ELV,Eleve",
        )
    assert not Service.objects.exists()
    with pytest.raises(ProfilesError, match="--profiles est vide"):
        parse_profiles(" , ")
