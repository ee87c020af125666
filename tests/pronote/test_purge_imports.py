"""``socle pronote_purge_imports``: old import sessions go, the newest of each school stays, and
so does the last that wrote identifiers (the summary line names it)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from socle.directory.models import Establishment
from socle.pronote.models import (
    FileFormat,
    ImportMode,
    ImportRow,
    ImportSession,
    ImportStep,
    PronoteIdentity,
)
from tests.factories import make_establishment, make_person, make_pronote_identity


def make_session(school: Establishment, days_ago: int, rows: int = 2) -> ImportSession:
    session = ImportSession.objects.create(
        establishment=school,
        mode=ImportMode.COMPLET,
        file_format=FileFormat.XML,
        created_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    for i in range(rows):
        ImportRow.objects.create(session=session, category="eleve", position=i, pronote_id=f"P{i}")
    return session


def purge(*args: str) -> str:
    out = StringIO()
    call_command("pronote_purge_imports", *args, stdout=out)
    return out.getvalue()


def test_it_deletes_old_imports_and_keeps_the_newest_of_each_school() -> None:
    school, other = make_establishment("0312609T"), make_establishment("0310001H")
    ancient = make_session(school, 400)
    old = make_session(school, 200)
    recent = make_session(school, 10)
    only_one = make_session(other, 500)  # old, but the newest of its school
    assert "2 import(s)" in purge()
    assert set(ImportSession.objects.values_list("pk", flat=True)) == {recent.pk, only_one.pk}
    assert not ImportRow.objects.filter(session__in=[ancient.pk, old.pk]).exists()
    assert ImportRow.objects.filter(session=recent).count() == 2


def test_it_never_touches_the_identifiers() -> None:
    school = make_establishment("0312609T")
    person = make_person(establishment=school)
    make_pronote_identity(person, school, "ELV1")
    make_session(school, 400)
    make_session(school, 1)
    purge("--days", "30")
    assert PronoteIdentity.objects.filter(pronote_id="ELV1").exists()


def test_a_dry_run_only_counts() -> None:
    school = make_establishment("0312609T")
    make_session(school, 400)
    make_session(school, 1)
    assert "1 import(s) PRONOTE de plus de 90 jours seraient supprimés" in purge("--dry-run")
    assert ImportSession.objects.count() == 2


def test_it_refuses_a_nonsense_retention() -> None:
    with pytest.raises(CommandError, match="au moins 1"):
        purge("--days", "0")


def test_it_keeps_the_last_import_that_wrote_identifiers() -> None:
    """A newer import that validated only an empty step does not take the place of the one the
    summary line names (« Dernier import fait le … »)."""
    school = make_establishment("0312609T")
    ancient = make_session(school, 400)
    writer = make_session(school, 300)
    ImportStep.objects.create(
        session=writer, number=2, category="eleve", state="validated", recognised=2,
        validated_at=writer.created_at,
    )  # fmt: skip
    empty = make_session(school, 200, rows=0)
    ImportStep.objects.create(
        session=empty, number=1, category="enseignant", state="validated",
        validated_at=empty.created_at,
    )  # fmt: skip
    newest = make_session(school, 100, rows=0)
    assert "2 import(s)" in purge()
    assert set(ImportSession.objects.values_list("pk", flat=True)) == {writer.pk, newest.pk}
    assert not ImportSession.objects.filter(pk__in=[ancient.pk, empty.pk]).exists()
