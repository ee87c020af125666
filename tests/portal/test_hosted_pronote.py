"""Another school's PRONOTE.net address: Index Education's hosted addresses name their school
(``https://<uai>.index-education.net/…``), so an establishment's administrator may not take the
address of a UAI they do not administer, declared or not yet; an administrator of the whole ENT
may, and whoever saves is warned of a service whose address names another UAI than its own
(socle.portal.hosted_pronote, socle.W045)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from lxml import html

from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from socle.portal.checks import check_hosted_uais
from socle.portal.hosted_pronote import HostedReach, pattern_reach
from socle.portal.models import PatternKind, Service, SSOType
from tests.factories import make_membership, make_person, make_service
from tests.portal.conftest import logged_in
from tests.portal.test_django_admin_services import _add_service, _superuser_client
from tests.portal.test_service_pages import service_data

THEIRS = "https://0310001h.index-education.net/pronote/"  # other_school's UAI, 0310001H
OURS = "https://0312609t.index-education.net/pronote/"  # school's UAI, 0312609T


def _errors(response: object, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))  # type: ignore[attr-defined]


def _pronote(school: Establishment, **overrides: str) -> dict[str, str]:
    return service_data(establishment=str(school.pk), **overrides)


def test_it_refuses_a_school_administrator_the_pronote_address_of_a_school_yet_to_declare_it(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    client = logged_in(school_admin)
    for url in (THEIRS, THEIRS.replace("0310001h", "0310001H"), THEIRS + "eleve.html"):
        response = client.post(reverse("portal:service_create"), _pronote(school, url=url))
        assert response.status_code == 200
        assert _errors(response, "url") == [
            "Cette adresse est celle du PRONOTE.net hébergé de l'établissement 0310001H, que vous "
            "n'administrez pas : seul un administrateur de l'ENT peut y enregistrer un service. "
            "Vérifiez l'UAI écrit dans l'adresse (vos établissements : 0312609T)."
        ]
    plain = {"sso_type": SSOType.NONE, "code": "lien", "url": THEIRS}
    response = client.post(reverse("portal:service_create"), _pronote(school, **plain))
    assert "url" in response.context["form"].errors  # a mere link would block B's PRONOTE too
    assert not Service.objects.exists()
    their_admin = make_person(
        "Lou", "Labas", establishment=other_school, profile=Profile.DIRECTION, is_admin=True
    )
    created = logged_in(their_admin).post(
        reverse("portal:service_create"), _pronote(other_school, url=THEIRS)
    )
    assert created.status_code == 302
    assert Service.objects.get().establishment == other_school


@pytest.mark.parametrize(
    "pattern",
    [
        r"^https://(0312609t|0310001h)\.index-education\.net/pronote/.*",
        r"^https://[0-9]{7}[a-z]\.index-education\.net/pronote/.*",
        r"^https://0312609t\.index-education\.net/pronote/.*|^http://0310001h\..*",
    ],
)
def test_it_refuses_a_school_administrator_a_pattern_that_may_reach_another_schools_pronote(
    school_admin: Person, school: Establishment, pattern: str
) -> None:
    response = logged_in(school_admin).post(
        reverse("portal:service_create"), _pronote(school, url=OURS, patterns_text=pattern)
    )
    (error,) = _errors(response, "patterns_text")
    assert error.startswith(pattern + " — ")
    assert "PRONOTE.net" in error and "que vous n'administrez pas" in error
    assert not Service.objects.exists()


def test_it_refuses_a_school_administrator_a_sub_domain_of_another_schools_pronote_host(
    school_admin: Person, school: Establishment
) -> None:
    client = logged_in(school_admin)
    sub = THEIRS.replace("https://", "https://mobile.")
    response = client.post(reverse("portal:service_create"), _pronote(school, url=sub))
    assert _errors(response, "url") == [
        "Cette adresse est celle du PRONOTE.net hébergé de l'établissement 0310001H, que vous "
        "n'administrez pas : seul un administrateur de l'ENT peut y enregistrer un service. "
        "Vérifiez l'UAI écrit dans l'adresse (vos établissements : 0312609T)."
    ]
    own_sub = OURS.replace("https://", "https://mobile.")
    either = r"^https://mobile\.(0312609t|0310001h)\.index-education\.net/pronote/.*"
    data = _pronote(school, url=own_sub, patterns_text=either)
    (error,) = _errors(client.post(reverse("portal:service_create"), data), "patterns_text")
    assert error.startswith(either + " — ") and "PRONOTE.net d'un autre établissement" in error
    assert not Service.objects.exists()
    data = _pronote(school, url=own_sub, patterns_text=f"{own_sub}**")
    assert client.post(reverse("portal:service_create"), data).status_code == 302
    assert Service.objects.get().url == own_sub


def test_it_lets_a_school_administrator_declare_their_own_pronote_address(
    school_admin: Person, school: Establishment
) -> None:
    url = OURS.replace("0312609t", "0312609T")
    patterns = f"{url}**\n^https://0312609t\\.index-education\\.net/pronote/.*"
    response = logged_in(school_admin).post(
        reverse("portal:service_create"), _pronote(school, url=url, patterns_text=patterns)
    )
    assert response.status_code == 302
    assert Service.objects.get().url == url


def test_it_lets_a_global_administrator_declare_it_and_warns_of_the_other_uai(
    superuser: Person, school: Establishment, other_school: Establishment
) -> None:
    client = logged_in(superuser)
    response = client.post(
        reverse("portal:service_create"), _pronote(school, url=THEIRS), follow=True
    )
    assert Service.objects.get().url == THEIRS
    alerts = html.fromstring(response.content.decode()).xpath("//div[contains(@class, 'alert')]")
    warnings = [a.text_content().strip() for a in alerts if "alert-warning" in a.get("class")]
    assert warnings == [
        "Le service « PRONOTECAS » de l'établissement 0312609T a une adresse PRONOTE.net qui "
        "désigne un autre établissement (0310001H) : vérifiez l'UAI écrit dans l'URL et les "
        "motifs (une faute de frappe ?). Deux établissements qui partagent une même base "
        "PRONOTE peuvent l'ignorer."
    ]


def test_it_lets_an_administrator_of_both_schools_use_either_address(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    make_membership(school_admin, other_school, profile=Profile.DIRECTION, is_admin=True)
    response = logged_in(school_admin).post(
        reverse("portal:service_create"), _pronote(school, url=THEIRS), follow=True
    )
    assert response.status_code == 200 and Service.objects.get().url == THEIRS
    assert "désigne un autre établissement (0310001H)" in response.content.decode()


def test_it_reports_a_service_whose_address_names_another_uai_in_the_system_checks(
    school: Establishment, other_school: Establishment
) -> None:
    make_service("PRONOTE-A", url=OURS, sso_type=SSOType.PRONOTE, establishment=school)
    make_service("TOUS", url=THEIRS, patterns=(THEIRS + "**",))  # the whole ENT's: not reported
    assert check_hosted_uais(databases=["default"]) == []
    make_service(
        "SQUAT",
        url="https://appli.jaures.example/",
        patterns=(r"^https://0310001h\.index-education\.net/.*",),
        kind=PatternKind.REGEX,
        establishment=school,
    )
    (message,) = check_hosted_uais(databases=["default"])
    assert message.id == "socle.W045"
    assert "« SQUAT » de l'établissement 0312609T" in message.msg and "(0310001H)" in message.msg
    assert check_hosted_uais(databases=None) == []


def test_it_warns_from_service_add_when_the_address_names_another_uai(
    school: Establishment, other_school: Establishment
) -> None:
    stderr = io.StringIO()
    call_command(
        "service_add", "PRONOTECAS", "Pronote", "--url", THEIRS, "--sso", "pronote",
        "--uai", school.uai, stdout=io.StringIO(), stderr=stderr,
    )  # fmt: skip
    assert Service.objects.get().establishment == school
    assert "Attention : Le service « PRONOTECAS » de l'établissement 0312609T" in stderr.getvalue()
    stderr = io.StringIO()
    call_command(
        "service_add", "PRONOTE-B", "Pronote", "--url", THEIRS.replace("pronote", "autre"),
        "--sso", "pronote", "--uai", other_school.uai, stdout=io.StringIO(), stderr=stderr,
    )  # fmt: skip
    assert "désigne un autre établissement" not in stderr.getvalue()


def test_it_warns_in_the_django_admin_when_the_address_names_another_uai(
    client: Client, school: Establishment, other_school: Establishment
) -> None:
    client = _superuser_client(client)
    response = _add_service(
        client, THEIRS, THEIRS + "**", establishment=str(school.pk), sso_type=SSOType.CAS
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "désigne un autre établissement (0310001H)" in page


def test_it_warns_in_the_django_admin_of_a_sub_domain_of_another_uais_host(
    client: Client, school: Establishment, other_school: Establishment
) -> None:
    client = _superuser_client(client)
    sub = THEIRS.replace("https://", "https://mobile.")
    response = _add_service(
        client, sub, sub + "**", establishment=str(school.pk), sso_type=SSOType.CAS
    )
    assert response.status_code == 302  # an operator may: the whole ENT's administrator
    page = client.get(response["Location"]).content.decode()
    assert "désigne un autre établissement (0310001H)" in page
    assert Service.objects.get().url == sub
    (message,) = check_hosted_uais(databases=["default"])
    assert message.id == "socle.W045" and "(0310001H)" in message.msg


@pytest.mark.parametrize(
    ("kind", "value", "reach"),
    [
        ("exact", "https://0310001H.index-education.net/pronote/", {"0310001H"}),
        ("ant", "https://0310001h.index-education.net./pronote/**", {"0310001H"}),
        ("ant", "https://0310001h.index-education.net:8443/**", {"0310001H"}),
        ("regex", r"^https://0310001h\.index-education\.net:", {"0310001H"}),
        ("regex", r"^https://u@0310001h\.index-education\.net:", {"0310001H"}),
        ("regex", r"^https://u@0310001h\.index-education\.net", {"0310001H"}),
        ("regex", r"^https://u@0310001h\.index.*", {"0310001H"}),
        ("regex", r"^https://u@031.*", None),
        ("regex", r"^https://appli\.example\.org:", set()),
        ("ant", "https://0310001h.index-education.net/**", {"0310001H"}),
        ("regex", r"^https://0310001h.index-education.net/.*", {"0310001H"}),
        ("regex", r"^https://0310001h\.index-edu.*", {"0310001H"}),
        ("regex", r"^https://0310001h\.index-edu", set()),  # that one address only
        ("ant", "https://0310*/**", None),
        ("regex", r"^https?://0310001h\.index-education\.net/", None),
        ("regex", r"^(https://appli\.example\.org/.*)$", None),
        ("ant", "https://appli.example.org/**", set()),
        ("ant", "https://x.0310001h.index-education.net/**", {"0310001H"}),
        ("exact", "https://a.b.0310001H.index-education.net./pronote/", {"0310001H"}),
        ("regex", r"^https://mobile\.0310001h\.index-edu.*", {"0310001H"}),
        ("regex", r"^https://mobile\.031(0001h|2609t)\.index-education\.net/", None),
        ("regex", r"^https://mobile\.(0310001h|0312609t)\.index-education\.net/", None),
        ("ant", "https://x-0310001h.index-education.net/**", set()),
        ("ant", "https://0310001h.x.index-education.net/**", set()),
        ("ant", "https://x.0310001h.index-education.net.example.org/**", set()),
        ("regex", r"^https://appli\.example\.org(/.*)?$", set()),
        ("regex", r"^https://51\.15\.3\.4(/.*)?$", set()),  # an IPv4 address: no label
        ("regex", r"^https://x\.03.*", None),
        ("regex", r"^https://appli\.(a|b)\.org/", None),  # "appli." may go on with a UAI
        ("ant", "https://0310001hh.index-education.net/**", set()),
        ("regex", r"^https://appli.*", set()),
        ("regex", r"^https://0310001hx", set()),
    ],
)
def test_it_reads_which_hosted_addresses_a_pattern_may_accept(
    kind: str, value: str, reach: set[str] | None
) -> None:
    expected = HostedReach(any_uai=True) if reach is None else HostedReach(frozenset(reach))
    assert pattern_reach(kind, value) == expected
