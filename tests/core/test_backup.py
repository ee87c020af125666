"""``socle backup``: a consistent copy of the SQLite database while it is written to."""

from __future__ import annotations

import os
import re
import shlex
import sqlite3
import stat
import threading
import time
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socle.core import backup as backup_module
from socle.core.backup import BackupError, backup_sqlite, pg_dump_command
from socle.core.management.commands import backup as backup_command
from tests.core.pipes import PipeReader


def make_wal_database(path: Path, rows: int = 3) -> sqlite3.Connection:
    """A WAL database as Socle opens it, with ``rows`` rows left in the WAL (no checkpoint):
    the connection stays open, so the file alone lacks them."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, login TEXT)")
    for number in range(rows):
        connection.execute("INSERT INTO person (login) VALUES (?)", (f"eleve{number}",))
    return connection


def logins(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT login FROM person ORDER BY id")]
    finally:
        connection.close()


def test_it_copies_what_is_still_in_the_wal(tmp_path: Path):
    live = make_wal_database(tmp_path / "socle.sqlite3")
    try:
        result = backup_sqlite(tmp_path / "socle.sqlite3", tmp_path / "copy.sqlite3")
    finally:
        live.close()
    assert logins(result.path) == ["eleve0", "eleve1", "eleve2"]
    assert result.size == result.path.stat().st_size > 0
    header = result.path.read_bytes()[18:20]
    assert header == b"\x01\x01"  # rollback journal: one self-contained file, no -wal needed
    assert not Path(f"{result.path}-wal").exists()


def test_it_writes_the_copy_for_its_owner_only(tmp_path: Path):
    make_wal_database(tmp_path / "socle.sqlite3").close()
    previous = os.umask(0o022)  # the usual umask, which alone would give 644
    try:
        result = backup_sqlite(tmp_path / "socle.sqlite3", tmp_path / "copy.sqlite3")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600


def test_it_copies_one_instant_while_a_writer_goes_on(tmp_path: Path):
    source = tmp_path / "socle.sqlite3"
    make_wal_database(source, rows=2000).close()
    stop = threading.Event()

    def write() -> None:
        writer = sqlite3.connect(source, isolation_level=None, timeout=20)
        while not stop.is_set():
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO person (login) VALUES ('a')")
            writer.execute("INSERT INTO person (login) VALUES ('b')")
            writer.execute("COMMIT")
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        for number in range(5):
            copy = backup_sqlite(source, tmp_path / f"copy{number}.sqlite3").path
            names = logins(copy)
            assert len(names) >= 2000
            assert names.count("a") == names.count("b")  # never half a transaction
    finally:
        stop.set()
        thread.join()


def test_it_replaces_an_older_copy_and_leaves_no_temporary_file(tmp_path: Path):
    make_wal_database(tmp_path / "socle.sqlite3").close()
    (tmp_path / "copy.sqlite3").write_text("last week's copy")
    backup_sqlite(tmp_path / "socle.sqlite3", tmp_path / "copy.sqlite3")
    assert logins(tmp_path / "copy.sqlite3") == ["eleve0", "eleve1", "eleve2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite3", "socle.sqlite3"]


@pytest.mark.parametrize("name", ["socle.sqlite3", "socle.sqlite3-wal", "."])
def test_it_refuses_to_write_over_the_database_or_into_a_folder(tmp_path: Path, name: str):
    make_wal_database(tmp_path / "socle.sqlite3").close()
    before = (tmp_path / "socle.sqlite3").read_bytes()
    with pytest.raises(BackupError):
        backup_sqlite(tmp_path / "socle.sqlite3", tmp_path / name)
    assert (tmp_path / "socle.sqlite3").read_bytes() == before


def test_it_says_when_the_folder_cannot_be_written(tmp_path: Path):
    make_wal_database(tmp_path / "socle.sqlite3").close()
    with pytest.raises(BackupError, match="Écriture de .* impossible"):
        backup_sqlite(tmp_path / "socle.sqlite3", tmp_path / "missing" / "copy.sqlite3")


def _fake_connection(monkeypatch: pytest.MonkeyPatch, vendor: str, **settings_dict: str) -> None:
    fake = SimpleNamespace(vendor=vendor, settings_dict=settings_dict)
    monkeypatch.setattr(backup_command, "connections", {"default": fake})


def test_the_command_copies_the_database_and_names_the_other_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings
):
    make_wal_database(tmp_path / "socle.sqlite3").close()
    _fake_connection(monkeypatch, "sqlite", NAME=str(tmp_path / "socle.sqlite3"))
    settings.SOCLE_SECRET_KEY_FILE = "/etc/socle/secret_key"
    settings.SOCLE_PRONOTE_PRIVATE_KEY = "/etc/socle/pronote.pem"
    settings.SOCLE_SECRET_KEY_FALLBACKS_FILE = "/etc/socle/former_keys"
    settings.SECRET_KEY_FALLBACKS = ["a former key read from that file"]
    settings.SOCLE_PRONOTE_FORMER_PRIVATE_KEYS = ["/etc/socle/pronote-2025.pem"]
    settings.SOCLE_DATA_DIR = tmp_path
    (tmp_path / "media" / "service-icons").mkdir(parents=True)  # left by a previous version
    out = StringIO()
    call_command("backup", str(tmp_path / "copy.sqlite3"), stdout=out)
    assert logins(tmp_path / "copy.sqlite3") == ["eleve0", "eleve1", "eleve2"]
    text = out.getvalue()
    assert f"copiée dans {tmp_path / 'copy.sqlite3'}" in text
    assert "clé secrète : /etc/socle/secret_key" in text
    assert "clé privée PRONOTE : /etc/socle/pronote.pem" in text
    assert "anciennes clés secrètes : /etc/socle/former_keys" in text
    assert "ancienne clé privée PRONOTE : /etc/socle/pronote-2025.pem" in text
    assert "media" not in text  # the services' icons are in the database


def test_the_command_refuses_the_live_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    make_wal_database(tmp_path / "socle.sqlite3").close()
    _fake_connection(monkeypatch, "sqlite", NAME=str(tmp_path / "socle.sqlite3"))
    with pytest.raises(CommandError, match="la base de données elle-même"):
        call_command("backup", str(tmp_path / "socle.sqlite3"))


def test_the_command_gives_the_pg_dump_line_on_postgresql(monkeypatch: pytest.MonkeyPatch):
    _fake_connection(
        monkeypatch,
        "postgresql",
        NAME="socle",
        USER="socle",
        PASSWORD="s3cret-password",
        HOST="db.internal",
        PORT="5432",
    )
    with pytest.raises(CommandError) as refusal:
        call_command("backup", "/var/backups/socle.dump")
    message = str(refusal.value)
    assert message.endswith(
        "(umask 077 && pg_dump --format=custom --no-owner --host=db.internal --port=5432 "
        "--username=socle --file=/var/backups/socle.dump socle)"
    )  # pg_dump writes the file with the umask's mode: 644 under the usual 022
    assert "s3cret" not in message


def test_the_pg_dump_line_leaves_out_what_is_not_set():
    assert pg_dump_command({"NAME": "socle"}, "x.dump") == (
        "pg_dump --format=custom --no-owner --file=x.dump socle"
    )


def test_the_pg_dump_line_quotes_what_the_shell_would_read_otherwise():
    """The line is meant to be pasted in a shell: a file name with a space or a « ; » must stay
    one argument, never become a second command."""
    line = pg_dump_command({"NAME": "socle"}, "/tmp/a b;touch pwned.dump")
    assert shlex.split(line) == [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        "--file=/tmp/a b;touch pwned.dump",
        "socle",
    ]


def test_its_temporary_name_cannot_be_guessed_nor_a_file_planted_there_removed(tmp_path: Path):
    """In a folder others may write in (``/tmp``), a name made of the process id lets another user
    plant a file or a link there beforehand (SQLite's ``-journal`` beside it included): the
    temporary copy takes a random name, created exclusively, and touches no file it did not
    create."""
    make_wal_database(tmp_path / "socle.sqlite3").close()
    planted = [
        tmp_path / f".copy.sqlite3.{os.getpid()}.tmp",
        tmp_path / f".copy.sqlite3.{os.getpid()}.tmp-journal",
    ]
    for path in planted:
        path.write_text("someone else's")
    backup_sqlite(tmp_path / "socle.sqlite3", tmp_path / "copy.sqlite3")
    assert logins(tmp_path / "copy.sqlite3") == ["eleve0", "eleve1", "eleve2"]
    assert [path.read_text() for path in planted] == ["someone else's"] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["copy.sqlite3", "socle.sqlite3", *(path.name for path in planted)]
    )


def test_it_names_former_secret_keys_given_in_the_environment(settings):
    settings.SOCLE_SECRET_KEY_FALLBACKS_FILE = ""
    settings.SECRET_KEY_FALLBACKS = ["a former key from SOCLE_SECRET_KEY_FALLBACKS"]
    lines = backup_command.other_files()
    assert "anciennes clés secrètes : la valeur de SOCLE_SECRET_KEY_FALLBACKS" in lines
    settings.SECRET_KEY_FALLBACKS = []
    assert not any("anciennes" in line for line in backup_command.other_files())


def test_it_copies_in_a_private_folder_removed_on_error_or_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The backup folder may be shared and without sticky bit (group-writable): the copy of the
    password hashes and SQLite's journal beside it are made in a folder of their own, mode 700,
    gone after a failure or Ctrl-C as after success."""
    make_wal_database(tmp_path / "socle.sqlite3").close()
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # no sticky bit
    real_copy = backup_module._copy
    seen = []

    def copy(source: Path, temporary: Path) -> None:
        folder = next(p for p in shared.iterdir() if p.name.endswith(".partial"))
        seen.append((stat.S_IMODE(folder.stat().st_mode), stat.S_IMODE(temporary.stat().st_mode)))
        assert re.fullmatch(r"\.copy\.sqlite3\.[0-9a-f]{16}\.partial", folder.name)
        real_copy(source, temporary)

    monkeypatch.setattr(backup_module, "_copy", copy)
    backup_sqlite(tmp_path / "socle.sqlite3", shared / "copy.sqlite3")
    assert seen == [(0o700, 0o600)]
    assert [p.name for p in shared.iterdir()] == ["copy.sqlite3"]
    assert stat.S_IMODE((shared / "copy.sqlite3").stat().st_mode) == 0o600

    def interrupted(source: Path, temporary: Path) -> None:
        real_copy(source, temporary)
        raise KeyboardInterrupt

    monkeypatch.setattr(backup_module, "_copy", interrupted)
    with pytest.raises(KeyboardInterrupt):
        backup_sqlite(tmp_path / "socle.sqlite3", shared / "other.sqlite3")
    assert [p.name for p in shared.iterdir()] == ["copy.sqlite3"]


def test_a_folder_swapped_in_a_shared_parent_does_not_redirect_the_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Someone who may write in the backup folder renames the private folder while the copy is
    made and puts their own under its name, with a link where the copy would go: the copy
    still goes to the folder opened at the start, and nothing is written through the link."""
    make_wal_database(tmp_path / "socle.sqlite3").close()
    shared = tmp_path / "shared"
    shared.mkdir()
    stolen = tmp_path / "stolen"
    real_copy = backup_module._copy

    def copy(source: Path, temporary: Path) -> None:
        folder = next(p for p in shared.iterdir() if p.name.endswith(".partial"))
        folder.rename(stolen)
        folder.mkdir()
        (folder / "copy.sqlite3").symlink_to(tmp_path / "exfiltrated")
        (folder / "copy.sqlite3-journal").symlink_to(tmp_path / "exfiltrated-journal")
        real_copy(source, temporary)

    monkeypatch.setattr(backup_module, "_copy", copy)
    backup_sqlite(tmp_path / "socle.sqlite3", shared / "copy.sqlite3")
    assert logins(shared / "copy.sqlite3") == ["eleve0", "eleve1", "eleve2"]
    assert not (tmp_path / "exfiltrated").exists()
    assert not (tmp_path / "exfiltrated-journal").exists()
    assert list(stolen.iterdir()) == []  # emptied through its descriptor


def test_the_private_folder_of_a_killed_backup_is_removed_by_the_next_one(tmp_path: Path):
    make_wal_database(tmp_path / "socle.sqlite3").close()
    left = tmp_path / ".copy.sqlite3.0123456789abcdef.partial"
    left.mkdir(mode=0o700)
    (left / "copy.sqlite3").write_bytes(b"hashes")
    (left / "copy.sqlite3-journal").write_bytes(b"journal")
    (left / "link").symlink_to(tmp_path / "socle.sqlite3")  # removed, never followed
    old = time.time() - 2 * 3600
    for path in (left / "copy.sqlite3", left / "copy.sqlite3-journal", left):
        os.utime(path, (old, old))
    recent = tmp_path / ".copy.sqlite3.fedcba9876543210.partial"  # a backup running now
    recent.mkdir(mode=0o700)
    backup_sqlite(tmp_path / "socle.sqlite3", tmp_path / "copy.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["copy.sqlite3", "socle.sqlite3", recent.name]
    )
    assert logins(tmp_path / "socle.sqlite3") == ["eleve0", "eleve1", "eleve2"]


def test_it_writes_into_a_pipe_or_device_without_replacing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Renamed over, a named pipe (or ``/dev/stdout``, or ``/dev/null`` for root) became a
    regular file holding the copy: the reader got nothing, and a device was gone. The copy's
    bytes go into it, and the summary to stderr, not after them."""
    make_wal_database(tmp_path / "socle.sqlite3").close()
    _fake_connection(monkeypatch, "sqlite", NAME=str(tmp_path / "socle.sqlite3"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr("tempfile.tempdir", None)
    fifo = tmp_path / "pipe"
    reader = PipeReader(fifo)
    out, err = StringIO(), StringIO()
    call_command("backup", str(fifo), stdout=out, stderr=err)
    received = reader.received()
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received.startswith(b"SQLite format 3\0")
    copy = tmp_path / "received.sqlite3"
    copy.write_bytes(received)
    assert logins(copy) == ["eleve0", "eleve1", "eleve2"]
    assert out.getvalue() == ""
    assert f"copiée dans {fifo}" in err.getvalue()
    assert list((tmp_path / "tmp").iterdir()) == []  # its private folder was there, removed


def test_it_says_in_french_that_the_backup_disk_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """SQLite says « database or disk is full » when the copy's folder fills up (a backup
    disk's most common failure): said as a full disk, and the previous copy is left whole."""
    make_wal_database(tmp_path / "socle.sqlite3").close()
    (tmp_path / "copy.sqlite3").write_text("last night's copy")

    def full(_source: Path, _temporary: Path) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup_module, "_copy", full)
    with pytest.raises(BackupError) as refused:
        backup_sqlite(tmp_path / "socle.sqlite3", tmp_path / "copy.sqlite3")
    assert str(refused.value) == (
        f"Écriture de {tmp_path / 'copy.sqlite3'} impossible : plus de place sur le disque."
    )
    assert (tmp_path / "copy.sqlite3").read_text() == "last night's copy"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite3", "socle.sqlite3"]
