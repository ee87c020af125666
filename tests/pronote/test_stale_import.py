"""An identifier import from the former school year: « Diagnostic PRONOTE » and
``pronote_doctor`` say so, with what to do (the rentrée's Complet import); nothing is blocked.
The school year starts on ``SOCLE_SCHOOL_YEAR_START`` (1 August by default)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import html

from socle.env import ConfigurationError, env_parsed
from socle.pronote.importer import validate_step
from socle.pronote.importer.report import summary_line
from socle.pronote.importer.steps import run_automatic
from socle.pronote.models import ImportSession, ImportStep
from socle.pronote.school_year import school_year_start
from socle.settings import _month_day
from tests.pronote.helpers import page_text, run, start
from tests.pronote.test_new_school_year import first_year
from tests.pronote.test_views import upload

STALE = "Le dernier import d'identifiants PRONOTE validé date du "


def last_year(days: int = 1) -> dt.datetime:
    return school_year_start() - dt.timedelta(days=days)


def test_it_warns_when_the_last_validated_import_predates_the_school_year(school):
    first_year(school)
    assert STALE not in run("pronote_doctor", "--uai", school.est.uai)
    when = last_year(days=40)
    ImportStep.objects.update(validated_at=when)
    out = run("pronote_doctor", "--uai", school.est.uai)
    (line,) = [line for line in out.splitlines() if STALE in line]
    start_day = f"{school_year_start():%d/%m/%Y}"
    assert line == (
        f"! {STALE}{timezone.localtime(when):%d/%m/%Y} (mode Complet, test.xml), avant le début "
        f"de l'année scolaire ({start_day}) : à la rentrée, la nouvelle base PRONOTE a pu "
        "changer les identifiants (ceux des élèves surtout), et les nouveaux arrivants n'ont pas "
        "le leur. Dans PRONOTE, exportez les identifiants de tous les utilisateurs (case "
        "« Uniquement les utilisateurs sans identifiants CAS » décochée), puis importez le "
        "fichier en mode Complet."
    )
    assert out.index(STALE) < out.index("## Service PRONOTE")  # right under the summary line

    # this year's import, whatever its mode, is the newest: the warning goes
    run_automatic(start(school.est, "partiel", *school.records()))
    assert STALE not in run("pronote_doctor", "--uai", school.est.uai)


def test_it_says_nothing_before_any_import(school):
    assert STALE not in run("pronote_doctor", "--uai", school.est.uai)


def test_the_page_shows_the_warning_under_the_summary(admin_client, school):
    first_year(school)
    ImportStep.objects.update(validated_at=last_year())
    response = admin_client.get(reverse("pronote:doctor"), {"establishment": school.est.pk})
    doc = html.fromstring(response.content.decode())
    warning = doc.get_element_by_id("doctor-stale-import")
    assert "alert-warning" in warning.get("class")
    assert " ".join(warning.text_content().split()).startswith(STALE)
    english = admin_client.get(
        reverse("pronote:doctor"), {"establishment": school.est.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    text = html.fromstring(english.content.decode()).get_element_by_id("doctor-stale-import")
    assert "mode Full" in text.text_content() and STALE not in text.text_content()


def test_it_dates_the_conflicts_of_the_last_imports(school):
    first_year(school)
    # Partiel: Emma's row now names another identifier than hers, left as a conflict
    (emma,) = [r for r in school.records() if r.pronote_id == "ELEVEEMMA0000001"]
    session = run_automatic(
        start(school.est, "partiel", dataclasses.replace(emma, pronote_id="ELEVEEMMA0000009"))
    )
    assert session.rows.filter(outcome="conflict").exists()
    out = run("pronote_doctor", "--uai", school.est.uai)
    day = f"{timezone.localtime(session.created_at):%d/%m/%Y}"
    (line,) = [line for line in out.splitlines() if "ELEVEEMMA0000009" in line]
    assert line.endswith(f"(import du {day})")


@pytest.mark.parametrize(
    ("setting", "now", "start"),
    [
        ((2, 1), "2026-12-04 21:00", "2026-02-01"),
        ((2, 1), "2027-01-31 23:30", "2026-02-01"),
        ((2, 1), "2027-02-01 00:30", "2027-02-01"),
        ((9, 15), "2026-09-14 12:00", "2025-09-15"),
    ],
)
def test_it_starts_the_school_year_on_the_operators_day(settings, setting, now, start):
    settings.SOCLE_SCHOOL_YEAR_START = setting
    moment = timezone.make_aware(dt.datetime.fromisoformat(now))
    assert school_year_start(moment) == timezone.make_aware(dt.datetime.fromisoformat(start))


def test_it_reads_the_setting_strictly(monkeypatch):
    assert _month_day("08-01") == (8, 1) and _month_day("2-1") == (2, 1)
    for wrong in ("02-29", "13-01", "0801", "1er août", "08-01-2026"):
        monkeypatch.setenv("SOCLE_SCHOOL_YEAR_START", wrong)
        with pytest.raises(ConfigurationError, match="format MM-JJ"):
            env_parsed("SOCLE_SCHOOL_YEAR_START", _month_day, (8, 1))


def test_the_step_page_flags_an_import_left_open_since_the_former_school_year(admin_client, school):
    upload(admin_client, school)
    session = ImportSession.objects.latest("pk")
    step_url = reverse("pronote:step", args=[session.pk, 1])
    doc = html.fromstring(admin_client.get(step_url).content.decode())
    assert not doc.xpath('//*[@id="open-import-warning"]')
    day = f"{timezone.localtime(session.created_at):%d/%m/%Y}"
    assert f"commencé le {day}" in " ".join(doc.xpath("//p")[0].text_content().split())

    started = last_year(days=45)
    ImportSession.objects.filter(pk=session.pk).update(created_at=started)
    doc = html.fromstring(admin_client.get(step_url).content.decode())
    (warning,) = doc.xpath('//*[@id="open-import-warning"]')
    assert " ".join(warning.text_content().split()) == (
        f"Cet import a été commencé le {timezone.localtime(started):%d/%m/%Y}, avant le début "
        f"de l'année scolaire ({school_year_start():%d/%m/%Y}) : son fichier vient sans doute "
        "de la base PRONOTE de l'année passée. Interrompez-le, puis importez en mode Complet "
        "l'export de tous les utilisateurs de la nouvelle base."
    )


def test_the_final_page_dates_the_import(admin_client, school):
    session = run_automatic(start(school.est, "complet", *school.records()))
    response = admin_client.get(reverse("pronote:final", args=[session.pk]))
    when = f"{timezone.localtime(session.created_at):%d/%m/%Y %H:%M}"
    assert f"Cet import : {when}, Complet, test.xml, terminé." in page_text(response)


def test_the_import_page_says_it_too(admin_client, school):
    first_year(school)
    index = reverse("pronote:index")
    doc = html.fromstring(admin_client.get(index, {"uai": school.est.uai}).content.decode())
    assert not doc.xpath('//*[@id="stale-import"]')
    ImportStep.objects.update(validated_at=last_year())
    doc = html.fromstring(admin_client.get(index, {"uai": school.est.uai}).content.decode())
    (warning,) = doc.xpath('//*[@id="stale-import"]')
    assert " ".join(warning.text_content().split()).startswith(STALE)
    assert doc.xpath('//input[@name="mode"][@checked]/@value') == ["complet"]


def test_a_step_validated_with_nothing_in_it_neither_dates_the_identifiers_nor_ends_the_warning(
    school,
):
    """An import of this year interrupted after validating only an empty step (no teacher in
    the file) wrote nothing: the warning stays and the import page still proposes Complet."""
    from socle.pronote.forms import initial_mode

    first_year(school)
    ImportStep.objects.update(validated_at=last_year(days=40))
    assert initial_mode(school.est) == "complet"
    previous = ImportSession.objects.get()
    empty = ImportSession.objects.create(
        establishment=school.est,
        mode="complet",
        file_format=previous.file_format,
        source_name="vide.xml",
        status=previous.status,
    )
    step = ImportStep.objects.filter(session=previous).first()
    assert step is not None
    ImportStep.objects.create(
        session=empty,
        number=step.number,
        category=step.category,
        state="validated",
        validated_at=timezone.now(),
    )
    assert STALE in run("pronote_doctor", "--uai", school.est.uai)
    assert initial_mode(school.est) == "complet"
    # one that removed identifiers (mode Complet) did write
    ImportStep.objects.filter(session=empty).update(removed=[{"pronote_id": "X"}])
    assert STALE not in run("pronote_doctor", "--uai", school.est.uai)
    assert initial_mode(school.est) == "partiel"


def test_it_names_in_the_summary_line_only_an_import_that_wrote_identifiers(admin_client, school):
    """« Dernier import fait le … en mode … » names the last import that wrote identifiers, on
    the import page, in « Diagnostic PRONOTE » and in ``pronote_doctor`` alike: a later Partiel
    import interrupted after validating only an empty step is not it."""
    first_year(school)
    written = ImportSession.objects.get()
    assert written.finished_at is not None
    when = timezone.localtime(written.finished_at)
    expected = (
        f"5 identifiant(s) PRONOTE importé(s). Dernier import fait le : {when:%d/%m/%Y} à "
        f"{when:%H:%M} en mode Complet."
    )
    empty = ImportSession.objects.create(
        establishment=school.est,
        mode="partiel",
        file_format=written.file_format,
        source_name="vide.xml",
        status="interrupted",
        finished_at=written.finished_at + dt.timedelta(days=2),
    )
    ImportStep.objects.create(
        session=empty, number=1, category="enseignant", state="validated",
        validated_at=empty.finished_at,
    )  # fmt: skip
    assert summary_line(school.est) == expected
    assert expected in run("pronote_doctor", "--uai", school.est.uai)
    doctor = admin_client.get(reverse("pronote:doctor"), {"establishment": school.est.pk})
    assert expected in page_text(doctor)
    index = admin_client.get(reverse("pronote:index"), {"uai": school.est.uai})
    assert expected in page_text(index)

    # an import still open whose first step wrote identifiers is the last: its step's time
    session = start(school.est, "partiel", *school.records())
    validate_step(session, 1)
    step = ImportStep.objects.get(session=session, number=1)
    assert step.validated_at is not None
    at = timezone.localtime(step.validated_at)
    assert summary_line(school.est).endswith(
        f"Dernier import fait le : {at:%d/%m/%Y} à {at:%H:%M} en mode Partiel."
    )
