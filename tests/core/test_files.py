"""``socle.core.files``: a file written whole beside its target, then renamed onto it."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from socle.core import files
from socle.core.files import PendingFile, write_file
from tests.core.disk import no_temporary_file


def test_it_replaces_the_file_only_once_written(tmp_path: Path) -> None:
    target = tmp_path / "out.xml"
    target.write_bytes(b"old")
    pending = PendingFile(target, b"new")
    assert target.read_bytes() == b"old"
    assert pending.path is not None and pending.path.name.startswith(".out.xml.")
    pending.commit()
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xml"]


def test_it_leaves_the_target_and_no_leftover_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")

    def full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OSError):
        write_file(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_it_gives_the_umask_mode_or_600_when_private(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_file(tmp_path / "shared.csv", b"x")
        write_file(tmp_path / "private.csv", b"x", private=True)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "shared.csv").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "private.csv").stat().st_mode) == 0o600


def test_it_writes_into_a_named_pipe_instead_of_replacing_it(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_file(pipe, b"data")
        assert os.read(reader, 10) == b"data"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_it_writes_in_place_a_file_it_may_write_in_a_folder_it_may_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report file prepared by an administrator in a folder of theirs: the user cannot create
    the temporary file beside it, but may still write the file itself, as before."""
    target = tmp_path / "rapport.csv"
    target.write_bytes(b"old")
    no_temporary_file(monkeypatch)
    write_file(target, b"new")
    assert target.read_bytes() == b"new"
    with pytest.raises(PermissionError):
        write_file(tmp_path / "absent.csv", b"new")  # no file to write in: refused as before


def test_it_says_before_writing_in_place_which_folder_refused_and_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written in place, the file is not replaced whole: the user is told so, with the folder,
    before anything is written (the file still holds its former content then)."""
    target = tmp_path / "rapport.csv"
    target.write_bytes(b"old")
    no_temporary_file(monkeypatch)
    told: list[tuple[str, bytes]] = []
    write_file(target, b"new", notify=lambda text: told.append((text, target.read_bytes())))
    ((notice, content_then),) = told
    assert content_then == b"old" and target.read_bytes() == b"new"
    assert notice == (
        f"Attention : impossible de créer un fichier dans le dossier {tmp_path} (permission "
        "refusée). rapport.csv y sera donc réécrit directement, et non remplacé d'un seul coup : "
        "une écriture interrompue (Ctrl-C, disque plein) le laisserait incomplet. Pour une "
        "écriture sûre, faites autoriser l'écriture dans ce dossier par son propriétaire, ou "
        "écrivez le fichier dans un autre dossier."
    )
    assert PendingFile(target, b"again").notice == notice


def test_it_says_nothing_of_a_file_replaced_whole_nor_of_a_pipe(tmp_path: Path) -> None:
    target = tmp_path / "rapport.csv"
    target.write_bytes(b"old")
    told: list[str] = []
    write_file(target, b"new", notify=told.append)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_file(pipe, b"data", notify=told.append)  # a pipe is meant to be written into
    finally:
        os.close(reader)
    assert told == [] and target.read_bytes() == b"new"


def test_it_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    """A report an administrator made readable by its owner only (it names pupils and their
    birth dates) stays so when a run replaces it, as when it was written in place."""
    target = tmp_path / "rapport.csv"
    target.write_bytes(b"old")
    target.chmod(0o600)
    previous = os.umask(0o022)
    try:
        write_file(target, b"new")
    finally:
        os.umask(previous)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_the_temporary_file_is_never_wider_than_the_file_it_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "rapport.csv"
    target.write_bytes(b"old")
    target.chmod(0o600)
    seen: list[int] = []
    real_fsync = os.fsync

    def watch(fd: int) -> None:  # the data is in the temporary file, not renamed yet
        seen.extend(stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob(".*.partial"))
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", watch)
    previous = os.umask(0o022)
    try:
        pending = PendingFile(target, b"new")
    finally:
        os.umask(previous)
    pending.discard()
    assert seen == [0o600]


def test_a_new_file_still_gets_the_umask_mode_and_a_replaced_one_its_own(tmp_path: Path) -> None:
    shared = tmp_path / "shared.csv"
    shared.write_bytes(b"old")
    shared.chmod(0o640)
    previous = os.umask(0o027)
    try:
        write_file(shared, b"new")
        write_file(tmp_path / "new.csv", b"new")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640


def test_a_target_that_is_a_link_is_replaced_never_written_through(tmp_path: Path) -> None:
    """A link planted where a report goes (a shared folder) is replaced by the new file: the file
    it points at is neither written nor truncated."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"someone's file")
    target = tmp_path / "rapport.csv"
    target.symlink_to(victim)
    write_file(target, b"report")
    assert victim.read_bytes() == b"someone's file"
    assert not target.is_symlink() and target.read_bytes() == b"report"


def test_a_private_file_is_new_mode_600_and_replaced_keeps_the_mode_it_was_given(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "shared.csv"
    shared.write_bytes(b"old")
    shared.chmod(0o640)  # shared with a group on purpose
    previous = os.umask(0o022)
    try:
        write_file(shared, b"new", private=True)
        write_file(tmp_path / "new.csv", b"new", private=True)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o600


def test_it_removes_the_old_leftovers_of_a_killed_process_and_nothing_else(
    tmp_path: Path,
) -> None:
    old = time.time() - 2 * 3600
    target = tmp_path / "rapport.csv"
    leftover = tmp_path / ".rapport.csv.0a1b2c3d4e5f6a7b.partial"
    recent = tmp_path / ".rapport.csv.1111222233334444.partial"  # a concurrent writer's
    other = tmp_path / ".autre.csv.3333444455556666.partial"
    mine = tmp_path / ".rapport.csv.notes.partial"  # not a name PendingFile gives
    elsewhere = tmp_path / "elsewhere.txt"
    link = tmp_path / ".rapport.csv.5555666677778888.partial"
    someone_elses = tmp_path / ".rapport.csv.7777888899990000.partial"
    for path in (leftover, recent, other, mine, elsewhere, someone_elses):
        path.write_bytes(b"x")
    link.symlink_to(elsewhere)
    if os.geteuid() == 0:  # only root may give a file away
        os.chown(someone_elses, os.geteuid() + 4242, -1)
    else:
        someone_elses.unlink()
    for path in (leftover, other, mine, elsewhere, someone_elses):
        if path.exists():
            os.utime(path, (old, old))
    os.utime(link, (old, old), follow_symlinks=False)
    write_file(target, b"new")
    kept = [recent, other, mine, elsewhere, link, someone_elses, target]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in kept if p.is_symlink() or p.exists()
    )
    assert elsewhere.read_bytes() == b"x"


def test_it_writes_the_file_even_when_the_leftovers_cannot_be_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    leftover = tmp_path / ".out.csv.0a1b2c3d4e5f6a7b.partial"
    leftover.write_bytes(b"x")
    os.utime(leftover, (0, 0))

    def refused(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(files.os, "unlink", refused)
    write_file(tmp_path / "out.csv", b"new")
    assert (tmp_path / "out.csv").read_bytes() == b"new"
    assert leftover.exists()


def test_every_writer_names_its_temporary_file_alike_so_every_leftover_is_removed(
    tmp_path: Path,
) -> None:
    """``activation_letters`` and ``socle backup`` (then through a reserved file) named theirs
    ``.<file>.<16 hex>.partial`` or ``.tmp``, which the clean-up of :class:`PendingFile`
    (``.<file>.<8 hex>.partial``) did not recognise: a killed run's letters, codes included,
    stayed beside ``--out`` for ever. One name now, and both clean up before writing."""
    old = time.time() - 2 * 3600
    target = tmp_path / "fiches.pdf"
    pending = PendingFile(target, b"x")
    reserved = _reserved(target)
    assert pending.path is not None
    assert re.fullmatch(r"\.fiches\.pdf\.[0-9a-f]{16}\.partial", pending.path.name)
    assert re.fullmatch(r"\.fiches\.pdf\.[0-9a-f]{16}\.partial", reserved.name)
    journal = tmp_path / f"{reserved.name}-journal"  # SQLite's, beside a killed backup's copy
    journal.write_bytes(b"x")
    for path in (pending.path, reserved, journal):
        os.utime(path, (old, old))
    write_file(target, b"letters")
    assert [p.name for p in tmp_path.iterdir()] == ["fiches.pdf"]
    for path in (pending.path, reserved, journal):
        path.write_bytes(b"x")
        os.utime(path, (old, old))
    fresh = _reserved(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["fiches.pdf", fresh.name])


def _reserved(target: Path) -> Path:
    """A temporary file of ``target`` as the writers create theirs (a killed run's), once
    the old leftovers removed, as they do."""
    files._remove_leftovers(target)
    path, fd = files._create_partial(target, 0o600)
    os.close(fd)
    return path


def test_it_writes_a_direct_target_only_at_commit_and_discard_leaves_it_untouched(
    tmp_path: Path,
) -> None:
    """A named pipe (or a device, ``/dev/stdout``) is opened when the file is prepared, so a
    target that cannot be written is refused then, but written only by ``commit``: a caller that
    records what it wrote (``pronote_export``) records first."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    try:
        pending = PendingFile(pipe, b"data")
        assert pending.direct and not pending.in_place()
        with pytest.raises(BlockingIOError):
            os.read(reader, 10)  # nothing written yet, the writer still open
        pending.discard()
        assert os.read(reader, 10) == b""  # closed, nothing written
        pending = PendingFile(pipe, b"data")
        pending.commit()
        assert pending.in_place() and not pending.partly_written()
        assert os.read(reader, 10) == b"data"
    finally:
        os.close(reader)


def test_a_direct_write_that_fails_is_told_partly_written(tmp_path: Path) -> None:
    pending = PendingFile(Path("/dev/full"), b"x" * 100_000)
    with pytest.raises(OSError):
        pending.commit()
    assert not pending.in_place() and pending.partly_written()
    with pytest.raises(IsADirectoryError):
        PendingFile(tmp_path, b"x")  # refused when prepared


def test_it_writes_through_dev_stdout_when_the_shell_sends_it_to_a_file(tmp_path: Path) -> None:
    """``--out /dev/stdout > report.csv``: /dev/stdout leads to a regular file, which must
    receive the data; renamed onto, the system's link would be replaced (run as root) or the
    data written beside the file the shell holds open."""
    out = tmp_path / "report.csv"
    code = (
        "from pathlib import Path; from socle.core.files import write_file, is_special; "
        "assert is_special(Path('/dev/stdout')); write_file(Path('/dev/stdout'), b'data\\n')"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with out.open("wb") as handle:
        subprocess.run([sys.executable, "-c", code], stdout=handle, check=True, env=env)
    assert out.read_bytes() == b"data\n"
    assert os.path.islink("/dev/stdout")
