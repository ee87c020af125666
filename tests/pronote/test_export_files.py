"""``pronote_export`` writes its files whole or not at all: a full disk, a folder that refuses the
file or Ctrl-C leave the previous file as it was, no hidden leftover, and nothing recorded (no
trace « Export pour PRONOTE », no fixed username mode) for a file that was never written."""

from __future__ import annotations

import errno
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from socle.core import files
from socle.directory.models import Establishment
from socle.portal.models import Service, Trace
from tests.core.disk import full_disk, no_temporary_file
from tests.factories import make_establishment, make_person
from tests.pronote.helpers import School
from tests.pronote.test_export import ssh2_public_key


def _key(tmp_path: Path, ent_key: Any) -> str:
    path = tmp_path / "keys" / "index.pub"
    path.parent.mkdir()
    path.write_bytes(ssh2_public_key(ent_key))
    return str(path)


def _export(key: str, out: Path, *uais: str) -> str:
    stdout = io.StringIO()
    call_command(
        "pronote_export", "--uai", ",".join(uais), "--public-key", key, "--partner-id", "P-1",
        "--out", str(out), stdout=stdout,
    )  # fmt: skip
    return stdout.getvalue()


def _interrupted(key: str, out: Path, *uais: str) -> str:
    """``pronote_export`` stopped (Ctrl-C): what it printed on stderr."""
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "pronote_export", "--uai", ",".join(uais), "--public-key", key, "--partner-id",
            "P-1", "--out", str(out), stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    return err.getvalue().strip()


def _interrupt_on_write(monkeypatch: pytest.MonkeyPatch) -> None:
    def fsync(_fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", fsync)


def test_it_leaves_the_previous_file_whole_when_the_disk_is_full(
    tmp_path, ent_key, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    school = School()
    key = _key(tmp_path, ent_key)
    out = tmp_path / "out" / "export.xml"
    out.parent.mkdir()
    out.write_bytes(b"the file of last September")
    full_disk(monkeypatch, out.parent)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError) as caught:
        _export(key, out, school.est.uai)
    assert str(caught.value) == (
        f"{out} : écriture impossible (plus de place sur le disque). Aucun fichier n'a été écrit "
        "ni remplacé."
    )
    assert out.read_bytes() == b"the file of last September"
    assert sorted(p.name for p in out.parent.iterdir()) == ["export.xml"]  # no leftover
    assert not Trace.objects.filter(event="pronote_export").exists()
    school.est.refresh_from_db()
    assert school.est.pronote_uids_exported_at is None  # nothing handed over to PRONOTE


def test_it_writes_no_file_of_several_when_one_cannot_be_written(
    tmp_path, ent_key, monkeypatch
) -> None:
    school = School()
    second = make_establishment(name="Lycée Victor Hugo")
    make_person("Zoé", "Lycée", establishment=second)
    out = tmp_path / "exports"
    out.mkdir()
    full_disk(monkeypatch, out, room=1000)  # not enough for two files
    with pytest.raises(CommandError, match="Aucun fichier n'a été écrit ni remplacé"):
        _export(_key(tmp_path, ent_key), out, school.est.uai, second.uai)
    assert list(out.iterdir()) == []
    assert not Trace.objects.filter(event="pronote_export").exists()


def test_an_interrupted_export_leaves_no_partial_file(tmp_path, ent_key, monkeypatch) -> None:
    school = School()
    out = tmp_path / "out"
    out.mkdir()
    _interrupt_on_write(monkeypatch)
    said = _interrupted(_key(tmp_path, ent_key), out, school.est.uai)
    assert list(out.iterdir()) == []
    assert said == (
        "Interrompu. Aucun fichier n'a été écrit ni remplacé : relancez la même commande."
    )


def test_it_traces_the_export_once_the_file_is_written(
    tmp_path, ent_key, django_capture_on_commit_callbacks
) -> None:
    school = School()
    out = tmp_path / "export.xml"
    out.write_bytes(b"old")
    with django_capture_on_commit_callbacks(execute=True):
        printed = _export(_key(tmp_path, ent_key), out, school.est.uai)
    assert f"écrit : {out}." in printed
    assert out.read_bytes().startswith(b"<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.xml", "keys"]
    assert Trace.objects.filter(event="pronote_export", uai=school.est.uai).count() == 1
    school.est.refresh_from_db()
    assert school.est.pronote_uids_exported_at is not None


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_it_shows_the_files_built_on_a_terminal_when_there_are_several(tmp_path, ent_key) -> None:
    school = School()
    second = make_establishment(name="Lycée Victor Hugo")
    make_person("Zoé", "Lycée", establishment=second)
    err = _Terminal()
    call_command(
        "pronote_export", "--uai", f"{school.est.uai},{second.uai}", "--public-key",
        _key(tmp_path, ent_key), "--partner-id", "P-1", "--out", str(tmp_path / "out"),
        stdout=io.StringIO(), stderr=err, force_color=True,
    )  # fmt: skip
    assert err.getvalue() == (
        "\rFichiers chiffrés : 0/2\x1b[K\rFichiers chiffrés : 1/2\x1b[K"
        "\rFichiers chiffrés : 2/2\x1b[K\n"  # ended as the other commands end theirs
    )


def _exported(*establishments: Establishment) -> list[str]:
    """The UAIs among ``establishments`` whose export is recorded: trace, uids date, both."""
    traced = set(Trace.objects.filter(event="pronote_export").values_list("uai", flat=True))
    dated = set(
        Establishment.objects.filter(pronote_uids_exported_at__isnull=False).values_list(
            "uai", flat=True
        )
    )
    for establishment in establishments:
        assert (establishment.uai in traced) == (establishment.uai in dated), establishment.uai
    return sorted(traced)


def _two_schools() -> tuple[Establishment, Establishment]:
    school = School()
    second = make_establishment(name="Lycée Victor Hugo")
    make_person("Zoé", "Lycée", establishment=second)
    return school.est, second


def _stop_at_rename(monkeypatch: pytest.MonkeyPatch, number: int, stop: BaseException) -> None:
    """The ``number``-th rename of a temporary file onto its target raises ``stop``."""
    real = files.PendingFile.commit
    calls: list[int] = []

    def commit(self: files.PendingFile) -> None:
        calls.append(1)
        if len(calls) == number:
            raise stop
        real(self)

    monkeypatch.setattr(files.PendingFile, "commit", commit)


def test_a_refused_trace_leaves_no_file_and_nothing_recorded(
    tmp_path, ent_key, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """The trace was written after the renames, outside the transaction of the username
    modes: refused, it left the files written and the modes fixed, with no trace. Now it is
    recorded with them, before any file is put in place."""
    from socle.pronote.export import service as export_service

    first, second = _two_schools()
    out = tmp_path / "exports"
    out.mkdir()
    (out / f"RapprochementSSO_{first.uai}.xml").write_bytes(b"last September's")

    def full(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(export_service.journal, "exported", full)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError) as caught:
        _export(_key(tmp_path, ent_key), out, first.uai, second.uai)
    assert str(caught.value).endswith(
        "impossible : plus de place sur le disque. Aucun fichier n'a été écrit ni remplacé : "
        "relancez la même commande."
    )
    assert [p.name for p in out.iterdir()] == [f"RapprochementSSO_{first.uai}.xml"]
    assert (out / f"RapprochementSSO_{first.uai}.xml").read_bytes() == b"last September's"
    assert _exported(first, second) == []
    assert not Service.objects.filter(usernames_sent=True).exists()


def test_a_refused_rename_records_the_files_in_place_only(
    tmp_path, ent_key, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """The username modes and uids dates were committed before the renames: a refused rename
    left them recorded for a file never written (and the export traced for none)."""
    first, second = _two_schools()
    out = tmp_path / "exports"
    _stop_at_rename(monkeypatch, 2, PermissionError(errno.EACCES, "Permission denied"))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError) as caught:
        _export(_key(tmp_path, ent_key), out, first.uai, second.uai)
    written = out / f"RapprochementSSO_{first.uai}.xml"
    assert str(caught.value) == (
        f"{out / f'RapprochementSSO_{second.uai}.xml'} : écriture impossible (permission "
        f"refusée). Seuls ces fichiers sont écrits, et l'export n'est enregistré que pour eux : "
        f"{written} ; relancez la même commande pour écrire les autres."
    )
    assert sorted(out.iterdir()) == [written]  # the other's temporary file removed
    assert _exported(first, second) == [first.uai]


def test_a_refused_first_rename_records_nothing(
    tmp_path, ent_key, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    school = School()
    out = tmp_path / "export.xml"
    _stop_at_rename(monkeypatch, 1, PermissionError(errno.EACCES, "Permission denied"))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError) as caught:
        _export(_key(tmp_path, ent_key), out, school.est.uai)
    assert str(caught.value) == (
        f"{out} : écriture impossible (permission refusée). Aucun fichier n'a été écrit ni "
        "remplacé : relancez la même commande."
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys"]
    assert _exported(school.est) == []
    assert not Service.objects.filter(usernames_sent=True).exists()


def test_a_stop_between_two_renames_records_the_files_written(
    tmp_path, ent_key, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    first, second = _two_schools()
    out = tmp_path / "exports"
    _stop_at_rename(monkeypatch, 2, KeyboardInterrupt())
    with django_capture_on_commit_callbacks(execute=True):
        said = _interrupted(_key(tmp_path, ent_key), out, first.uai, second.uai)
    written = out / f"RapprochementSSO_{first.uai}.xml"
    assert sorted(out.iterdir()) == [written]
    assert said == (
        "Interrompu. Seuls ces fichiers sont écrits, et l'export n'est enregistré que pour eux : "
        f"{written} ; relancez la même commande pour écrire les autres."
    )
    assert _exported(first, second) == [first.uai]


def test_a_stop_as_the_last_rename_returns_records_every_file(
    tmp_path, ent_key, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """Ctrl-C once the file is renamed, before the command knows it: the file is in place (its
    temporary file gone), so its export is recorded."""
    first, second = _two_schools()
    out = tmp_path / "exports"
    real = files.PendingFile.commit
    calls: list[int] = []

    def renamed_then_stopped(self: files.PendingFile) -> None:
        real(self)
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(files.PendingFile, "commit", renamed_then_stopped)
    with django_capture_on_commit_callbacks(execute=True):
        said = _interrupted(_key(tmp_path, ent_key), out, first.uai, second.uai)
    targets = [out / f"RapprochementSSO_{uai}.xml" for uai in (first.uai, second.uai)]
    assert sorted(out.iterdir()) == sorted(targets)
    assert said == (
        "Interrompu. L'export est enregistré et ses fichiers sont écrits : "
        f"{targets[0]}, {targets[1]}."
    )
    assert _exported(first, second) == sorted([first.uai, second.uai])


def test_it_says_so_when_the_files_are_written_but_the_export_not_recorded(
    tmp_path, ent_key, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """The one state left: the database refusing the records after the renames (here, those
    of the files in place once Ctrl-C stopped the second rename)."""
    from socle.pronote.management.commands import pronote_export

    first, second = _two_schools()
    out = tmp_path / "exports"
    _stop_at_rename(monkeypatch, 2, KeyboardInterrupt())
    real = pronote_export.record_export
    calls: list[int] = []

    def refused_again(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) > 2:  # the records made again for the files in place
            raise OperationalError("database or disk is full")
        real(*args, **kwargs)

    monkeypatch.setattr(pronote_export, "record_export", refused_again)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError) as caught:
        _export(_key(tmp_path, ent_key), out, first.uai, second.uai)
    written = out / f"RapprochementSSO_{first.uai}.xml"
    assert sorted(out.iterdir()) == [written]
    assert str(caught.value).endswith(
        "impossible : plus de place sur le disque. Ces fichiers sont écrits mais l'export "
        f"n'est pas enregistré : {written} ; relancez la même commande pour l'enregistrer."
    )
    assert _exported(first, second) == []


def test_it_says_before_writing_a_file_in_place_that_it_is_not_replaced_whole(
    tmp_path, ent_key, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """A file prepared by an administrator in a folder where the user may create none: written
    in place, and said first, with the folder and what to do."""
    school = School()
    key = _key(tmp_path, ent_key)
    out = tmp_path / "export.xml"
    out.write_bytes(b"the file of last September")
    no_temporary_file(monkeypatch)
    err = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "pronote_export", "--uai", school.est.uai, "--public-key", key, "--partner-id",
            "P-1", "--out", str(out), stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    assert err.getvalue().startswith(
        f"Attention : impossible de créer un fichier dans le dossier {tmp_path} (permission "
        "refusée). export.xml y sera donc réécrit directement, et non remplacé d'un seul coup"
    )
    assert out.read_bytes() != b"the file of last September"
    assert Trace.objects.filter(event="pronote_export").count() == 1
