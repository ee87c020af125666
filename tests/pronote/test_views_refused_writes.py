"""The PRONOTE import pages when the database refuses a write (its disk full, a read-only
SQLite file): a French sentence on the page, nothing half-saved; before, the 500 page."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.urls import reverse

from socle.pronote.importer import session as session_module
from socle.pronote.importer import steps as steps_module
from socle.pronote.models import ImportRow, ImportSession, ImportStep, SessionStatus
from tests.pronote.helpers import ids_of, page_text
from tests.pronote.test_views import upload

REFUSALS = [
    ("database or disk is full", "plus de place sur le disque"),
    ("attempt to write a readonly database", "base en lecture seule"),
]


def at_step_1(client, school) -> tuple[ImportSession, str]:  # type: ignore[no-untyped-def]
    """A file uploaded for ``school``, its step 1 shown (its matching written): the session
    and the step's address."""
    upload(client, school)
    session = ImportSession.objects.get()
    step1 = reverse("pronote:step", args=[session.pk, 1])
    client.get(step1)
    return session, step1


def _refuses(driver_says: str):  # type: ignore[no-untyped-def]
    def refused(*_args: object, **_kwargs: object) -> None:
        raise OperationalError(driver_says)

    return refused


@pytest.mark.parametrize(("driver_says", "said"), REFUSALS)
def test_it_says_on_the_import_page_that_nothing_was_saved(
    admin_client, school, monkeypatch, driver_says, said
):
    # after the import, its steps and rows were written: all rolled back
    monkeypatch.setattr(session_module.journal, "import_started", _refuses(driver_says))
    response = upload(admin_client, school)
    assert response.status_code == 200
    text = page_text(response)
    assert (
        f"L'enregistrement a été refusé par la base de données ({said}" in text
        and "rien n'a été enregistré, aucun import n'a été commencé. Réessayez plus tard" in text
    )
    assert not ImportSession.objects.exists() and not ImportStep.objects.exists()
    assert not ImportRow.objects.exists()


def test_it_says_on_the_step_page_that_the_step_was_not_saved(admin_client, school, monkeypatch):
    response = upload(admin_client, school)
    session = ImportSession.objects.get()
    step1 = reverse("pronote:step", args=[session.pk, 1])
    assert response["Location"] == step1
    # the teacher's identifier is written, then the disk is full: the step is rolled back
    monkeypatch.setattr(steps_module, "_record_outcomes", _refuses("database or disk is full"))
    response = admin_client.post(step1, {"action": "validate"})
    assert response.status_code == 200
    text = page_text(response)
    assert (
        "(plus de place sur le disque) : l'import n'a pas changé, ses étapes validées sont "
        "conservées et il reprendra à l'étape 1/6. Réessayez plus tard" in text
    )
    assert "Étape 1/6 : rapprochement des enseignants" in text
    session.refresh_from_db()
    assert session.current_step == 1 and session.status == SessionStatus.IN_PROGRESS
    assert not ids_of(school.est)
    monkeypatch.undo()
    response = admin_client.post(step1, {"action": "validate"})  # once there is room again
    assert response["Location"] == reverse("pronote:step", args=[session.pk, 2])
    assert len(ids_of(school.est)) == 1


def test_it_says_so_when_the_step_page_cannot_write_its_matching(admin_client, school, monkeypatch):
    """The step's automatic matching is written when its page is first shown."""
    from socle.pronote.importer import step_matching

    upload(admin_client, school)
    session = ImportSession.objects.get()
    step1 = reverse("pronote:step", args=[session.pk, 1])
    monkeypatch.setattr(step_matching, "update_rows", _refuses("database or disk is full"))
    response = admin_client.get(step1)
    assert response.status_code == 503
    text = page_text(response)
    assert "(plus de place sur le disque) : l'import n'a pas changé" in text
    assert "Réessayer" in text
    monkeypatch.undo()
    assert "1 enseignant reconnu" in page_text(admin_client.get(step1))


def _validate_refused(admin_client, school, monkeypatch, error: Exception):  # type: ignore[no-untyped-def]
    """Step 1 validated while the database answers ``error``: the page, and the session."""
    session, step1 = at_step_1(admin_client, school)

    def refused(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(steps_module, "_record_outcomes", refused)
    response = admin_client.post(step1, {"action": "validate"})
    monkeypatch.undo()
    session.refresh_from_db()
    return response, session, step1


INTERRUPTIONS = [
    (
        OperationalError("consuming input failed: server closed the connection unexpectedly"),
        "connexion au serveur de base de données perdue",
    ),
    (
        OperationalError("canceling statement due to statement timeout"),
        "délai dépassé sur le serveur de base de données",
    ),
    (OperationalError("deadlock detected"), "conflit avec une autre écriture au même moment"),
]


@pytest.mark.parametrize(("error", "said"), INTERRUPTIONS)
def test_it_says_a_step_cut_short_by_the_database_can_be_validated_again(
    admin_client, school, monkeypatch, error, said
):
    """A connection to PostgreSQL lost, a statement timeout, a deadlock: were the 500 page."""
    response, session, step1 = _validate_refused(admin_client, school, monkeypatch, error)
    assert response.status_code == 200
    text = page_text(response)
    assert f"La base de données a interrompu l'opération ({said}" in text
    assert "il reprendra à l'étape 1/6. Réessayez dans un instant" in text
    assert session.current_step == 1 and session.status == SessionStatus.IN_PROGRESS
    assert not ids_of(school.est)
    response = admin_client.post(step1, {"action": "validate"})
    assert response["Location"] == reverse("pronote:step", args=[session.pk, 2])


def test_it_says_the_data_changed_when_a_step_meets_an_integrity_error(
    admin_client, school, monkeypatch
):
    """Another administrator (or a directory import) wrote the same accounts at the same
    moment: a unique or foreign key refused at the commit."""
    from django.db import IntegrityError

    error = IntegrityError("duplicate key value violates unique constraint")
    response, session, step1 = _validate_refused(admin_client, school, monkeypatch, error)
    assert response.status_code == 200
    text = page_text(response)
    assert "Les données ont changé pendant l'enregistrement (un autre administrateur" in text
    assert "Rechargez la page pour voir les données à jour, puis recommencez." in text
    assert session.current_step == 1 and not ids_of(school.est)
    assert admin_client.post(step1, {"action": "validate"})["Location"] == reverse(
        "pronote:step", args=[session.pk, 2]
    )


def test_it_shows_the_step_reached_when_another_tab_validated_it_meanwhile(
    admin_client, school, monkeypatch
):
    """The integrity error came from the same step validated in a second tab: its outcome,
    not an error."""
    from django.db import IntegrityError

    session, step1 = at_step_1(admin_client, school)
    real = steps_module.validate_step

    def twice(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # the other tab, committed
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("socle.pronote.views.wizard.validate_step", twice)
    response = admin_client.post(step1, {"action": "validate"}, follow=True)
    text = page_text(response)
    assert "L'étape 1/6 était déjà validée (double clic, ou un autre onglet)" in text
    assert "Étape 2/6" in text


def test_it_logs_an_unexpected_database_error_and_says_so_without_the_500_page(
    admin_client, school, monkeypatch, caplog
):
    from django.db import ProgrammingError

    error = ProgrammingError("column pronote_importrow.nonesuch does not exist")
    response, session, _step1 = _validate_refused(admin_client, school, monkeypatch, error)
    assert response.status_code == 200
    assert "Erreur inattendue de la base de données : l'import n'a pas changé" in page_text(
        response
    )
    assert session.current_step == 1
    logged = [r for r in caplog.records if r.name == "socle.pronote" and r.exc_info]
    assert logged and "nonesuch" in str(logged[0].exc_info[1])


def test_it_says_so_when_interrupting_is_cut_short(admin_client, school, monkeypatch):
    session, step1 = at_step_1(admin_client, school)
    monkeypatch.setattr(
        steps_module.journal,
        "import_interrupted",
        _refuses("terminating connection due to administrator command"),
    )
    response = admin_client.post(step1, {"action": "interrupt"})
    assert response.status_code == 503
    text = page_text(response)
    assert "(connexion au serveur de base de données perdue" in text
    assert "il reprendra à l'étape 1/6" in text
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS  # rolled back: still to be interrupted


def _finished(admin_client, school) -> ImportSession:  # type: ignore[no-untyped-def]
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "interrupt"})
    session.refresh_from_db()
    assert not session.is_open
    return session


@pytest.mark.parametrize(
    ("page", "module", "function"),
    [
        ("pronote:final", "socle.pronote.views.wizard", "step_summaries"),
        ("pronote:report", "socle.pronote.views.wizard", "report_csv"),
    ],
)
def test_it_says_so_when_the_final_page_or_the_report_cannot_be_read(
    admin_client, school, monkeypatch, page, module, function
):
    """Both only read: a statement timeout on a large import, a connection lost."""
    session = _finished(admin_client, school)
    monkeypatch.setattr(
        f"{module}.{function}", _refuses("canceling statement due to statement timeout")
    )
    response = admin_client.get(reverse(page, args=[session.pk]))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    text = page_text(response)
    assert "(délai dépassé sur le serveur de base de données" in text
    assert "l'import n'a pas changé, ses étapes validées restent enregistrées" in text
    monkeypatch.undo()
    assert admin_client.get(reverse(page, args=[session.pk])).status_code == 200
