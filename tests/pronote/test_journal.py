"""PRONOTE imports and exports leave traces in « Traces »: who started an import, each step
validated with its counts, an interruption, an export; none for a dry run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from socle.portal.models import Trace
from socle.portal.traces import EVENT_LABELS
from socle.pronote.export.service import export_for_pronote
from socle.pronote.models import ImportSession
from tests.pronote.helpers import page_text, run
from tests.pronote.test_commands import xml_file  # noqa: F401  (fixture)
from tests.pronote.test_views import upload


def traces() -> list[tuple[str, str, str, str]]:
    return list(
        Trace.objects.filter(event__startswith="pronote_")
        .order_by("id")
        .values_list("event", "actor_login", "uai", "detail")
    )


def _started_validated_interrupted(admin_client, school, capture) -> ImportSession:  # noqa: ANN001
    """An import started on the wizard, its first step validated, then interrupted."""
    with capture(execute=True):
        upload(admin_client, school)
        session = ImportSession.objects.get()
        admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
        admin_client.post(reverse("pronote:step", args=[session.pk, 2]), {"action": "interrupt"})
    return session


def test_the_wizard_traces_the_start_each_step_and_the_interruption(
    admin_client, school, django_capture_on_commit_callbacks
) -> None:
    session = _started_validated_interrupted(
        admin_client, school, django_capture_on_commit_callbacks
    )
    (started, step, interrupted) = traces()
    uai = school.est.uai
    assert started[:3] == ("pronote_import_started", "anne.admin", uai)
    assert started[3] == f"import n° {session.pk}, mode Complet, 5 ligne(s), IdPN_To_SOCLE.xml"
    assert step[:3] == ("pronote_step_validated", "anne.admin", uai)
    assert step[3] == (
        f"import n° {session.pk}, étape 1/6 (enseignants) : 1 importé(s), 0 inchangé(s), "
        "0 remplacé(s), 0 conflit(s), 0 supprimé(s)"
    )
    assert interrupted == (
        "pronote_import_interrupted",
        "anne.admin",
        uai,
        f"import n° {session.pk}, à l'étape 2",
    )
    assert Trace.objects.filter(event="pronote_step_validated").get().client_ip == "127.0.0.1"


def test_a_new_import_traces_the_interruption_of_the_open_one(
    admin_client, school, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        upload(admin_client, school)
        upload(admin_client, school, mode="partiel")
    first = ImportSession.objects.order_by("id").first()
    assert first is not None
    events = [(event, detail) for event, _who, _uai, detail in traces()]
    assert events[1] == (
        "pronote_import_interrupted",
        f"import n° {first.pk}, à l'étape 1 par un nouvel import",
    )
    assert events[2][0] == "pronote_import_started" and "mode Partiel" in events[2][1]


def test_the_command_traces_under_its_name_and_a_dry_run_leaves_nothing(
    xml_file,  # noqa: F811
    school,
    django_capture_on_commit_callbacks,
) -> None:
    args = ("pronote_import", str(xml_file), "--uai", school.est.uai, "--mode", "complet")
    with django_capture_on_commit_callbacks(execute=True):
        run(*args, "--auto-only", "--dry-run")
    assert traces() == []
    with django_capture_on_commit_callbacks(execute=True):
        run(*args, "--auto-only")
    events = traces()
    assert [e[0] for e in events] == ["pronote_import_started"] + ["pronote_step_validated"] * 6
    assert {e[1] for e in events} == {"pronote_import"}


def test_an_export_is_traced(school, ent_key, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        export_for_pronote(school.est, ent_key.public_key(), "P")
    ((event, who, uai, detail),) = traces()
    assert (event, who, uai) == ("pronote_export", "", school.est.uai)
    assert detail.startswith(f"RapprochementSSO_{school.est.uai}.xml : ")


@pytest.mark.parametrize(
    ("event", "label"),
    [
        ("pronote_import_started", "Import PRONOTE commencé"),
        ("pronote_step_validated", "Étape d'import PRONOTE validée"),
        ("pronote_import_interrupted", "Import PRONOTE interrompu"),
        ("pronote_export", "Export pour PRONOTE"),
    ],
)
def test_the_traces_page_names_the_pronote_events(event: str, label: str) -> None:
    assert str(EVENT_LABELS[event]) == label


def test_the_traces_page_gives_the_details_in_the_readers_language(
    admin_client, school, django_capture_on_commit_callbacks
) -> None:
    """Stored in French (above), shown in English on an English « Traces » page."""
    session = _started_validated_interrupted(
        admin_client, school, django_capture_on_commit_callbacks
    )
    text = page_text(admin_client.get("/gestion/traces/", headers={"Accept-Language": "en"}))
    assert f"import no. {session.pk}, Full mode, 5 row(s), IdPN_To_SOCLE.xml" in text
    assert (
        f"import no. {session.pk}, step 1/6 (teachers): 1 imported, 0 unchanged, 0 replaced, "
        "0 conflict(s), 0 removed"
    ) in text
    assert f"import no. {session.pk}, at step 2" in text
    assert "import n°" not in text
