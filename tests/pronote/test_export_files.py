"""``pronote_export`` writes its files whole or not at all: a full disk, a folder that refuses the
file or Ctrl-C leave the previous file as it was, no hidden leftover, and nothing recorded (no
trace « Export pour PRONOTE », no fixed username mode) for a file that was never written."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from socle.core import files
from socle.portal.models import Trace
from tests.core.disk import full_disk
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


def test_a_stop_once_the_files_are_in_place_says_they_are_written(
    tmp_path, ent_key, monkeypatch
) -> None:
    """Ctrl-C (or a refused trace) after the rename said « Aucun fichier n'a été écrit ni
    remplacé », the files written and the export recorded."""
    from socle.pronote.management.commands import pronote_export

    school = School()
    out = tmp_path / "out"
    out.mkdir()

    def ctrl_c(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pronote_export.journal, "exported", ctrl_c)
    said = _interrupted(_key(tmp_path, ent_key), out, school.est.uai)
    target = out / f"RapprochementSSO_{school.est.uai}.xml"
    assert target.is_file()
    assert said == (f"Interrompu. L'export est enregistré et ses fichiers sont écrits : {target}.")


def test_a_stop_between_two_renames_names_the_files_written(tmp_path, ent_key, monkeypatch) -> None:
    school = School()
    second = make_establishment(name="Lycée Victor Hugo")
    make_person("Zoé", "Lycée", establishment=second)
    out = tmp_path / "exports"
    real = files.PendingFile.commit
    calls: list[int] = []

    def second_stops(self: files.PendingFile) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(self)

    monkeypatch.setattr(files.PendingFile, "commit", second_stops)
    said = _interrupted(_key(tmp_path, ent_key), out, school.est.uai, second.uai)
    written = sorted(out.iterdir())
    assert len(written) == 1
    assert said == (
        f"Interrompu. L'export est enregistré mais seuls ces fichiers sont écrits : {written[0]} ; "
        "relancez la même commande pour écrire les autres."
    )
