"""``activation_letters``: the letters file in a shared folder, and the letters kept once the
codes they carry are renewed (``core.files.private_folder_beside``)."""

import csv
import io
import os
import re
import stat
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socle.core import files
from socle.directory import letters as letters_module
from socle.directory.activation import activation_redirect
from socle.directory.models import Establishment
from tests.directory.helpers import run
from tests.factories import make_establishment, make_person

COMMAND = "socle.directory.management.commands.activation_letters"


@pytest.fixture
def college() -> Establishment:
    college = make_establishment("0312609T", "Collège Jean Jaurès")
    make_person("Léo", "Petit", password=None, establishment=college, class_name="4A")
    return college


def _code_in(path: Path) -> str:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.DictReader(handle, delimiter=";"))["code_activation"]


def test_it_writes_the_letters_in_a_private_folder_another_user_cannot_swap(
    tmp_path: Path, college: Establishment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV and PDF writers open the file by its name: in a folder others may write in and
    without the sticky bit, a file created beside ``--out`` could be swapped for theirs before
    the writes (the codes written in it). The writes go through a mode-700 folder reached by
    its descriptor: a folder put in its place (here, between the creation and the writes) gets
    nothing."""
    out = tmp_path / "b.csv"
    seen: list[str] = []

    def swapped_then_written(letters: list[letters_module.Letter], path: Path) -> None:
        (name,) = [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
        seen.append(name)
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o700
        os.rename(tmp_path / name, tmp_path / "moved-away")
        (tmp_path / name).mkdir()  # the other user's folder, under the name
        letters_module.write_csv(letters, path)

    monkeypatch.setattr(f"{COMMAND}.write_csv", swapped_then_written)
    run("activation_letters", uai="0312609T", out=str(out))
    assert re.fullmatch(r"\.b\.csv\.[0-9a-f]{16}\.partial", seen[0])
    assert activation_redirect("leo.petit", _code_in(out), None)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert list((tmp_path / seen[0]).iterdir()) == []  # theirs: nothing written there


def test_it_keeps_the_letters_beside_out_when_the_rename_fails_after_the_codes_renewed(
    tmp_path: Path, college: Establishment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The codes are committed before the rename onto ``--out``: if it fails, the letters are
    the only copy of the valid codes. Kept under a visible name the clean-up of leftovers never
    removes (a hidden ``.partial`` was removed by a next run an hour later: with
    ``--only-new``, people whose codes were renewed would never get a letter)."""
    out = tmp_path / "b.csv"

    def refused(_source: object, _target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(f"{COMMAND}.put_in_place", refused)
    with pytest.raises(CommandError) as refusal:
        run("activation_letters", uai="0312609T", out=str(out))
    (kept,) = tmp_path.iterdir()
    assert re.fullmatch(r"b\.[0-9a-f]{16}\.csv", kept.name)
    assert str(kept) in str(refusal.value) and "codes renouvelés" in str(refusal.value)
    assert activation_redirect("leo.petit", _code_in(kept), None)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_it_names_the_kept_letters_after_a_ctrl_c_once_the_codes_renewed(
    tmp_path: Path, college: Establishment, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(_source: object, _target: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(f"{COMMAND}.put_in_place", interrupted)
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command(
            "activation_letters", uai="0312609T", out=str(tmp_path / "b.csv"),
            stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    assert stopped.value.code == 130
    (kept,) = tmp_path.iterdir()
    assert f"Les codes sont renouvelés : les fiches sont dans {kept}" in err.getvalue()
    assert activation_redirect("leo.petit", _code_in(kept), None)


def test_it_leaves_the_letters_in_their_folder_when_they_cannot_be_moved_out_either(
    tmp_path: Path, college: Establishment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both renames refused (the folder of ``--out`` no longer writable): the letters stay in
    their private folder, made read-only so that a later run's clean-up never empties it."""

    def refused(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(f"{COMMAND}.put_in_place", refused)
    monkeypatch.setattr(f"{COMMAND}.keep_beside", refused)
    out = tmp_path / "b.csv"
    with pytest.raises(CommandError) as refusal:
        run("activation_letters", uai="0312609T", out=str(out))
    (folder,) = tmp_path.iterdir()
    kept = folder / "b.csv"
    assert str(kept) in str(refusal.value)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o500
    old = time.time() - 2 * 3600
    os.utime(folder, (old, old))
    monkeypatch.undo()
    files.write_file(out, b"a later file")  # cleans up leftovers older than an hour
    try:
        assert activation_redirect("leo.petit", _code_in(kept), None)
    finally:
        folder.chmod(0o700)  # for pytest's clean-up of tmp_path


def test_it_says_to_copy_the_letters_left_in_their_read_only_folder_after_a_ctrl_c(
    tmp_path: Path, college: Establishment, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    def refused(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(f"{COMMAND}.put_in_place", interrupted)
    monkeypatch.setattr(f"{COMMAND}.keep_beside", refused)
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "activation_letters", uai="0312609T", out=str(tmp_path / "b.csv"),
            stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    monkeypatch.undo()
    (folder,) = tmp_path.iterdir()
    kept = folder / "b.csv"
    try:
        assert f"les fiches sont dans {kept} (dossier en lecture seule" in err.getvalue()
        assert activation_redirect("leo.petit", _code_in(kept), None)
    finally:
        folder.chmod(0o700)
