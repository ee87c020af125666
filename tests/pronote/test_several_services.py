"""Several PRONOTE services for one establishment: one rule picks « the » service everywhere, and
``socle.W069``, « Diagnostic PRONOTE » and ``pronote_doctor`` warn when enabled ones would send
different CAS user names (several sending the same names are legitimate)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from lxml import html

from socle.portal.models import Service, UsernameMode
from socle.pronote.cas_names import divergent_services, pronote_service
from socle.pronote.checks import check_pronote_services
from socle.pronote.doctor import diagnose
from tests.factories import make_service
from tests.pronote.helpers import School, run

WARNING = "services PRONOTE actifs envoient des identifiants CAS différents"
WHAT_TO_DO = "Désactivez ou supprimez le service PRONOTE en trop"


def pronote(school: School, code: str, mode: str = UsernameMode.UID, **fields) -> Service:
    url = f"https://{school.est.uai.lower()}.index-education.net/pronote/"
    return make_service(
        code,
        sso_type="pronote",
        establishment=school.est,
        url=url,
        patterns=(url + fields.pop("page", "**"),),
        username_mode=mode,
        **fields,
    )


def w069(messages) -> list:
    return [m for m in messages if m.id == "socle.W069"]


def test_two_enabled_services_sending_different_names_are_warned(school):
    pronote(school, "pronote-uid", order=1)
    pronote(school, "pronote-opaque", UsernameMode.PAIRWISE, order=2, page="eleve.html")
    (message,) = w069(check_pronote_services(databases=["default"]))
    assert message.msg.startswith(f"Établissement {school.est.uai} : 2 {WARNING} (pronote-uid : ")
    assert "pronote-opaque : Identifiant opaque propre au service" in message.msg
    assert "à celui du service pronote-uid" in message.msg  # the one Socle compares with
    assert "« Identification impossible »" in message.msg
    assert message.hint.startswith(WHAT_TO_DO)
    with translation.override("en"):
        (english,) = w069(check_pronote_services(databases=["default"]))
    assert "2 enabled PRONOTE services send different CAS user names" in english.msg
    assert english.hint.startswith("Disable or delete the extra PRONOTE service")


def test_two_pairwise_services_have_different_salts_so_different_names(school):
    first = pronote(school, "pronote-a", UsernameMode.PAIRWISE)
    second = pronote(school, "pronote-b", UsernameMode.PAIRWISE, page="parent.html")
    assert len(w069(check_pronote_services(databases=["default"]))) == 1
    Service.objects.filter(pk=second.pk).update(pairwise_salt=first.pairwise_salt)
    assert w069(check_pronote_services(databases=["default"])) == []


def test_several_services_sending_the_same_names_are_legitimate(school):
    pronote(school, "pronote-eleve", page="eleve.html")
    pronote(school, "pronote-parent", page="parent.html")
    pronote(school, "pronote-old", UsernameMode.PAIRWISE, enabled=False)  # not in use
    other = School()
    pronote(other, "pronote-other", UsernameMode.PAIRWISE)  # another school's: not compared
    assert w069(check_pronote_services(databases=["default"])) == []
    assert diagnose(school.est, allowed=None).divergent_text == ""
    assert "identifiants CAS différents" not in run("pronote_doctor", "--uai", school.est.uai)


def test_the_diagnostics_page_and_the_command_say_the_same(admin_client, school):
    pronote(school, "pronote-uid")
    pronote(school, "pronote-opaque", UsernameMode.PAIRWISE, page="eleve.html")
    (check,) = w069(check_pronote_services(databases=["default"]))
    response = admin_client.get(reverse("pronote:doctor"), {"establishment": school.est.pk})
    errors = [
        " ".join(p.text_content().split())
        for p in html.fromstring(response.content.decode()).xpath("//p[@class='error']")
    ]
    # The check, read by an operator, also names the command that lists who is concerned.
    hint, command = check.hint.split(" « socle pronote_doctor")
    assert command == (
        f" --uai {school.est.uai} » liste les personnes que PRONOTE connaît sous un autre "
        "« Identifiant CAS » que celui du service pronote-uid."
    )
    assert f"{check.msg} {hint}" in errors, errors
    out = run("pronote_doctor", "--uai", school.est.uai)
    assert f"! {check.msg} {hint}" in out.splitlines()


def test_every_place_takes_the_service_in_use_enabled_first_then_by_order(school):
    pronote(school, "pronote-disabled", UsernameMode.LOGIN, order=0, enabled=False)
    later = pronote(school, "pronote-later", UsernameMode.PAIRWISE, order=9, page="parent.html")
    in_use = pronote(school, "pronote-in-use", order=5, page="eleve.html")
    assert pronote_service(school.est) == in_use
    report = diagnose(school.est, school.emma.login, allowed=None)
    assert [item.service.code for item in report.services] == [
        "pronote-in-use",
        "pronote-later",
        "pronote-disabled",
    ]
    assert report.account is not None and report.account.service == in_use
    assert report.account.username == school.emma.uid  # the name of the service in use
    assert [s.code for s in divergent_services([later, in_use])] == [
        "pronote-in-use",
        "pronote-later",
    ]
