"""A step validated twice (a double click, the back button, two tabs): the first validation
counts, the second one shows where the import now is, never the old step with an error."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages
from django.urls import reverse

from socle.pronote.importer import step_matching, steps
from socle.pronote.models import ImportSession, Outcome, SessionStatus, StepState
from socle.pronote.views import wizard
from tests.pronote.helpers import ids_of
from tests.pronote.test_views import upload


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_second_click_after_the_first_one_answered_goes_to_the_next_step(admin_client, school):
    """Also the back button then « Valider » again: the step is not validated twice, and the
    page says so (it went to the next step without a word, as if the new choices counted)."""
    upload(admin_client, school)
    session = ImportSession.objects.get()
    url = reverse("pronote:step", args=[session.pk, 1])
    admin_client.post(url, {"action": "validate"})
    response = admin_client.post(url, {"action": "validate"})
    assert response["Location"] == reverse("pronote:step", args=[session.pk, 2])
    assert _messages(response) == [
        "L'étape 1/6 était déjà validée (double clic, ou un autre onglet) : voici l'étape 2/6."
    ]
    assert ids_of(school.est) == {"PROFBERRONE00001": school.teacher.pk}
    session.refresh_from_db()
    assert session.current_step == 2


def test_a_click_that_waited_for_the_first_goes_to_the_next_step_not_back_with_an_error(
    admin_client, school, monkeypatch
):
    """Two requests at once: the second one passes the view's check while the first one still
    validates, then waits for the session's lock; the step has moved on when it gets it."""
    upload(admin_client, school)
    session = ImportSession.objects.get()
    real = steps.validate_step

    def the_first_click_wins(session: ImportSession, number: int, *args: Any, **kw: Any) -> Any:
        real(session, number)  # the first request, committed meanwhile
        return real(session, number, *args, **kw)

    monkeypatch.setattr(wizard, "validate_step", the_first_click_wins)
    response = admin_client.post(
        reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("pronote:step", args=[session.pk, 2])
    assert _messages(response) == [
        "L'étape 1/6 était déjà validée (double clic, ou un autre onglet) : voici l'étape 2/6."
    ]
    assert ids_of(school.est) == {"PROFBERRONE00001": school.teacher.pk}


def test_a_validation_that_waited_for_an_interruption_goes_to_the_summary(
    admin_client, school, monkeypatch
):
    upload(admin_client, school)
    session = ImportSession.objects.get()

    def interrupted_meanwhile(session: ImportSession, *args: Any, **kw: Any) -> Any:
        steps.interrupt(session)  # « Interrompre l'import » in another tab
        return steps.validate_step(session, *args, **kw)

    monkeypatch.setattr(wizard, "validate_step", interrupted_meanwhile)
    response = admin_client.post(
        reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"}
    )
    assert response["Location"] == reverse("pronote:final", args=[session.pk])
    assert _messages(response) == ["Cet import est terminé ou interrompu : relancez un import."]
    session.refresh_from_db()
    assert session.status == SessionStatus.INTERRUPTED
    assert not ids_of(school.est)


def test_a_page_computed_while_its_step_is_validated_does_not_undo_the_validation(
    admin_client, school, monkeypatch
):
    """The step page (its automatic matching, a few seconds for a big school) opened in a tab
    while the step is validated in another: its matching, written last, marked the validated
    step « rapprochée » again and put the automatic match back on a row cleared by hand."""
    upload(admin_client, school)
    session = ImportSession.objects.get()
    teacher_row = session.rows.get(pronote_id="PROFBERRONE00001")
    real = step_matching.match_rows
    calls = {"n": 0}

    def validated_meanwhile(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:  # the page's matching: the other tab validates now, row cleared
            steps.validate_step(session, 1, {teacher_row.pk: None})
        return real(*args, **kwargs)

    monkeypatch.setattr(step_matching, "match_rows", validated_meanwhile)
    admin_client.get(reverse("pronote:step", args=[session.pk, 1]))
    step = session.steps.get(number=1)
    assert step.state == StepState.VALIDATED
    teacher_row.refresh_from_db()
    assert teacher_row.person_id is None  # cleared by hand, as validated
    assert teacher_row.outcome == Outcome.NOT_IDENTIFIED
    assert not ids_of(school.est)


def test_the_back_button_to_a_finished_import_says_it_is_over(admin_client, school):
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(
        reverse("pronote:step", args=[session.pk, 1]), {"action": "interrupt"}, follow=True
    )
    response = admin_client.post(
        reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"}
    )
    assert response["Location"] == reverse("pronote:final", args=[session.pk])
    assert _messages(response) == ["Cet import est terminé ou interrompu : relancez un import."]
    assert not ids_of(school.est)
    assert admin_client.get(reverse("pronote:step", args=[session.pk, 1])).status_code == 302
