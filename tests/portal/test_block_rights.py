"""Who may block whose account: a school's administrators may not block (nor unblock) each
other, nor anyone who administers an establishment — the operator does; they may still reset a
colleague's password (docs/portal.md, « Comptes »)."""

from __future__ import annotations

import datetime as dt
import html

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socle.directory import blocking
from socle.directory.activation import code_lifetime
from socle.directory.models import ActivationCode, Establishment, Person
from socle.directory.passwords import block_refusal, reset_refusal
from socle.directory.profiles import Profile
from tests.factories import make_establishment, make_membership, make_person

URL = "/gestion/comptes/"
OPERATOR_ONLY = (
    "Cette personne administre un établissement : seul un administrateur de l'ENT peut "
    "bloquer ou débloquer son compte."
)


def make_admin(first_name: str, establishment: Establishment) -> Person:
    return make_person(
        first_name, "Admin", establishment=establishment, profile=Profile.DIRECTION, is_admin=True
    )


def client_of(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def jaures() -> Establishment:
    return make_establishment("0312609T", "Collège Jean Jaurès")


def test_it_refuses_a_co_administrator_the_block_and_the_unblock(jaures) -> None:
    anne, marc = make_admin("Anne", jaures), make_admin("Marc", jaures)
    client = client_of(anne)
    for action in ("bloquer", "debloquer"):
        for answer in (
            client.get(f"{URL}{marc.uid}/{action}/"),
            client.post(f"{URL}{marc.uid}/{action}/", {}),
        ):
            assert answer.status_code == 403
            assert OPERATOR_ONLY in html.unescape(answer.content.decode())
    assert Person.objects.get(pk=marc.pk).is_active
    blocking.block(marc, by=None)  # by the operator: Anne cannot lift it either
    assert client.post(f"{URL}{marc.uid}/debloquer/", {}).status_code == 403
    assert Person.objects.get(pk=marc.pk).blocked_at is not None


def test_it_refuses_anyone_who_administers_a_school_even_as_a_teacher_here(jaures) -> None:
    fermat = make_establishment("0312799Z", "Collège Pierre de Fermat")
    anne = make_admin("Anne", jaures)
    teacher = make_person("Paul", "Prof", establishment=jaures, profile=Profile.TEACHER)
    make_membership(teacher, fermat, profile=Profile.DIRECTION, is_admin=True)
    assert block_refusal(anne, teacher) == OPERATOR_ONLY
    pupil = make_person("Camille", "Martin", establishment=jaures)
    assert block_refusal(anne, pupil) is None


def test_it_shows_no_block_link_for_a_co_administrator_s_row(jaures) -> None:
    anne, marc = make_admin("Anne", jaures), make_admin("Marc", jaures)
    pupil = make_person("Camille", "Martin", establishment=jaures)
    answer = client_of(anne).get(URL)
    rows = {row.person.login: row.can_block for row, _reset in answer.context["rows"]}
    assert rows == {"anne.admin": False, "marc.admin": False, "camille.martin": True}
    page = lxml.html.fromstring(answer.content.decode())
    links = page.xpath("//table[@id='accounts']//a/@href")
    assert f"{URL}{pupil.uid}/bloquer/" in " ".join(links)
    assert not [link for link in links if marc.uid in link and "bloquer" in link]


def test_a_co_administrator_still_resets_a_colleague_but_is_not_offered_the_block(
    jaures,
) -> None:
    anne, marc = make_admin("Anne", jaures), make_admin("Marc", jaures)
    assert reset_refusal(anne, marc) is None
    page = client_of(anne).get(f"/compte/reinitialiser/{marc.uid}/")
    assert page.status_code == 200
    assert f"{URL}{marc.uid}/bloquer/" not in page.content.decode()
    rows = {row.person.login: reset for row, reset in client_of(anne).get(URL).context["rows"]}
    assert rows["marc.admin"].url == f"/compte/reinitialiser/{marc.uid}/"


def test_the_operator_blocks_and_unblocks_an_administrator(jaures) -> None:
    marc = make_admin("Marc", jaures)
    operator = make_person("Ada", "Ope", is_superuser=True)
    client = client_of(operator)
    assert client.post(f"{URL}{marc.uid}/bloquer/", {"until": "", "reason": ""}).status_code == 302
    assert not Person.objects.get(pk=marc.pk).is_active
    assert client.post(f"{URL}{marc.uid}/debloquer/", {}).status_code == 302
    assert Person.objects.get(pk=marc.pk).is_active


def test_the_django_admin_s_actif_box_is_the_operator_s_only(jaures) -> None:
    """Unticking « actif » is a block too: the Django admin lets in staff accounts only, which a
    school administrator is not (``Membership.is_admin`` gives no ``is_staff``)."""
    anne, marc = make_admin("Anne", jaures), make_admin("Marc", jaures)
    url = reverse("admin:directory_person_change", args=[marc.pk])
    client = client_of(anne)
    assert client.get(url).status_code == 302  # to the login
    assert client.post(url, {"login": marc.login, "is_active": ""}).status_code == 302
    assert Person.objects.get(pk=marc.pk).is_active


def sheet_warning() -> str:
    expires = timezone.localtime(timezone.now() + code_lifetime()).date()
    return (
        "la nouvelle fiche ne servira que si le compte est débloqué avant le "
        f"{expires:%d/%m/%Y}, date où elle expire."
    )


def reset_page(client: Client, person: Person) -> lxml.html.HtmlElement:
    answer = client.get(f"/compte/reinitialiser/{person.uid}/")
    assert answer.status_code == 200
    return lxml.html.fromstring(answer.content.decode())


def test_it_tells_the_reset_of_a_blocked_account_that_the_sheet_waits_for_the_unblock(
    jaures,
) -> None:
    anne = make_admin("Anne", jaures)
    pupil = make_person("Camille", "Martin", establishment=jaures)
    client = client_of(anne)
    assert not reset_page(client, pupil).xpath("//*[@id='reset-blocked']")
    blocking.block(pupil, by=anne, until=dt.date(2099, 1, 31))
    page = reset_page(client, pupil)
    (warning,) = page.xpath("//*[@id='reset-blocked']")
    said = " ".join(warning.text_content().split())
    # the block's last day is included, and it outlasts the sheet: the page gives both dates
    assert said.startswith(f"Ce compte est bloqué jusqu'au 31/01/2099 inclus : {sheet_warning()}")
    assert warning.xpath(".//a/@href") == [f"{URL}{pupil.uid}/debloquer/"]
    # before the confirm button, which still resets
    (button,) = page.xpath("//form[@method='post']//button")
    assert warning.getparent().index(warning) < warning.getparent().index(
        button.getparent().getparent()
    )
    blocking.block(pupil, by=anne)  # no end date now
    (warning,) = reset_page(client, pupil).xpath("//*[@id='reset-blocked']")
    assert f"Ce compte est bloqué sans date de fin : {sheet_warning()}" in " ".join(
        warning.text_content().split()
    )
    assert client.post(f"/compte/reinitialiser/{pupil.uid}/", {}).status_code == 302
    assert ActivationCode.objects.filter(person=pupil).exists()
    assert Person.objects.get(pk=pupil.pk).blocked_at is not None  # a reset does not unblock
    # the code's page says it again, on screen only: the printed sheet is the person's
    shown = client.get(f"/compte/reinitialiser/{pupil.uid}/code/")
    done = lxml.html.fromstring(shown.content.decode())
    (warning,) = done.xpath("//*[@id='reset-blocked']")
    assert "no-print" in warning.get("class").split()
    assert "Ce compte est bloqué sans date de fin" in warning.text_content()
    assert not done.xpath("//section[contains(@class, 'letter')]//*[@id='reset-blocked']")


def test_the_warning_has_no_unblock_link_for_whoever_may_not_unblock(jaures) -> None:
    anne, marc = make_admin("Anne", jaures), make_admin("Marc", jaures)
    blocking.block(marc, by=None)
    (shown,) = reset_page(client_of(anne), marc).xpath("//*[@id='reset-blocked']")
    assert sheet_warning() in " ".join(shown.text_content().split())
    assert not shown.xpath(".//a")


def test_a_block_whose_date_has_passed_brings_no_warning(jaures) -> None:
    anne = make_admin("Anne", jaures)
    pupil = make_person("Camille", "Martin", establishment=jaures)
    blocking.block(pupil, by=anne, until=timezone.localdate() - dt.timedelta(days=1))
    page = reset_page(client_of(anne), pupil)
    assert not page.xpath("//*[@id='reset-blocked']")
    assert page.xpath(f"//a[@href='{URL}{pupil.uid}/bloquer/']")


def test_the_directory_s_pages_show_the_portal_s_links_only_when_it_registers_them(
    jaures, monkeypatch
) -> None:
    """socle.directory.account_links: the directory names no portal page; without the portal's
    registration its reset and refusal pages carry neither link."""
    from socle.directory import account_links

    anne = make_admin("Anne", jaures)
    pupil = make_person("Camille", "Martin", establishment=jaures)
    client = client_of(anne)
    assert reset_page(client, pupil).xpath(f"//a[@href='{URL}{pupil.uid}/bloquer/']")
    refused = lxml.html.fromstring(client.get(f"/compte/reinitialiser/{anne.uid}/").content)
    assert refused.xpath("//main//a[@href='/gestion/']")
    monkeypatch.setattr(account_links, "_block", None)
    monkeypatch.setattr(account_links, "_back", None)
    assert not reset_page(client, pupil).xpath("//main//a[contains(@href, '/gestion/')]")
    refused = lxml.html.fromstring(client.get(f"/compte/reinitialiser/{anne.uid}/").content)
    assert not refused.xpath("//main//a[@href='/gestion/']")


def test_it_words_every_block_refusal_for_the_unblock_too(jaures) -> None:
    """The same page blocks and unblocks: each refusal names both."""
    anne = make_admin("Anne", jaures)
    stranger = make_person("Léo", "Dupont", establishment=make_establishment())
    staff = make_person("Root", "Ent", establishment=jaures, is_staff=True)
    own = block_refusal(anne, anne)
    assert own == "Vous ne pouvez pas bloquer ou débloquer votre propre compte."
    assert block_refusal(anne, stranger) == (
        "Seuls les administrateurs d'un établissement de cette personne peuvent bloquer ou "
        "débloquer son compte."
    )
    assert block_refusal(anne, staff) == (
        "Cette personne a un compte d'administration de l'ENT : seul un administrateur de "
        "l'ENT peut bloquer ou débloquer son compte."
    )
