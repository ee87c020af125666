"""An import's notes (« Identifiants CAS différents », reset by the complete export) were computed
for the PRONOTE service's settings at validation. They stay the record of what validation found;
when the recognition mode, the address (https ↔ http) or the user name mode have changed since in
a way that changes them, the final page says so and sends to « Diagnostic PRONOTE », which
recomputes them; a changed user name mode is a real refusal for whoever PRONOTE bound since, and
the page says that too (``socle.pronote.predicted_for``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from lxml import html

from socle.portal.models import Service, ServicePattern
from socle.pronote.cas_names import names_sent_digest
from socle.pronote.doctor import diagnose
from socle.pronote.models import ImportRow, ImportSession, ImportStep, PronoteIdentity
from tests.pronote.helpers import School, page_text, run
from tests.pronote.test_recognition_consistency import (
    _held_noted,
    _import_with_bound_copy,
    _pronote,
)

STALE = "Les notes de cet import (« Identifiants CAS différents »)"


def final_page(client, session: ImportSession):  # noqa: ANN001, ANN201
    response = client.get(reverse("pronote:final", args=[session.pk]))
    return html.fromstring(response.content.decode())


def stale_warning(client, session: ImportSession) -> str:  # noqa: ANN001
    found = final_page(client, session).xpath('//*[@id="stale-predictions"]')
    return " ".join(found[0].text_content().split()) if found else ""


def test_it_records_the_settings_each_step_was_validated_for(school: School):
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    step = ImportStep.objects.get(session=session, number=2)
    assert step.predicted_for == {
        "service": "PRONOTE-IDPN",
        "recognition": "pronote",
        "address": service.url,
        "username_mode": "uid",
        "names_sent": names_sent_digest(service),
        "refused": True,
    }


def test_it_marks_the_predictions_computed_for_a_former_recognition_mode(
    admin_client, school: School
):
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    assert _held_noted(session) == ["ELEVEEMMA0000001"]
    assert stale_warning(admin_client, session) == ""

    Service.objects.filter(pk=service.pk).update(pronote_recognition="identity")
    warning = stale_warning(admin_client, session)
    assert warning == (
        f"{STALE} ont été calculées à la validation, pour les "
        "réglages d'alors du service PRONOTE (reconnaissance « Avec l'identifiant PRONOTE de "
        f"l'utilisateur », adresse {service.url}, identifiant CAS transmis « Identifiant opaque "
        "(uid) »). Le service a changé depuis (reconnaissance « Avec l'identité de "
        f"l'utilisateur », adresse {service.url}, identifiant CAS transmis « Identifiant opaque "
        "(uid) ») : elles ne valent plus telles quelles. « Diagnostic PRONOTE » les recalcule "
        "avec les réglages actuels. Ouvrir le diagnostic PRONOTE"
    )
    doc = final_page(admin_client, session)
    (link,) = doc.xpath('//*[@id="stale-predictions"]//a/@href')
    assert link == f"{reverse('pronote:doctor')}?establishment={school.est.pk}"
    # the record is kept as validation wrote it; the diagnostic, live, predicts no refusal
    assert _held_noted(session) == ["ELEVEEMMA0000001"]
    assert diagnose(school.est, allowed=None).cas_mismatches == []

    Service.objects.filter(pk=service.pk).update(pronote_recognition="both")  # same as then
    assert stale_warning(admin_client, session) == ""


def test_it_warns_of_the_refusals_a_changed_user_name_mode_brings(admin_client, school: School):
    """Socle's own setting, not the file: whoever connected from the ENT since the import is
    bound in PRONOTE to the former name and will be refused."""
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    assert "Identification impossible" not in stale_warning(admin_client, session)
    Service.objects.filter(pk=service.pk).update(username_mode="pairwise")
    warning = stale_warning(admin_client, session)
    assert warning.startswith(STALE)
    assert (
        "L'identifiant CAS transmis a changé : ceux qui se sont connectés à PRONOTE depuis l'ENT "
        "avant ce changement y ont l'ancien comme « Identifiant CAS », et PRONOTE leur répondra "
        "« Identification impossible » tant que l'établissement ne l'a pas effacé" in warning
    )
    changed = {"username_mode": "uid", "pronote_recognition": "identity"}
    Service.objects.filter(pk=service.pk).update(**changed)
    assert "L'identifiant CAS transmis a changé" not in stale_warning(admin_client, session)


def test_it_marks_them_when_the_address_pronote_sends_turns_http(admin_client, school: School):
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    # another https address: the predictions still hold
    ServicePattern.objects.filter(service=service).update(value="https://ailleurs.test/pronote/**")
    Service.objects.filter(pk=service.pk).update(url="https://ailleurs.test/pronote/")
    assert stale_warning(admin_client, session) == ""
    # PRONOTE.net now sends http (its patterns), whatever the URL typed: no attribute, no refusal
    ServicePattern.objects.filter(service=service).update(value="http://ailleurs.test/pronote/**")
    warning = stale_warning(admin_client, session)
    assert warning.startswith(STALE)
    assert "Le service a changé depuis (reconnaissance « Avec l'identifiant PRONOTE de " in warning
    assert "adresse http://ailleurs.test/pronote/, identifiant CAS" in warning


def test_it_marks_a_step_validated_with_no_note_too(admin_client, school: School):
    """Validated in identity mode, no refusal was noted; the identifier mode now would refuse."""
    service = _pronote(school, "PRONOTE-ID", "identity")
    session = _import_with_bound_copy(school)
    assert _held_noted(session) == []
    Service.objects.filter(pk=service.pk).update(pronote_recognition="pronote")
    assert stale_warning(admin_client, session).startswith(STALE)
    assert len(diagnose(school.est, allowed=None).cas_mismatches) == 1


def test_it_says_nothing_for_steps_validated_before_settings_were_recorded(
    admin_client, school: School
):
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    ImportStep.objects.update(predicted_for={})
    Service.objects.filter(pk=service.pk).update(pronote_recognition="identity")
    assert stale_warning(admin_client, session) == ""


def test_it_speaks_english(admin_client, school: School):
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    Service.objects.filter(pk=service.pk).update(pronote_recognition="identity")
    response = admin_client.get(
        reverse("pronote:final", args=[session.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    (warning,) = html.fromstring(response.content.decode()).xpath('//*[@id="stale-predictions"]')
    text = " ".join(warning.text_content().split())
    assert STALE not in text and "were computed at validation" in text


def _stale_conflict(school: School) -> ImportRow:
    """Emma's row, noted at validation « l'identifiant CAS …, que l'ENT enverra, était celui d'une
    autre fiche »
    for the recognition by identifier, left in conflict; the service since recognises by
    identity, where that duplicate is no refusal any more."""
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    ImportRow.objects.filter(session=session, pronote_id="ELEVEEMMA0000001").update(
        outcome="conflict"
    )
    Service.objects.filter(pk=service.pk).update(pronote_recognition="identity")
    return ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")


MARK = (
    "(note faite à la validation, pour les réglages d'alors du service PRONOTE, changés "
    "depuis : elle ne vaut plus telle quelle)"
)


def test_it_marks_a_stale_note_among_the_diagnostics_conflicts(admin_client, school: School):
    row = _stale_conflict(school)
    assert diagnose(school.est, allowed=None).stale_conflicts == {row.pk}
    response = admin_client.get(reverse("pronote:doctor"), {"establishment": school.est.pk})
    (item,) = html.fromstring(response.content.decode()).xpath(
        "//h3[.='Conflits des derniers imports']/following-sibling::ul[1]/li"
    )
    text = " ".join(item.text_content().split())
    assert "que l'ENT enverra, était celui d'une autre fiche" in text
    assert MARK in text
    Service.objects.filter(code="PRONOTE-IDPN").update(pronote_recognition="pronote")
    assert diagnose(school.est, allowed=None).stale_conflicts == set()  # holds again: no mark
    again = admin_client.get(reverse("pronote:doctor"), {"establishment": school.est.pk})
    assert MARK not in page_text(again)


def test_pronote_doctor_prints_the_conflicts_in_the_active_language_with_the_mark(
    school: School,
):
    _stale_conflict(school)
    with translation.override("en"):
        out = run("pronote_doctor", "--uai", school.est.uai)
    (line,) = [line for line in out.splitlines() if "ELEVEEMMA0000001)" in line and "ROUX" in line]
    assert "that the ENT will send, was that of another record" in line, line
    assert "était celui" not in line
    assert "(a note made at validation" in line, line


def test_it_marks_a_stale_note_in_the_accounts_import_hint(school: School):
    row = _stale_conflict(school)
    # recognised by identifier again, but PRONOTE now receives the login as CAS user name
    Service.objects.filter(code="PRONOTE-IDPN").update(
        pronote_recognition="pronote", username_mode="login"
    )
    PronoteIdentity.objects.filter(person=school.emma).delete()  # Emma has no identifier now
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", school.emma.login)
    (hint,) = [line for line in out.splitlines() if "Il figure dans l'import du" in line]
    assert "ELEVEEMMA0000001" in hint and row.localized_outcome_detail in hint
    assert hint.endswith(MARK), hint


# When a flag was shown wrongly (before 2026-12-05 evening): every change of the recognition
# mode (or of the address between https and http) flagged every note of every step validated
# under the other setting, though it decides one note only — ``cas_id_held_elsewhere`` (a
# duplicate bound first) — and never ``cas_id_mismatch`` (a record bound to another ENT's
# name); and a step whose file held no such duplicate was flagged as if the current settings
# would write one.

OLD_ENT = "ENTLR-000123"


def _import_with_former_ent(school: School) -> ImportRow:
    """Emma's record bound to a former ENT's name in the file (the note ``cas_id_mismatch``),
    no duplicate anywhere; her row left in conflict, so that the diagnostic quotes it."""
    from dataclasses import replace

    from socle.pronote.importer.steps import run_automatic
    from tests.pronote.helpers import start

    records = [
        replace(r, cas_id=OLD_ENT) if r.pronote_id == "ELEVEEMMA0000001" else r
        for r in school.records()
    ]
    session = run_automatic(start(school.est, "complet", *records))
    ImportRow.objects.filter(session=session, pronote_id="ELEVEEMMA0000001").update(
        outcome="conflict"
    )
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")
    assert [part[0] for part in row.cas_mismatch_parts] == ["cas_id_mismatch"]
    return row


def _marked(school: School) -> bool:
    return bool(diagnose(school.est, allowed=None).stale_conflicts)


def test_it_no_longer_flags_a_former_ent_note_when_the_recognition_mode_changes(
    admin_client, school: School
):
    """The former ENT's name was reset by the export whatever PRONOTE's recognition mode: a
    change of mode leaves that note true (wrong flag gone); another name sent does not (right
    flag kept)."""
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    row = _import_with_former_ent(school)
    Service.objects.filter(pk=service.pk).update(pronote_recognition="identity")
    assert stale_warning(admin_client, row.session) == ""
    assert not _marked(school)
    assert MARK not in run("pronote_doctor", "--uai", school.est.uai)
    Service.objects.filter(pk=service.pk).update(username_mode="pairwise")
    assert stale_warning(admin_client, row.session).startswith(STALE)
    assert diagnose(school.est, allowed=None).stale_conflicts == {row.pk}


def test_it_no_longer_flags_an_import_of_another_mode_when_no_note_would_change(
    admin_client, school: School
):
    """Validated while the service recognised by identity, then back to the identifier: the
    flag now says so only when validation would now note a duplicate bound first (recomputed
    for the step), not for every step of the other mode (wrong flag gone); with a duplicate
    in the file it is kept (``test_it_marks_a_step_validated_with_no_note_too``)."""
    service = _pronote(school, "PRONOTE-ID", "identity")
    row = _import_with_former_ent(school)
    Service.objects.filter(pk=service.pk).update(pronote_recognition="pronote")
    assert stale_warning(admin_client, row.session) == ""
    assert not _marked(school)


def test_a_change_undone_flags_nothing(admin_client, school: School):
    """The mode changed and changed back: the notes hold again, no flag anywhere."""
    row = _stale_conflict(school)  # identifier → identity: the duplicate's note is marked
    assert diagnose(school.est, allowed=None).stale_conflicts == {row.pk}
    assert stale_warning(admin_client, row.session).startswith(STALE)
    Service.objects.filter(code="PRONOTE-IDPN").update(pronote_recognition="pronote")
    assert stale_warning(admin_client, row.session) == ""
    assert not _marked(school)


def test_a_new_user_name_mode_over_a_file_without_identifiant_cas_flags_no_note(
    admin_client, school: School
):
    """A first rentrée: nobody was bound, the file has no « Identifiant CAS », no note then or
    now. The page says only the refusal the change brings to those bound since."""
    from socle.pronote.importer.steps import run_automatic
    from tests.pronote.helpers import start

    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = run_automatic(start(school.est, "complet", *school.records()))
    Service.objects.filter(pk=service.pk).update(username_mode="pairwise")
    warning = stale_warning(admin_client, session)
    assert STALE not in warning
    assert warning.startswith("L'identifiant CAS transmis a changé : ceux qui se sont connectés")


def _stale_steps_queries(school: School, session: ImportSession) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from socle.pronote.predicted_for import stale_steps

    with CaptureQueriesContext(connection) as queries:
        stale_steps(school.est, [session.pk])
    return len(queries)


def _stale_text_queries(session: ImportSession) -> int:
    """The queries of the final page's warning, which must be there."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from socle.pronote.predicted_for import stale_text

    with CaptureQueriesContext(connection) as queries:
        assert stale_text(session).startswith(STALE)
    return len(queries)


def test_it_reads_no_row_to_mark_the_diagnostics_conflicts(school: School):
    """``stale_steps`` (each « Diagnostic PRONOTE » visit, each account hint) reads the steps and
    the current settings only: ``is_stale`` tells a row's note from its step's changed
    settings (a noted row implies a bound step; a ``cas_id_held_elsewhere`` note, a duplicate
    refused then). Before: 10 queries for another mode and user name mode, 12 for another mode
    alone (a scan of the rows, each row with notes, every row of a step and its people, the
    service's patterns twice); now 3 — whatever the number of rows."""
    service = _pronote(school, "PRONOTE-ID", "identity")
    session = _import_with_bound_copy(school)
    Service.objects.filter(pk=service.pk).update(
        pronote_recognition="pronote", username_mode="login"
    )
    assert _stale_steps_queries(school, session) == 3
    Service.objects.filter(pk=service.pk).update(username_mode="uid")
    assert _stale_steps_queries(school, session) == 3
    # the marks themselves are unchanged (tests above): a step noted nothing, no mark
    assert diagnose(school.est, allowed=None).stale_conflicts == set()


def test_it_reads_the_service_once_for_the_final_page_warning(school: School):
    """``stale_text`` read the service in use and its patterns (twice) for the settings, then
    the service again for the warning: 7 queries here before, 5 now."""
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    session = _import_with_bound_copy(school)
    Service.objects.filter(pk=service.pk).update(pronote_recognition="identity")
    assert _stale_text_queries(session) == 5


def _pairwise_import(school: School) -> tuple[Service, ImportSession]:
    service = _pronote(school, "PRONOTE-IDPN", "pronote")
    Service.objects.filter(pk=service.pk).update(username_mode="pairwise")
    return service, _import_with_bound_copy(school)


def test_it_flags_a_regenerated_pairwise_salt(admin_client, school: School):
    """Another salt (or another pairwise service) changes every name sent, in the same user
    name mode: the notes and the people PRONOTE bound since, as a changed mode does. The salt
    itself is never stored, only a digest."""
    service, session = _pairwise_import(school)
    salt = Service.objects.get(pk=service.pk).pairwise_salt
    (recorded,) = {
        str(step.predicted_for) for step in ImportStep.objects.filter(session=session)[:1]
    }
    assert salt not in recorded
    assert stale_warning(admin_client, session) == ""
    Service.objects.filter(pk=service.pk).update(pairwise_salt="another-salt-" + "x" * 40)
    warning = stale_warning(admin_client, session)
    assert warning.startswith(STALE), warning
    assert (
        "identifiant CAS transmis « Identifiant opaque propre au service », calculé avec une "
        "autre clé (un autre service, ou sa clé renouvelée)) : elles ne valent plus" in warning
    ), warning
    assert "L'identifiant CAS transmis a changé" in warning
    Service.objects.filter(pk=service.pk).update(pairwise_salt=salt)
    assert stale_warning(admin_client, session) == ""


def test_it_does_not_flag_a_salt_it_never_recorded(admin_client, school: School):
    """Steps validated before the digest was recorded: the salt then is unknown; only a
    changed user name mode flags them, as before (not every import of the past)."""
    service, session = _pairwise_import(school)
    for step in ImportStep.objects.filter(session=session):
        step.predicted_for.pop("names_sent", None)
        step.save(update_fields=["predicted_for"])
    Service.objects.filter(pk=service.pk).update(pairwise_salt="another-salt-" + "x" * 40)
    assert stale_warning(admin_client, session) == ""
    Service.objects.filter(pk=service.pk).update(username_mode="uid")
    assert "L'identifiant CAS transmis a changé" in stale_warning(admin_client, session)


def test_it_recomputes_a_step_with_the_service_already_read(school: School):
    """Validated in identity mode, the identifier mode now: the final page recomputes whether
    validation would note a duplicate (the import's rule, ``cas_names.duplicates_held``) with
    the service it read for the settings — 16 queries here before (the service and its
    patterns read again for each step and each name sent), 11 now."""
    service = _pronote(school, "PRONOTE-ID", "identity")
    session = _import_with_bound_copy(school)
    Service.objects.filter(pk=service.pk).update(pronote_recognition="pronote")
    assert _stale_text_queries(session) == 11
