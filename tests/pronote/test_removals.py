"""A Complet import that would remove many identifiers — a file of newcomers only, PRONOTE's
export with « Uniquement les utilisateurs sans identifiants CAS » ticked — is refused by the
command without --force and asks for a confirmation in the wizard; normal files are untouched."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.management import CommandError
from django.urls import reverse
from lxml import html

from socle.pronote.importer.removals import RemovalCheck, warning
from socle.pronote.importer.steps import LargeRemoval, plan_step, run_automatic, validate_step
from socle.pronote.models import ImportSession
from tests.factories import make_pronote_identity
from tests.pronote.helpers import (
    ids_of,
    make_pupils_with_identifiers,
    newcomer,
    page_text,
    record,
    run,
    start,
)
from tests.pronote.test_views import upload

NEWCOMERS_HINT = (
    "Si ce fichier ne contient que des nouveaux arrivants (export « Uniquement les utilisateurs "
    "sans identifiants CAS »), interrompez l'import et recommencez-le en mode Partiel."
)
COMMAND_HINT = (
    "Si ce fichier ne contient que des nouveaux arrivants (export « Uniquement les utilisateurs "
    "sans identifiants CAS »), relancez la commande avec --mode partiel."
)


def write_newcomer_csv(tmp_path):
    path = tmp_path / "EXP_ELEVES.csv"
    path.write_text(
        "Nom;Prénom;Né(e) le;Identifiant_PRONOTE-ENT\nHADDAD;Yanis;03/02/2013;NOUVEAU000000001\n",
        encoding="utf-8",
    )
    return path


# --- the rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("removals", "held", "no_cas_id", "large"),
    [
        (0, 57, True, False),  # nothing removed
        (57, 58, False, True),  # many, nearly all
        (11, 21, False, True),  # more than 10, more than half
        (10, 12, False, False),  # not more than 10, and the file has Identifiants CAS
        (10, 12, True, True),  # … but a file without any: the newcomers export
        (1, 1, True, True),
        (150, 600, False, False),  # September: a quarter of the pupils left
        (300, 600, True, False),  # half is not more than half
    ],
)
def test_it_calls_a_removal_large_by_its_share_count_and_the_files_signature(
    removals, held, no_cas_id, large
):
    assert RemovalCheck("eleve", removals, held, no_cas_id).large is large


def test_it_warns_of_a_single_identifier_in_the_singular():
    assert warning(RemovalCheck("eleve", 1, 1, True)) == (
        "Mode Complet : la validation supprimera 1 identifiant PRONOTE sur 1 de cette "
        "catégorie, car le fichier ne le contient pas. " + NEWCOMERS_HINT
    )


# --- the import --------------------------------------------------------------------------------


def test_a_complet_step_removing_many_identifiers_waits_for_a_confirmation(school):
    former = make_pupils_with_identifiers(school, 12)
    session = start(school.est, "complet", *newcomer())
    validate_step(session, 1)  # no teacher in the file: nothing removed
    with pytest.raises(LargeRemoval) as refused:
        validate_step(session, 2)
    assert refused.value.check == RemovalCheck("eleve", 12, 12, True)
    assert str(refused.value) == (
        "Mode Complet : cochez « Je confirme la suppression » pour supprimer 12 identifiants "
        "PRONOTE absents du fichier, ou interrompez l'import."
    )
    assert set(former) <= set(ids_of(school.est))  # nothing written
    session.refresh_from_db()
    assert session.current_step == 2
    step = validate_step(session, 2, confirm_removals=True)
    assert len(step.removed) == 12 and not set(former) & set(ids_of(school.est))


def test_mode_partiel_never_asks(school):
    former = make_pupils_with_identifiers(school, 12)
    run_automatic(start(school.est, "partiel", *newcomer()))
    assert set(former) <= set(ids_of(school.est))


def test_a_complete_file_that_drops_a_few_former_pupils_is_not_asked(school):
    kept = make_pupils_with_identifiers(school, 12)
    records = [
        record("eleve", "ANCIEN", f"Élève{n}", pid=pid, birth=dt.date(2012, 1, 1))
        for n, pid in enumerate(kept[:9])
    ]
    # even a file where nobody has connected yet (no « Identifiant CAS »): 3 of 12 removed
    session = run_automatic(start(school.est, "complet", *records))
    assert len(session.steps.get(number=2).removed) == 3


def test_the_check_counts_the_category_of_the_step_only(school):
    make_pupils_with_identifiers(school, 12)
    make_pronote_identity(school.teacher, school.est, "PROF1", "enseignant")
    # the file holds every pupil but no teacher: the teachers' category is not purged at all
    records = [
        dataclasses.replace(r, cas_id="u-1") if r.category == "eleve" else r
        for r in school.records()
        if r.category != "enseignant"
    ]
    session = start(school.est, "complet", *records)
    validate_step(session, 1)
    assert len(plan_step(session, 2).removals) == 12  # the former pupils, all of them
    with pytest.raises(LargeRemoval) as refused:
        validate_step(session, 2)
    assert refused.value.check == RemovalCheck("eleve", 12, 12, False)
    assert ids_of(school.est)["PROF1"] == school.teacher.pk


# --- the command -------------------------------------------------------------------------------


def test_the_command_refuses_a_newcomers_file_in_complet_without_force(school, tmp_path):
    former = make_pupils_with_identifiers(school, 57)
    path = write_newcomer_csv(tmp_path)
    args = ["pronote_import", str(path), "--uai", school.est.uai, "--mode", "complet"]
    with pytest.raises(CommandError) as refused:
        run(*args, "--auto-only")
    assert str(refused.value) == (
        "Mode Complet : cet import supprimerait 57 identifiants PRONOTE absents du fichier "
        "(Étape 2/6 : rapprochement des élèves : 57 identifiants sur 57). "
        + COMMAND_HINT
        + " Pour les supprimer malgré tout, relancez avec --force (--dry-run montre le détail "
        "sans rien enregistrer). Rien n'a été enregistré."
    )
    assert set(ids_of(school.est)) == set(former) and not ImportSession.objects.exists()

    dry = run(*args, "--auto-only", "--dry-run")
    assert "validée : 0 importé, 0 inchangé, 0 remplacé, 0 conflit, 57 supprimés" in dry
    assert "Sans --force, cet import serait refusé." in dry
    assert "--dry-run : rien n'a été enregistré." in dry
    assert set(ids_of(school.est)) == set(former) and not ImportSession.objects.exists()

    preview = run(*args)
    assert (
        "Mode Complet : la validation supprimera 57 identifiants PRONOTE sur les 57 de cette "
        "catégorie, car le fichier ne les contient pas. " + COMMAND_HINT in preview
    )
    assert set(ids_of(school.est)) == set(former)

    forced = run(*args, "--auto-only", "--force")
    assert (
        "Mode Complet : 57 identifiants PRONOTE absents du fichier supprimés (Étape 2/6 : "
        "rapprochement des élèves : 57 identifiants sur 57). Suppression confirmée par --force."
        in forced
    )
    assert not set(former) & set(ids_of(school.est))


def test_the_command_imports_a_normal_complet_file_as_before(school, tmp_path):
    from tests.pronote.test_views import PRONOTE_XML

    make_pupils_with_identifiers(school, 1)  # a former pupil…
    for pupil, pid in ((school.emma, "ELEVEEMMA0000001"), (school.tom, "ELEVETOM00000001")):
        make_pronote_identity(pupil, school.est, pid)
    path = tmp_path / "IdPN_To_SOCLE.xml"
    path.write_text(PRONOTE_XML.format(uai=school.est.uai), encoding="utf-8")
    out = run(
        "pronote_import", str(path), "--uai", school.est.uai, "--mode", "complet", "--auto-only"
    )
    assert "0 conflit, 1 supprimé" in out and "--force" not in out


# --- the wizard --------------------------------------------------------------------------------


def newcomers_step(client, school) -> str:
    """A Complet import of a newcomers file in the wizard: the URL of its pupils' step."""
    xml = (
        f'<IDENTIFIANTS_PRONOTE UAI="{school.est.uai}"><Eleves>'
        '<Eleve IDPN="NOUVEAU000000001" Nom="HADDAD" Prenom="Yanis" DateNaissance="03/02/2013"/>'
        "</Eleves></IDENTIFIANTS_PRONOTE>"
    )
    upload(client, school, mode="complet", content=xml.encode())
    session = ImportSession.objects.get()
    client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    return reverse("pronote:step", args=[session.pk, 2])


def test_the_wizard_asks_to_confirm_a_large_removal(admin_client, school):
    former = make_pupils_with_identifiers(school, 12)
    url = newcomers_step(admin_client, school)
    session = ImportSession.objects.get()
    shown = page_text(admin_client.get(url))
    assert (
        "Mode Complet : la validation supprimera 12 identifiants PRONOTE sur les 12 de cette "
        "catégorie, car le fichier ne les contient pas. " + NEWCOMERS_HINT in shown
    )
    assert "Je confirme la suppression de ces 12 identifiants PRONOTE absents du fichier" in shown

    refused = admin_client.post(url, {"action": "validate"}, follow=True)
    assert refused.redirect_chain == []  # the same step, shown again
    assert refused.status_code == 200  # as the other refusals of the step, and a service's deletion
    text = page_text(refused)
    assert "cochez « Je confirme la suppression » pour supprimer 12 identifiants" in text
    assert text.count(NEWCOMERS_HINT) == 1  # in the warning, not again in the message
    assert set(former) <= set(ids_of(school.est))

    done = admin_client.post(url, {"action": "validate", "confirm-removals": "on"})
    assert done["Location"] == reverse("pronote:step", args=[session.pk, 3])
    assert not set(former) & set(ids_of(school.est))


def test_the_wizard_keeps_the_plain_notice_for_a_few_removals(admin_client, school):
    make_pupils_with_identifiers(school, 1)
    upload(admin_client, school, mode="complet")  # Emma, Tom, Jules; a former pupil…
    session = ImportSession.objects.get()
    for pupil, pid in ((school.emma, "ELEVEEMMA0000001"), (school.tom, "ELEVETOM00000001")):
        make_pronote_identity(pupil, school.est, pid)
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    shown = page_text(admin_client.get(reverse("pronote:step", args=[session.pk, 2])))
    assert "Mode Complet : 1 identifiant absent du fichier sera supprimé à la validation." in shown
    assert "Je confirme la suppression" not in shown


def test_the_wizard_shows_the_warning_as_an_alert_with_its_box_right_under_it(admin_client, school):
    make_pupils_with_identifiers(school, 12)
    url = newcomers_step(admin_client, school)
    doc = html.fromstring(admin_client.get(url).content.decode())
    alert = doc.get_element_by_id("removal-warning")
    assert {"alert", "alert-warning"} <= set(alert.classes)
    (box,) = doc.xpath('//input[@name="confirm-removals"]')
    assert box.getparent().getprevious() is alert
    assert box.get("form") == "step-form"  # outside the form's element, submitted with it
    assert box.get("aria-describedby") == "removal-warning"
    assert box.get("aria-invalid") is None and box.get("autofocus") is None
    (label,) = doc.xpath('//label[@for="confirm-removals"]')
    assert label.text_content() == (
        "Je confirme la suppression de ces 12 identifiants PRONOTE absents du fichier"
    )


def test_a_refused_validation_marks_the_box_invalid_and_focuses_it(admin_client, school):
    make_pupils_with_identifiers(school, 12)
    url = newcomers_step(admin_client, school)
    doc = html.fromstring(admin_client.post(url, {"action": "validate"}).content.decode())
    (box,) = doc.xpath('//input[@name="confirm-removals"]')
    assert box.get("aria-describedby") == "removal-warning confirm-removals-error"
    assert box.get("aria-invalid") == "true" and box.get("autofocus") is not None
    assert box.get("checked") is None
    error = doc.get_element_by_id("confirm-removals-error")
    assert error.text_content() == "Cochez la case pour confirmer la suppression."
    assert "field--error" in box.getparent().classes
    # « Interrompre l’import… » shows the page again: the box kept, not called wrong
    asked = admin_client.post(url, {"action": "interrupt-ask", "confirm-removals": "on"})
    (box,) = html.fromstring(asked.content.decode()).xpath('//input[@name="confirm-removals"]')
    assert box.get("aria-invalid") is None and box.get("checked") is not None


# --- a CSV extraction: a cut at a line end cannot be detected -----------------------------------

CSV_HINT = (
    "Fichier CSV : rien n'y marque la fin de l'export, un fichier coupé (export ou copie "
    "interrompus) ne peut pas être repéré. Avant de valider, vérifiez dans la liste que la "
    "personne dont l'identifiant sera supprimé a bien quitté l'établissement ; sinon, "
    "interrompez l'import et refaites l'export depuis PRONOTE."
)


def csv_of_two_pupils(school) -> bytes:
    return (
        "Nom;Prénom;Né(e) le;Identifiant_PRONOTE-ENT\r\n"
        f"{school.emma.last_name};{school.emma.first_name};"
        f"{school.emma.birth_date:%d/%m/%Y};ELEVEEMMA0000001\r\n"
        f"{school.tom.last_name};{school.tom.first_name};"
        f"{school.tom.birth_date:%d/%m/%Y};ELEVETOM00000001\r\n"
    ).encode()


def test_it_warns_that_a_csv_may_be_cut_beside_a_complet_steps_removals(admin_client, school):
    make_pupils_with_identifiers(school, 1)  # the one the file no longer lists
    for pupil, pid in ((school.emma, "ELEVEEMMA0000001"), (school.tom, "ELEVETOM00000001")):
        make_pronote_identity(pupil, school.est, pid)
    upload(admin_client, school, content=csv_of_two_pupils(school), name="EXP_ELEVES.csv")
    session = ImportSession.objects.get()
    assert session.file_format == "csv"
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    doc = html.fromstring(
        admin_client.get(reverse("pronote:step", args=[session.pk, 2])).content.decode()
    )
    assert doc.get_element_by_id("csv-cut-warning").text_content() == CSV_HINT


def test_it_says_nothing_of_a_cut_for_an_xml_file(admin_client, school):
    make_pupils_with_identifiers(school, 1)
    for pupil, pid in ((school.emma, "ELEVEEMMA0000001"), (school.tom, "ELEVETOM00000001")):
        make_pronote_identity(pupil, school.est, pid)
    upload(admin_client, school, mode="complet")  # XML: a cut one would not parse
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    shown = page_text(admin_client.get(reverse("pronote:step", args=[session.pk, 2])))
    assert "sera supprimé à la validation" in shown and "Fichier CSV" not in shown


def test_the_command_preview_warns_of_a_csv_cut_too(school, tmp_path):
    make_pupils_with_identifiers(school, 1)
    path = tmp_path / "EXP_ELEVES.csv"
    path.write_bytes(csv_of_two_pupils(school))
    out = run("pronote_import", str(path), "--uai", school.est.uai, "--mode", "complet")
    assert CSV_HINT in out


# --- a few removals from a file without any « Identifiant CAS » ---------------------------------


def few_removals_step(client, school, xml: str) -> str:
    """A Complet import of ``xml`` that removes one pupil's identifier of three (not large)."""
    make_pupils_with_identifiers(school, 1)
    for pupil, pid in ((school.emma, "ELEVEEMMA0000001"), (school.tom, "ELEVETOM00000001")):
        make_pronote_identity(pupil, school.est, pid)
    upload(client, school, mode="complet", content=xml.format(uai=school.est.uai).encode())
    session = ImportSession.objects.get()
    client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    return page_text(client.get(reverse("pronote:step", args=[session.pk, 2])))


def test_a_few_removals_from_a_file_without_identifiant_cas_hint_at_newcomers(admin_client, school):
    """Early in the year few people are bound to the ENT: the newcomers export leaves out only
    them, too few for the large-removal warning, yet they are the ones Complet would remove."""
    from tests.pronote.test_views import PRONOTE_XML

    shown = few_removals_step(admin_client, school, PRONOTE_XML)
    assert (
        "Mode Complet : 1 identifiant absent du fichier sera supprimé à la validation. "
        + NEWCOMERS_HINT
        in shown
    )
    assert "Je confirme la suppression" not in shown


def test_a_file_with_an_identifiant_cas_gets_the_plain_notice(admin_client, school):
    from tests.pronote.test_views import PRONOTE_XML

    xml = PRONOTE_XML.replace('Prenom="Emma"', 'Prenom="Emma" IdentifiantCAS="u-emma"')
    shown = few_removals_step(admin_client, school, xml)
    assert "Mode Complet : 1 identifiant absent du fichier sera supprimé à la validation." in shown
    assert NEWCOMERS_HINT not in shown


def test_the_command_preview_hints_at_newcomers_too(school, tmp_path):
    from tests.pronote.test_views import PRONOTE_XML

    make_pupils_with_identifiers(school, 1)
    for pupil, pid in ((school.emma, "ELEVEEMMA0000001"), (school.tom, "ELEVETOM00000001")):
        make_pronote_identity(pupil, school.est, pid)
    path = tmp_path / "IdPN_To_SOCLE.xml"
    path.write_text(PRONOTE_XML.format(uai=school.est.uai), encoding="utf-8")
    out = run("pronote_import", str(path), "--uai", school.est.uai, "--mode", "complet")
    assert (
        "Mode Complet : 1 identifiant absent du fichier sera supprimé à la validation. "
        + COMMAND_HINT
        in out
    )
