"""The second school year: the school's new PRONOTE base gives everyone a new identifier. The
September import is a Complet one — it replaces them and removes those of the people who left —
and whoever stays keeps the CAS user name PRONOTE bound. A Partiel import of that base leaves
the old identifiers as conflicts: the command and the step page say what happened."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import html

from socle.pronote.importer.steps import run_automatic
from socle.pronote.models import ImportSession, ImportStep, PronoteIdentity
from socle.pronote.school_year import school_year_start
from tests.pronote.helpers import School, ids_of, page_text, run, start
from tests.pronote.test_views import PRONOTE_XML, upload

# The same people in the next year's base: every IDPN changed, Jules (unknown to the ENT) left.
NEXT_YEAR = (
    PRONOTE_XML.replace("00001", "00002")
    .replace("0000001", "0000002")
    .replace('    <Eleve IDPN="ELEVEJULES000002" Nom="DUPONT MOREAU" Prenom="Jules" '
             'DateNaissance="01/01/2012"/>\n', "")
)  # fmt: skip
RENUMBERED = "ont déjà un autre identifiant PRONOTE pour cet établissement. Si la base PRONOTE a"


def first_year(school) -> None:  # noqa: ANN001
    run_automatic(start(school.est, "complet", *school.records()))
    assert len(ids_of(school.est)) == 5


def next_year_file(tmp_path, school, text: str = NEXT_YEAR):  # noqa: ANN001, ANN201
    path = tmp_path / "IdPN_To_SOCLE.xml"
    path.write_text(text.format(uai=school.est.uai), encoding="utf-8")
    return path


def test_the_september_complet_import_replaces_the_identifiers_of_whoever_stays(school, tmp_path):
    first_year(school)
    out = run(
        "pronote_import", str(next_year_file(tmp_path, school)), "--uai", school.est.uai,
        "--mode", "complet", "--auto-only",
    )  # fmt: skip
    assert ids_of(school.est) == {
        "PROFBERRONE00002": school.teacher.pk,
        "ELEVEEMMA0000002": school.emma.pk,
        "ELEVETOM00000002": school.tom.pk,
        "RESPCLAIRE000002": school.mother.pk,
        "PERSDURAND000001": school.cpe.pk,  # no Personnels in this file: category left alone
    }
    assert RENUMBERED not in out


def test_a_partiel_import_of_a_renewed_base_says_to_import_complet(school, tmp_path):
    first_year(school)
    out = run(
        "pronote_import", str(next_year_file(tmp_path, school)), "--uai", school.est.uai,
        "--mode", "partiel", "--auto-only",
    )  # fmt: skip
    assert "4 comptes " + RENUMBERED in out
    assert "relancez la commande avec --mode complet et l'export de tous les utilisateurs" in out
    assert ids_of(school.est)["ELEVEEMMA0000001"] == school.emma.pk  # Partiel: left alone


def test_the_preview_says_what_the_complet_validation_removes(school, tmp_path):
    first_year(school)
    without_tom = NEXT_YEAR.replace(
        '<Eleve IDPN="ELEVETOM00000002" Nom="ROUX" Prenom="Tom" DateNaissance="01/09/2014">\n'
        '      <Responsable IDPN="RESPCLAIRE000002"/></Eleve>',
        "",
    )
    out = run(
        "pronote_import", str(next_year_file(tmp_path, school, without_tom)),
        "--uai", school.est.uai, "--mode", "complet",
    )  # fmt: skip
    assert "Étape 2/6 : rapprochement des élèves — 1 élève reconnu, 0 élève non reconnu\n" in out
    assert "  Mode Complet : 1 identifiant absent du fichier sera supprimé à la validation." in out


def test_the_partiel_step_page_warns_of_a_renewed_base(admin_client, school):
    first_year(school)
    next_year = NEXT_YEAR.format(uai=school.est.uai).encode()
    upload(admin_client, school, mode="partiel", content=next_year)
    session = ImportSession.objects.latest("pk")
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    response = admin_client.get(reverse("pronote:step", args=[session.pk, 2]))
    warning = html.fromstring(response.content.decode()).get_element_by_id("renumbered-warning")
    text = " ".join(warning.text_content().split())
    assert text.startswith("2 comptes " + RENUMBERED)
    assert "interrompez l'import et recommencez-le en mode Complet" in text
    upload(admin_client, school, mode="complet", content=next_year)  # replaced: no warning
    session = ImportSession.objects.latest("pk")
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    shown = page_text(admin_client.get(reverse("pronote:step", args=[session.pk, 2])))
    assert RENUMBERED not in shown


def test_a_teacher_in_two_schools_keeps_one_identifier_per_school(school, tmp_path):
    other = School()
    other.teacher.delete()  # the other school's teacher is the first school's
    teacher = school.teacher
    teacher.memberships.create(establishment=other.est, profile="National_ENS")
    first_year(school)
    run_automatic(start(other.est, "complet", *other.records()))
    run(
        "pronote_import", str(next_year_file(tmp_path, school)), "--uai", school.est.uai,
        "--mode", "complet", "--auto-only",
    )  # fmt: skip
    held = dict(
        PronoteIdentity.objects.filter(person=teacher).values_list(
            "establishment__uai", "pronote_id"
        )
    )
    assert held[school.est.uai] == "PROFBERRONE00002"  # the new base of the first school
    assert held[other.est.uai] == "PROFBERRONE00001"  # the other school's, untouched


def move_and_leave(school) -> None:  # noqa: ANN001
    """The directory's rentrée: Tom left for another school, Emma left the ENT (deactivated);
    their mother stays a parent of neither here."""
    other = School()
    school.tom.memberships.update(establishment=other.est)
    school.emma.is_active = False
    school.emma.save(update_fields=["is_active"])
    school.mother.memberships.all().delete()


def test_the_diagnostic_lists_the_identifiers_of_people_who_left(school):
    first_year(school)
    move_and_leave(school)
    out = run("pronote_doctor", "--uai", school.est.uai)
    assert (
        "## Identifiants de personnes parties\n"
        "3 identifiants PRONOTE sont encore attribués à des personnes qui ne sont plus dans "
        "l'établissement. À la rentrée, l'import en mode Complet de l'export de tous les "
        "utilisateurs de la nouvelle base PRONOTE les supprime.\n"
        "  ROUX Claire (claire.roux), responsable, RESPCLAIRE000001 : n'est plus dans "
        "l'établissement\n"
        "  ROUX Emma (emma.roux), élève, ELEVEEMMA0000001 : compte désactivé\n"
        "  ROUX Tom (tom.roux), élève, ELEVETOM00000001 : n'est plus dans l'établissement\n"
    ) in out


def test_a_parent_of_a_pupil_still_there_has_not_left(school):
    first_year(school)
    school.mother.memberships.all().delete()  # a parent through the link only
    out = run("pronote_doctor", "--uai", school.est.uai)
    assert "personnes parties" not in out


def test_it_does_not_count_a_pupil_blocked_by_hand_as_gone(school):
    """Blocked for a week, still listed by the imports: not a former pupil."""
    from socle.directory.blocking import block

    first_year(school)
    block(school.emma, by=None, until=timezone.localdate() + dt.timedelta(days=7))
    school.emma.refresh_from_db()
    assert not school.emma.is_active
    out = run("pronote_doctor", "--uai", school.est.uai)
    assert "personnes parties" not in out


def test_the_diagnostic_page_lists_them_too(admin_client, school):
    first_year(school)
    move_and_leave(school)
    response = admin_client.get(reverse("pronote:doctor"), {"establishment": school.est.pk})
    doc = html.fromstring(response.content.decode())
    assert doc.get_element_by_id("doctor-departed").text_content() == (
        "Identifiants de personnes parties"
    )
    items = [" ".join(li.text_content().split()) for li in doc.xpath("//details/ul/li")]
    assert "ROUX Emma (emma.roux) — élève — ELEVEEMMA0000001 — compte désactivé" in items
    assert "3 identifiants PRONOTE sont encore attribués" in page_text(response)


def test_the_complet_import_of_the_new_base_clears_them(school, tmp_path):
    first_year(school)
    move_and_leave(school)
    run(
        "pronote_import", str(next_year_file(tmp_path, school)), "--uai", school.est.uai,
        "--mode", "complet", "--auto-only", "--force",  # both pupils of this tiny school left
    )  # fmt: skip
    assert "personnes parties" not in run("pronote_doctor", "--uai", school.est.uai)


def test_the_parent_of_a_former_pupil_is_no_parent_of_the_school_for_the_matching(school):
    school.emma.is_active = school.tom.is_active = False  # both left; the AAF keeps their
    school.emma.save(update_fields=["is_active"])  # memberships, and the links stay
    school.tom.save(update_fields=["is_active"])
    school.mother.memberships.all().delete()  # the AAF recomputed hers: none left here
    session = run_automatic(start(school.est, "complet", *school.records()))
    assert school.mother.pk not in ids_of(school.est).values()
    row = session.rows.get(category="responsable")
    assert row.status == "unrecognised"


def checked_mode(response) -> list[str]:  # noqa: ANN001
    return html.fromstring(response.content.decode()).xpath(
        '//input[@name="mode"][@checked]/@value'
    )


def test_the_import_form_starts_on_complet_again_at_the_next_school_year(admin_client, school):
    first_year(school)  # a Complet import, all six steps validated
    assert checked_mode(admin_client.get(reverse("pronote:index"))) == ["partiel"]
    ImportStep.objects.update(validated_at=school_year_start() - dt.timedelta(days=1))
    # Last year's: the rentrée's import of the new base is a Complet one.
    assert checked_mode(admin_client.get(reverse("pronote:index"))) == ["complet"]


def test_the_import_form_says_why_it_proposes_partiel(admin_client, school):
    page = html.fromstring(admin_client.get(reverse("pronote:index")).content.decode())
    assert not page.xpath('//*[@id="mode-proposed"]')  # Complet: nothing to explain
    first_year(school)
    page = html.fromstring(admin_client.get(reverse("pronote:index")).content.decode())
    said = page.xpath('string(//*[@id="mode-proposed"])')
    assert said.startswith("Partiel est proposé : un import Complet a déjà été validé")


@pytest.mark.parametrize(
    ("now", "start"),
    [
        ("2026-12-04 21:00", "2026-08-01"),
        ("2027-03-01 08:00", "2026-08-01"),
        ("2026-07-31 23:30", "2025-08-01"),
        ("2026-08-01 00:30", "2026-08-01"),  # local time: still 31 July in UTC
    ],
)
def test_the_school_year_starts_on_the_first_of_august_local_time(now, start):
    moment = timezone.make_aware(dt.datetime.fromisoformat(now))
    expected = timezone.make_aware(dt.datetime.fromisoformat(start))
    assert school_year_start(moment) == expected
