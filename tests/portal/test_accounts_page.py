"""« Comptes » (``/gestion/comptes/``): a school's administrator finds the accounts of their
schools, sees each one's state, and blocks or unblocks them; nothing of another school."""

from __future__ import annotations

import datetime as dt
import html

import lxml.html
import pytest
from django.test import Client
from django.utils import timezone

from socle.directory import blocking
from socle.directory.activation import issue_code
from socle.directory.models import Establishment, Membership, Person
from socle.directory.profiles import Profile
from socle.portal.models import Trace
from tests.factories import make_establishment, make_membership, make_person

URL = "/gestion/comptes/"


def make_admin(first_name: str, establishment: Establishment) -> Person:
    admin = make_person(first_name, "Admin", establishment=establishment, profile=Profile.DIRECTION)
    Membership.objects.filter(person=admin).update(is_admin=True)
    return admin


def client_of(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def logins(answer: object) -> list[str]:
    page = lxml.html.fromstring(answer.content.decode())  # type: ignore[attr-defined]
    return [code.text for code in page.xpath("//table[@id='accounts']//tbody//code")]


def states(answer: object) -> dict[str, str]:
    return {row.person.login: row.state.label for row, _reset in answer.context["rows"]}  # type: ignore[attr-defined]


@pytest.fixture
def schools() -> tuple[Establishment, Establishment]:
    return make_establishment("0312609T", "Collège Jean Jaurès"), make_establishment(
        "0312799Z", "Collège Pierre de Fermat"
    )


def test_it_lists_the_accounts_of_the_administrator_s_schools_only(schools) -> None:
    jaures, fermat = schools
    admin = make_admin("Anne", jaures)
    make_person("Camille", "Martin", establishment=jaures, class_name="4A")
    make_person("Hugo", "Fermat", establishment=fermat, class_name="6C")
    answer = client_of(admin).get(URL)
    assert answer.status_code == 200
    assert logins(answer) == ["anne.admin", "camille.martin"]
    operator = make_person("Ada", "Ope", is_superuser=True)
    assert "hugo.fermat" in logins(client_of(operator).get(URL))


def test_the_page_is_linked_from_gestion_and_refused_to_others(schools) -> None:
    jaures, _fermat = schools
    admin = make_admin("Anne", jaures)
    page = client_of(admin).get("/gestion/").content.decode()
    assert f'href="{URL}"' in page
    pupil = make_person("Camille", "Martin", establishment=jaures)
    assert client_of(pupil).get(URL).status_code == 403
    assert Client().get(URL).status_code == 302  # to the login


def test_the_page_s_search_ignores_accents_and_case(schools) -> None:
    jaures, _fermat = schools
    admin = make_admin("Anne", jaures)
    make_person("Élodie", "Lefèvre", establishment=jaures)
    make_person("Elodie", "Durand", establishment=jaures)
    make_person("Camille", "Martin", establishment=jaures)
    client = client_of(admin)
    assert logins(client.get(URL, {"q": "ELODIE lefevre"})) == ["elodie.lefevre"]
    assert logins(client.get(URL, {"q": "élodie"})) == ["elodie.durand", "elodie.lefevre"]
    assert logins(client.get(URL, {"q": "camille.martin"})) == ["camille.martin"]


def test_it_filters_by_profile_and_class(schools) -> None:
    jaures, fermat = schools
    admin = make_admin("Anne", jaures)
    make_person("Camille", "Martin", establishment=jaures, class_name="4A")
    make_person("Léo", "Martin", establishment=jaures, class_name="6C")
    make_person("Nathalie", "Martin", establishment=jaures, profile=Profile.PARENT)
    make_person("Hugo", "Roux", establishment=fermat, class_name="4A")
    client = client_of(admin)
    assert logins(client.get(URL, {"classe": "4a"})) == ["camille.martin"]
    assert logins(client.get(URL, {"profile": Profile.PARENT})) == ["nathalie.martin"]


def test_it_pages_the_accounts(schools, monkeypatch) -> None:
    from socle.portal.views import accounts

    monkeypatch.setattr(accounts, "PER_PAGE", 2)
    jaures, _fermat = schools
    admin = make_admin("Anne", jaures)
    for name in ("Bernard", "Coste", "Dupont"):
        make_person("Jean", name, establishment=jaures)
    client = client_of(admin)
    assert logins(client.get(URL)) == ["anne.admin", "jean.bernard"]
    assert logins(client.get(URL, {"page": "2"})) == ["jean.coste", "jean.dupont"]


def test_each_row_says_the_account_s_state(schools) -> None:
    jaures, _fermat = schools
    admin = make_admin("Anne", jaures)
    make_person("Actif", "Sansactivation", establishment=jaures)
    pending = make_person("Code", "Enattente", establishment=jaures, password=None)
    issue_code(pending)
    make_person("Deja", "Active", establishment=jaures, activated_at=timezone.now())
    make_person("Parti", "Import", establishment=jaures, is_active=False)
    blocked = make_person("Bloque", "Main", establishment=jaures)
    blocking.block(blocked, by=admin, until=dt.date(2099, 1, 31), reason="charte")
    ended = make_person("Fini", "Bloque", establishment=jaures)
    blocking.block(ended, by=admin, until=timezone.localdate() - dt.timedelta(days=2))
    shown = states(client_of(admin).get(URL))
    assert shown["actif.sansactivation"] == "actif"
    assert shown["code.enattente"] == "activation en attente (code non utilisé)"
    assert shown["deja.active"] == "activé"
    assert shown["parti.import"] == "désactivé par l'import"
    assert shown["bloque.main"] == "bloqué jusqu'au 31/01/2099 inclus"
    assert shown["fini.bloque"] == "actif"  # its block ended by itself
    page = client_of(admin).get(URL).content.decode()
    assert "charte" in page and "blocage terminé le" in page


def test_an_administrator_blocks_and_unblocks_a_pupil_of_their_school(schools) -> None:
    jaures, fermat = schools
    admin = make_admin("Anne", jaures)
    pupil = make_person("Camille", "Martin", establishment=jaures)
    make_membership(pupil, fermat)
    client = client_of(admin)
    page = client.get(f"{URL}{pupil.uid}/bloquer/")
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    answer = client.post(
        f"{URL}{pupil.uid}/bloquer/",
        {"until": "31/01/2099", "reason": "usurpation", "retour": f"{URL}?q=martin"},
    )
    assert answer.status_code == 302 and answer["Location"] == f"{URL}?q=martin"
    pupil.refresh_from_db()
    assert not pupil.is_active and pupil.blocked_until == dt.date(2099, 1, 31)
    assert pupil.blocked_by == admin and pupil.block_reason == "usurpation"
    traced = Trace.objects.filter(event="account_blocked").order_by("uai")
    assert [(t.uai, t.actor_login, t.person_id) for t in traced] == [
        ("0312609T", "anne.admin", pupil.pk),
        ("0312799Z", "anne.admin", pupil.pk),  # Fermat's « Traces » show it too
    ]
    assert "motif : usurpation" in traced[0].detail
    assert client.post(f"{URL}{pupil.uid}/debloquer/").status_code == 302
    pupil.refresh_from_db()
    assert pupil.is_active and pupil.blocked_at is None
    assert Trace.objects.filter(event="account_unblocked", actor_login="anne.admin").count() == 2


def test_the_block_shows_in_traces_with_the_person(schools) -> None:
    jaures, _fermat = schools
    admin = make_admin("Anne", jaures)
    pupil = make_person("Camille", "Martin", establishment=jaures)
    client = client_of(admin)
    client.post(f"{URL}{pupil.uid}/bloquer/", {"until": "", "reason": ""})
    answer = client.get("/gestion/traces/", {"person": "camille.martin"})
    page = answer.content.decode()
    assert "Compte bloqué" in page and "camille.martin" in page and "(par anne.admin)" in page


def test_it_links_each_row_to_the_traces_of_that_login_only(schools) -> None:
    jaures, _fermat = schools
    admin = make_admin("Anne", jaures)
    camille = make_person("Camille", "Martin", establishment=jaures, login="camille.martin")
    namesake = make_person("Camille", "Martin", establishment=jaures, login="camille.martin2")
    client = client_of(admin)
    for person in (camille, namesake):
        client.post(f"{URL}{person.uid}/bloquer/", {"until": "", "reason": ""})
    page = lxml.html.fromstring(client.get(URL, {"q": "camille"}).content.decode())
    (link,) = page.xpath("//tr[th/code='camille.martin']//a[starts-with(., 'Traces')]/@href")
    answer = client.get(link)
    assert {row[0].person_id for row in answer.context["rows"]} == {camille.pk}
    assert answer.context["form"]["person"].value() == "camille.martin"


def test_a_block_date_in_the_past_is_refused(schools) -> None:
    jaures, _fermat = schools
    admin = make_admin("Anne", jaures)
    pupil = make_person("Camille", "Martin", establishment=jaures)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    answer = client_of(admin).post(f"{URL}{pupil.uid}/bloquer/", {"until": yesterday.isoformat()})
    assert answer.status_code == 200 and "Cette date est passée" in answer.content.decode()
    assert Person.objects.get(pk=pupil.pk).is_active


def test_school_a_s_admin_cannot_block_school_b_s_person(schools) -> None:
    jaures, fermat = schools
    admin = make_admin("Anne", jaures)
    other = make_person("Hugo", "Roux", establishment=fermat)
    client = client_of(admin)
    for action in ("bloquer", "debloquer"):
        assert client.get(f"{URL}{other.uid}/{action}/").status_code == 404
        assert client.post(f"{URL}{other.uid}/{action}/", {}).status_code == 404
    assert Person.objects.get(pk=other.pk).is_active
    assert logins(client.get(URL, {"q": "hugo"})) == []


def test_an_administrator_cannot_block_someone_with_more_rights(schools) -> None:
    jaures, fermat = schools
    admin = make_admin("Anne", jaures)
    fermat_admin = make_admin("Marc", fermat)
    make_membership(fermat_admin, jaures, profile=Profile.TEACHER)
    client = client_of(admin)
    refused = client.post(f"{URL}{fermat_admin.uid}/bloquer/", {})
    assert refused.status_code == 403
    said = html.unescape(refused.content.decode())
    assert "seul un administrateur de l'ENT peut bloquer ou débloquer" in said
    assert client.post(f"{URL}{admin.uid}/bloquer/", {}).status_code == 403  # not oneself
    rows = {row.person.login: row.can_block for row, _r in client.get(URL).context["rows"]}
    assert rows == {"anne.admin": False, "marc.admin": False}
    assert Person.objects.filter(is_active=False).count() == 0


def test_it_says_why_an_administrator_s_row_has_no_block_link(schools) -> None:
    jaures, _fermat = schools
    admin = make_admin("Anne", jaures)
    make_admin("Marc", jaures)
    make_person("Camille", "Martin", establishment=jaures)
    page = client_of(admin).get(URL)
    notes = {row.person.login: row.block_note for row, _r in page.context["rows"]}
    assert notes == {
        "anne.admin": "",  # one's own row: no link, nothing to explain
        "marc.admin": "Blocage et déblocage : par un administrateur de l'ENT",
        "camille.martin": "",  # « Bloquer » is shown
    }
    assert "Blocage et déblocage : par un administrateur de l&#x27;ENT" in page.content.decode()


def test_the_block_page_needs_a_post_with_csrf(schools) -> None:
    jaures, _fermat = schools
    admin = make_admin("Anne", jaures)
    pupil = make_person("Camille", "Martin", establishment=jaures)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(f"{URL}{pupil.uid}/bloquer/", {}).status_code == 403
    assert Person.objects.get(pk=pupil.pk).is_active


def test_the_reset_page_links_to_the_block(schools) -> None:
    jaures, _fermat = schools
    admin = make_admin("Anne", jaures)
    pupil = make_person("Camille", "Martin", establishment=jaures)
    client = client_of(admin)
    page = client.get(f"/compte/reinitialiser/{pupil.uid}/").content.decode()
    assert f"{URL}{pupil.uid}/bloquer/" in page
    blocking.block(pupil, by=admin)
    page = client.get(f"/compte/reinitialiser/{pupil.uid}/").content.decode()
    assert f"{URL}{pupil.uid}/debloquer/" in page


def test_the_page_reads_a_fixed_number_of_queries(schools, django_assert_max_num_queries) -> None:
    jaures, _fermat = schools
    admin = make_admin("Anne", jaures)
    for number in range(12):
        make_person("Jean", f"Eleve{number:02d}", establishment=jaures, class_name="4A")
    client = client_of(admin)
    client.get(URL)
    with django_assert_max_num_queries(15):
        assert client.get(URL).status_code == 200


def test_the_block_s_trace_reads_in_english(schools) -> None:
    from django.utils import translation

    from socle.portal.trace_details import shown_detail

    jaures, _fermat = schools
    admin = make_admin("Anne", jaures)
    pupil = make_person("Camille", "Martin", establishment=jaures)
    blocking.block(pupil, by=admin, until=dt.date(2099, 1, 31), reason="charte")
    blocking.unblock(pupil, by=admin)
    blocked = Trace.objects.get(event="account_blocked").detail
    unblocked = Trace.objects.get(event="account_unblocked").detail
    assert blocked == "Compte de MARTIN Camille bloqué jusqu'au 31/01/2099 inclus — motif : charte"
    with translation.override("en"):
        shown = shown_detail("account_blocked", blocked)
        assert (
            shown.text
            == "Account of MARTIN Camille blocked until 31/01/2099 included — reason: charte"
        )
        assert (
            shown_detail("account_unblocked", unblocked).text
            == "Account of MARTIN Camille unblocked"
        )
