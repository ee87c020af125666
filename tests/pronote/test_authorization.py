"""An establishment administrator sees, on the PRONOTE pages, only the people of their school:
the diagnostics of one account and the accounts picked by hand in the wizard never show, nor
confirm, a person of another school (security review, 2027)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from socle.directory.profiles import Profile
from socle.pronote.forms import allowed_people
from socle.pronote.models import ImportRow, ImportSession
from tests.factories import make_membership, make_parent_link, make_person, make_service
from tests.pronote.helpers import School, page_text, run
from tests.pronote.test_views import page, upload


def pronote_service(school: School) -> None:
    url = f"https://{school.est.uai.lower()}.index-education.net/pronote/"
    make_service(
        f"pronote-{school.est.uai}",
        sso_type="pronote",
        establishment=school.est,
        url=url,
        patterns=(url + "**",),
    )


def examine(client, school: School, login: str) -> str:
    response = client.get(
        reverse("pronote:doctor"), {"establishment": school.est.pk, "login": login}
    )
    assert response.status_code == 200
    return page_text(response)


def personal_data(person) -> list[str]:  # noqa: ANN001
    """What the diagnostics of an account would reveal about that person."""
    return [
        person.uid,
        person.last_name.upper(),
        person.first_name,
        f"{person.birth_date:%d/%m/%Y}",
        person.postal_code,
    ]


@pytest.mark.parametrize("with_service", [True, False])
def test_it_shows_nothing_of_a_pupil_of_another_school(admin_client, school, with_service):
    other = School()
    other.emma.postal_code = "31500"
    other.emma.last_name = "Lacroix"
    other.emma.first_name = "Léonie"
    other.emma.save()
    if with_service:
        pronote_service(school)
    for login in (other.emma.login, other.emma.uid):
        text = examine(admin_client, school, login)
        for value in personal_data(other.emma):
            assert value == login or value not in text
        assert "samlp" not in text and "Réponse SAML" not in text
        assert f"Aucun compte « {login} » parmi les personnes de cet établissement." in text
    # the same answer as for a login nobody has: no way to tell whether the account exists
    unknown = examine(admin_client, school, "personne.inconnue")
    foreign = examine(admin_client, school, other.emma.login)
    assert unknown.replace("personne.inconnue", "X") == foreign.replace(other.emma.login, "X")


def test_it_examines_the_people_of_the_school_and_the_parents_of_its_pupils(admin_client, school):
    pronote_service(school)
    father = make_person("Marc", "Roux")  # a parent of Emma without membership in the school
    make_parent_link(father, school.emma, relation="pere")
    for person in (school.emma, school.teacher, father):
        text = examine(admin_client, school, person.login)
        assert person.uid in text and "Aucun compte" not in text


def test_a_teacher_of_two_schools_is_examined_by_either_administrator(admin_client, school):
    other = School()
    other_teacher = other.teacher

    make_membership(other_teacher, school.est, profile=Profile.TEACHER)
    pronote_service(school)
    assert other_teacher.uid in examine(admin_client, school, other_teacher.login)


def test_a_superuser_examines_anyone(client, school):
    root = make_person("Root", "Admin", is_superuser=True, is_staff=True)
    client.force_login(root)
    other = School()
    pronote_service(school)
    assert other.emma.uid in examine(client, school, other.emma.login)


def test_the_command_keeps_the_operators_view_of_the_whole_directory(school):
    other = School()
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", other.emma.login)
    assert f"## Compte {other.emma.login}" in out and "Aucun compte" not in out
    assert "ROUX Emma — identifiant PRONOTE : aucun" in out


# --- the wizard: accounts picked by hand ------------------------------------------------------


def _step_two(client, school: School) -> tuple[ImportSession, ImportRow]:
    upload(client, school)
    session = ImportSession.objects.get()
    client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    return session, row


def test_a_posted_account_of_another_school_is_never_named_on_the_step_page(admin_client, school):
    outsider = make_person(
        "Gaspard", "Lointain", establishment=School().est, birth_date=dt.date(2012, 5, 6)
    )
    session, row = _step_two(admin_client, school)
    url = reverse("pronote:step", args=[session.pk, 2])
    for action in (f"browse-{row.pk}", "validate", "interrupt-ask"):
        response = admin_client.post(
            url, {"action": action, f"search-{row.pk}": "roux", f"row-{row.pk}": str(outsider.pk)}
        )
        assert response.status_code == 200
        text = response.content.decode()
        assert "LOINTAIN" not in text and outsider.login not in text, action
        options = page(response).xpath(f'//select[@name="row-{row.pk}"]/option/@value')
        assert str(outsider.pk) not in options


def test_an_account_of_the_school_picked_earlier_is_kept_on_the_step_page(admin_client, school):
    zoe = make_person("Zoé", "Martin", establishment=school.est, birth_date=dt.date(2012, 7, 8))
    session, row = _step_two(admin_client, school)
    response = admin_client.post(  # Zoé, found earlier with « Parcourir », then another search
        reverse("pronote:step", args=[session.pk, 2]),
        {"action": f"browse-{row.pk}", f"search-{row.pk}": "roux", f"row-{row.pk}": str(zoe.pk)},
    )
    selected = page(response).xpath(f'//select[@name="row-{row.pk}"]/option[@selected]')
    assert [o.get("value") for o in selected] == [str(zoe.pk)]
    assert selected[0].text_content().startswith(f"MARTIN Zoé — {zoe.login}")


def test_the_parent_of_former_pupils_only_is_no_parent_of_the_school(admin_client, school):
    pronote_service(school)
    father = make_person("Marc", "Roux")  # a parent through the links only
    make_parent_link(father, school.emma, relation="pere")
    make_parent_link(father, school.tom, relation="pere")
    school.emma.is_active = False  # left; the AAF keeps her membership, the links stay
    school.emma.save(update_fields=["is_active"])
    assert father.uid in examine(admin_client, school, father.login)  # Tom is still there
    school.tom.is_active = False
    school.tom.save(update_fields=["is_active"])
    text = examine(admin_client, school, father.login)
    assert father.uid not in text
    assert f"Aucun compte « {father.login} » parmi les personnes de cet établissement." in text
    admin = make_person("Anne", "Autre", establishment=school.est, is_admin=True)
    assert father.pk not in allowed_people(admin, school.est)  # nor picked in the wizard


def test_it_gives_the_logins_of_a_name_typed_instead_of_the_login(admin_client, school):
    """« Compte à examiner (identifiant de connexion) »: a name typed there (« Emma Roux ») gets
    the logins of the school's accounts of that name — not those of another school's."""
    other = School()
    text = examine(admin_client, school, "Emma Roux")
    assert "Aucun compte « Emma Roux » parmi les personnes de cet établissement." in text
    assert (
        "Saisissez l'identifiant de connexion, pas le nom. Comptes de l'établissement qui "
        f"correspondent, du plus proche au moins proche : {school.emma.login} (ROUX Emma), "
    ) in text
    assert other.emma.login not in text
    assert "Saisissez l'identifiant" not in examine(admin_client, school, "Personne Inconnue")
    assert "Saisissez l'identifiant" not in examine(admin_client, school, "personne.inconnue")


def test_the_command_gives_the_logins_of_a_name_typed_instead_of_the_login(school):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as refused:
        run("pronote_doctor", "--uai", school.est.uai, "--login", "Emma Roux")
    message = str(refused.value)
    assert message.startswith("Aucun compte « Emma Roux » dans l'annuaire (identifiant ou uid). ")
    assert f"{school.emma.login} (ROUX Emma)" in message
    with pytest.raises(CommandError) as refused:
        run("pronote_doctor", "--uai", school.est.uai, "--login", "personne.inconnue")
    assert "Saisissez" not in str(refused.value)
