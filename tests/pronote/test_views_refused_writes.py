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
        and "rien n'a été enregistré. Réessayez plus tard" in text
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
    assert "(plus de place sur le disque) : rien n'a été enregistré" in text
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
    assert "(plus de place sur le disque) : rien n'a été enregistré" in text
    assert "Réessayer" in text
    monkeypatch.undo()
    assert "1 enseignant reconnu" in page_text(admin_client.get(step1))
