"""``pronote_export`` into a target it writes directly (a device, a named pipe, a file in a
folder where no temporary file can be made): the data goes there only once the export's records
are made, as a rename would, so a refused record leaves the target untouched; a write that fails
says the target may hold part of the file and records nothing. And the trace « Export pour
PRONOTE » is part of the export's transaction with ``SOCLE_TRACES_DEFERRED=false`` too."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from socle.directory.models import Establishment
from socle.portal import trace_buffer
from socle.portal.models import Service, Trace
from tests.core.disk import no_temporary_file
from tests.portal.test_trace_buffer import deferred  # noqa: F401  (fixture)
from tests.pronote.helpers import School
from tests.pronote.test_export_files import _key


def _export(key: str, out: Path, uai: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(
        "pronote_export", "--uai", uai, "--public-key", key, "--partner-id", "P-1",
        "--out", str(out), stdout=stdout, stderr=stderr,
    )  # fmt: skip
    return stdout.getvalue(), stderr.getvalue()


def _recorded(establishment: Establishment) -> bool:
    """Whether the export of ``establishment`` is recorded: trace, uids date and modes agree."""
    traced = Trace.objects.filter(event="pronote_export", uai=establishment.uai).exists()
    establishment.refresh_from_db()
    dated = establishment.pronote_uids_exported_at is not None
    assert traced == dated
    return traced


def _database_full(*_args: object, **_kwargs: object) -> None:
    raise OperationalError("database or disk is full")


class _Pipe:
    """A named pipe with a reader that never blocks."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "pipe"
        os.mkfifo(self.path)
        self._reader = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)

    def read(self) -> bytes:
        chunks = []
        while True:
            try:
                chunk = os.read(self._reader, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        os.close(self._reader)


@pytest.fixture
def pipe(tmp_path: Path) -> Any:
    made = _Pipe(tmp_path)
    yield made
    made.close()


def test_it_writes_into_a_pipe_only_once_the_export_is_recorded(
    tmp_path, ent_key, pipe, django_capture_on_commit_callbacks
) -> None:
    school = School()
    with django_capture_on_commit_callbacks(execute=True):
        printed, summary = _export(_key(tmp_path, ent_key), pipe.path, school.est.uai)
    assert pipe.read().startswith(b"<?xml")  # the file alone: the summary went to stderr
    assert printed == ""
    assert f"Fichier chiffré pour Index Education écrit : {pipe.path}." in summary
    assert _recorded(school.est)


def test_a_refused_record_writes_nothing_into_the_pipe(
    tmp_path, ent_key, pipe, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """The pipe was written when the file was prepared, before the records: a database that
    refused them left the file read by the other end, and the command said « Aucun fichier n'a
    été écrit ni remplacé »."""
    from socle.pronote.export import service as export_service

    school = School()
    monkeypatch.setattr(export_service.journal, "exported", _database_full)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError) as caught:
        _export(_key(tmp_path, ent_key), pipe.path, school.est.uai)
    assert str(caught.value).endswith(
        "Aucun fichier n'a été écrit ni remplacé : relancez la même commande."
    )
    assert pipe.read() == b""
    assert not _recorded(school.est)


def test_a_device_that_refuses_the_file_records_nothing_and_says_it_may_hold_part_of_it(
    tmp_path, ent_key, django_capture_on_commit_callbacks
) -> None:
    school = School()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError) as caught:
        _export(_key(tmp_path, ent_key), Path("/dev/full"), school.est.uai)
    assert str(caught.value) == (
        "/dev/full : écriture impossible (plus de place sur le disque). Peut-être écrit en "
        "partie, et son export non enregistré : /dev/full ; ne l'importez pas dans PRONOTE. "
        "Aucun fichier n'a été écrit en entier : relancez la même commande."
    )
    assert not _recorded(school.est)
    assert not Service.objects.filter(usernames_sent=True).exists()


def test_a_file_written_in_place_is_untouched_when_the_record_is_refused(
    tmp_path, ent_key, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from socle.pronote.export import service as export_service

    school = School()
    out = tmp_path / "export.xml"
    out.write_bytes(b"the file of last September")
    no_temporary_file(monkeypatch)
    monkeypatch.setattr(export_service.journal, "exported", _database_full)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError):
        _export(_key(tmp_path, ent_key), out, school.est.uai)
    assert out.read_bytes() == b"the file of last September"
    assert not _recorded(school.est)


def test_a_file_written_in_place_is_written_and_recorded(
    tmp_path, ent_key, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    school = School()
    out = tmp_path / "export.xml"
    out.write_bytes(b"the file of last September, longer than nothing" * 1000)
    no_temporary_file(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        printed, _summary = _export(_key(tmp_path, ent_key), out, school.est.uai)
    assert out.read_bytes().startswith(b"<?xml")
    assert b"September" not in out.read_bytes()  # emptied first, not overwritten in part
    assert f"écrit : {out}." in printed
    assert _recorded(school.est)


def test_a_trace_the_database_refuses_rolls_the_export_back_when_traces_are_not_deferred(
    tmp_path, ent_key, monkeypatch, settings, django_capture_on_commit_callbacks
) -> None:
    """With ``SOCLE_TRACES_DEFERRED=false`` the trace was saved after the commit: refused, it
    left the username modes and the uids' date committed and the file written, while the command
    said the export was not recorded; a second run added a second trace. Now it is saved in the
    transaction: refused, nothing is written nor recorded, and the next run records once."""
    settings.SOCLE_TRACES_DEFERRED = False
    school = School()
    out, key = tmp_path / "export.xml", _key(tmp_path, ent_key)
    real_save = Trace.save

    def refused(self: Trace, *args: Any, **kwargs: Any) -> None:
        if self.event == "pronote_export":
            raise OperationalError("database or disk is full")
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(Trace, "save", refused)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError) as caught:
        _export(key, out, school.est.uai)
    assert str(caught.value).endswith(
        "impossible : plus de place sur le disque. Aucun fichier n'a été écrit ni remplacé : "
        "relancez la même commande."
    )
    assert not out.exists()
    assert not _recorded(school.est)
    assert not Service.objects.filter(usernames_sent=True).exists()
    monkeypatch.setattr(Trace, "save", real_save)
    with django_capture_on_commit_callbacks(execute=True):
        _export(key, out, school.est.uai)
    assert Trace.objects.filter(event="pronote_export").count() == 1


@pytest.mark.usefixtures("deferred")
def test_deferred_traces_are_queued_once_the_export_commits(
    tmp_path, ent_key, django_capture_on_commit_callbacks
) -> None:
    school = School()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _export(_key(tmp_path, ent_key), tmp_path / "export.xml", school.est.uai)
    assert not Trace.objects.filter(event="pronote_export").exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    trace_buffer.flush()
    assert Trace.objects.filter(event="pronote_export", uai=school.est.uai).count() == 1
