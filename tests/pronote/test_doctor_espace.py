"""« Diagnostic PRONOTE » shows the SAML answer PRONOTE would get from the espace the person is
sent to: a teacher's from ``professeur.html``, a parent's from ``parent.html``; its form says
what its asterisk means, as the other forms do."""

from __future__ import annotations

import html

import pytest
from defusedxml import ElementTree
from django.urls import reverse

from tests.pronote.helpers import School
from tests.pronote.test_authorization import pronote_service

SAMLP = "{urn:oasis:names:tc:SAML:1.0:protocol}"


def recipient(client, school: School, login: str) -> str:  # noqa: ANN001
    response = client.get(
        reverse("pronote:doctor"), {"establishment": school.est.pk, "login": login}
    )
    saml = response.context["report"].account.saml
    answer = ElementTree.fromstring(saml).find(f".//{SAMLP}Response")
    assert answer is not None
    return str(answer.get("Recipient"))


@pytest.mark.parametrize(
    ("who", "page"),
    [("teacher", "professeur.html"), ("mother", "parent.html"), ("emma", "eleve.html")],
)
def test_it_shows_the_answer_to_the_person_s_own_espace(admin_client, school, who, page):
    pronote_service(school)
    login = getattr(school, who).login
    expected = f"https://{school.est.uai.lower()}.index-education.net/pronote/{page}"
    assert recipient(admin_client, school, login) == expected


def test_it_says_what_its_asterisk_means(admin_client, school):
    response = admin_client.get(reverse("pronote:doctor"))
    page = html.unescape(response.content.decode())
    assert 'class="req"' in page  # « Établissement * »
    assert "Les champs marqués d'un astérisque (*) sont obligatoires." in page


def test_it_examines_an_account_named_alone_in_the_only_school_of_its_administrator(
    admin_client, school
):
    """``?login=X`` without ``establishment=`` (a link, a bookmark): the administrator of one
    school gets that school's diagnostic of the account, not « Ce champ est obligatoire »."""
    pronote_service(school)
    response = admin_client.get(reverse("pronote:doctor"), {"login": school.teacher.login})
    assert not response.context["form"].errors
    assert response.context["report"].account is not None


def test_it_still_asks_for_the_school_when_the_administrator_has_several(client, school):
    from socle.directory.models import Person
    from tests.factories import make_establishment

    make_establishment(uai="0310001H")
    superuser = Person.objects.create_superuser("admin", "admin-password-2026")
    client.force_login(superuser)
    response = client.get(reverse("pronote:doctor"), {"login": school.teacher.login})
    assert "establishment" in response.context["form"].errors
