"""Between schools, what the pages tell: a rule made for several schools, its traces, a code
another school's service uses and the categories suggested show an administrator of school A
only what concerns A (and the whole ENT), and an administrator of the whole ENT everything."""

from __future__ import annotations

from django.urls import reverse
from lxml import html

from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from socle.portal.forms.service_rules import code_problem
from socle.portal.models import AccessMode, AccessRule, AccessTarget, Group, Service, SSOType
from tests.factories import make_establishment, make_service
from tests.portal.conftest import logged_in
from tests.portal.test_service_pages import service_data


def _recap_targets(person: Person, service: Service) -> list[str]:
    page = logged_in(person).get(reverse("portal:service_access", args=[service.pk]))
    tree = html.fromstring(page.content.decode())
    rows = tree.xpath("//section[@aria-labelledby='recap-title']//tbody/tr")
    return [row.xpath("./td")[0].text_content().strip() for row in rows]


def test_it_shows_a_school_only_itself_in_a_rule_made_for_several_schools(
    school_admin: Person, superuser: Person, school: Establishment, other_school: Establishment
) -> None:
    third = make_establishment("0310002J", name="Lycée Déodat de Séverac")
    shared = make_service("aide", url="https://aide.example.org/", access_mode=AccessMode.RULES)
    listed = AccessRule.objects.create(service=shared, target=AccessTarget.ESTABLISHMENTS)
    listed.establishments.set([school, other_school, third])
    club = Group.objects.create(establishment=other_school, name="Club théâtre")
    classe = Group.objects.create(establishment=school, name="Classe 4A", class_name="4A")
    grouped = AccessRule.objects.create(service=shared, target=AccessTarget.GROUPS)
    grouped.groups.set([classe, club])
    assert _recap_targets(school_admin, shared) == [
        "Liste personnalisée d'établissements : Collège Jean Jaurès + 2 autres établissements",
        "Liste de groupes : Classe 4A (Collège Jean Jaurès) + 1 autre établissement",
    ]
    seen_by_all = _recap_targets(superuser, shared)
    assert seen_by_all[0].startswith("Liste personnalisée d'établissements : ")
    assert {"Collège Pierre de Fermat", "Lycée Déodat de Séverac"} <= set(
        seen_by_all[0].split(" : ")[1].split(", ")
    )
    assert seen_by_all[1] == (
        "Liste de groupes : Classe 4A, Club théâtre (Collège Jean Jaurès, Collège Pierre de Fermat)"
    )


def test_it_tells_each_school_its_own_part_of_a_rule_in_its_traces(
    school_admin: Person, superuser: Person, school: Establishment, other_school: Establishment
) -> None:
    shared = make_service("aide", url="https://aide.example.org/", access_mode=AccessMode.RULES)
    url = reverse("portal:service_access", args=[shared.pk]) + f"?etab={school.uai}"
    added = {
        "action": "add_rule",
        "rule-role": "access",
        "rule-target": "establishments",
        "rule-establishments": [school.pk, other_school.pk],
        "rule-profiles": [Profile.TEACHER],
    }
    assert logged_in(superuser).post(url, added).status_code == 302

    def details(admin: Person) -> list[tuple[str, str]]:
        response = logged_in(admin).get(reverse("portal:traces"), {"service": "aide"})
        return sorted((row[0].uai, row[0].detail) for row in response.context["rows"])

    ours = "Liste personnalisée d'établissements : Collège Jean Jaurès + 1 autre établissement"
    theirs = (
        "Liste personnalisée d'établissements : Collège Pierre de Fermat + 1 autre établissement"
    )
    assert details(school_admin) == [(school.uai, f"{ours} × Enseignant")]
    assert details(superuser) == [
        (other_school.uai, f"{theirs} × Enseignant"),
        (school.uai, f"{ours} × Enseignant"),
    ]


def test_it_does_not_name_another_schools_service_when_refusing_its_code(
    school_admin: Person, superuser: Person, school: Establishment, other_school: Establishment
) -> None:
    make_service("cdi", label="CDI Fermat", establishment=other_school, sso_type=SSOType.NONE)
    make_service("orient", label="Orientation", sso_type=SSOType.NONE)
    plain = {"sso_type": SSOType.NONE, "url": "https://cdi.example.org/"}
    data = service_data(code="CDI", establishment=str(school.pk), **plain)
    response = logged_in(school_admin).post(reverse("portal:service_create"), data)
    assert response.context["form"].errors["code"] == [
        "Ce code est déjà utilisé par le service d'un autre établissement : choisissez-en un autre."
    ]
    assert "CDI Fermat" not in response.content.decode()
    response = logged_in(superuser).post(reverse("portal:service_create"), data)
    assert response.context["form"].errors["code"] == [
        "Ce code est déjà utilisé par un autre service (« CDI Fermat »)."
    ]
    data = service_data(code="ORIENT", establishment=str(school.pk), **plain)
    response = logged_in(school_admin).post(reverse("portal:service_create"), data)
    assert response.context["form"].errors["code"] == [
        "Ce code est déjà utilisé par un autre service (« Orientation »)."
    ]
    assert Service.objects.count() == 2


def test_it_names_the_service_holding_a_code_only_to_whom_sees_it(
    school: Establishment, other_school: Establishment
) -> None:
    theirs = make_service("cdi", label="CDI Fermat", establishment=other_school)
    make_service("cdt", label="Cahier de textes", establishment=school)
    make_service("orient", label="Orientation")
    hidden = (
        "Ce code est déjà utilisé par le service d'un autre établissement : choisissez-en un autre."
    )
    named = "Ce code est déjà utilisé par un autre service (« %s »)."
    for administered in (None, {school.pk, other_school.pk}, {other_school.pk}):
        assert code_problem("CDI", None, administered) == named % "CDI Fermat"
    for administered in (set(), {school.pk}):
        assert code_problem("cdi", None, administered) == hidden
    for administered in (None, {school.pk}):
        assert code_problem("CDT", None, administered) == named % "Cahier de textes"
    assert code_problem("CDT", None, set()) == hidden
    for administered in (None, set(), {school.pk}):
        assert code_problem("orient", None, administered) == named % "Orientation"
    assert code_problem("cdi", theirs.pk, set()) is None
    assert code_problem("neuf", None, set()) is None


def test_it_suggests_only_the_categories_of_the_services_the_administrator_sees(
    school_admin: Person, superuser: Person, school: Establishment, other_school: Establishment
) -> None:
    make_service("orient", category="Orientation")
    make_service(
        "cdt", url="https://cdt.example.org/", category="Vie scolaire", establishment=school
    )
    make_service(
        "club", url="https://club.example.org/", category="Club secret", establishment=other_school
    )
    own = Service.objects.get(code="cdt")

    def suggested(person: Person, url: str) -> list[str]:
        tree = html.fromstring(logged_in(person).get(url).content.decode())
        return tree.xpath("//datalist[@id='categories']/option/@value")

    for url in (reverse("portal:service_create"), reverse("portal:service_edit", args=[own.pk])):
        assert suggested(school_admin, url) == ["Orientation", "Vie scolaire"]
        assert suggested(superuser, url) == ["Club secret", "Orientation", "Vie scolaire"]
