"""A consistent copy of the SQLite database while Socle serves (``socle backup``).

Copying the database file with ``cp`` while Socle runs is not safe: in WAL mode the latest
transactions live in ``<database>-wal`` until a checkpoint moves them into the file, and a copy
taken in the middle of a checkpoint or of a write mixes pages of two states. SQLite's online
backup API (``sqlite3.Connection.backup``) copies the pages under one read transaction: the copy
is the database as it was at one instant, WAL included, and the node keeps writing meanwhile
(WAL lets a reader run beside the writer).

The copy is written beside its destination, in a private temporary folder, checked
(``PRAGMA quick_check``), switched to the ``DELETE`` journal mode (one self-contained file: the
WAL mode comes back when Socle opens it, ``settings.DATABASES``), made mode 600 (it holds
password and activation code hashes), written to disk, and only then renamed to its name: an
interrupted backup never leaves a half-written file where the last good one was.

PostgreSQL has its own tools (``pg_dump``): :func:`pg_dump_command` says which.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from socle.core.files import private_folder_beside, put_in_place


class BackupError(Exception):
    """The backup cannot be made; the message says why, in the active language."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int  # bytes


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def backup_sqlite(source: Path, destination: Path) -> BackupResult:
    """Copies the SQLite database ``source`` to ``destination`` through the backup API.

    Raises :class:`BackupError` when ``destination`` is the live database (or its WAL files), a
    folder, or cannot be written, and when the copy fails its check."""
    from django.utils.translation import gettext as _

    from socle.core.plain_errors import os_error

    destination = destination.expanduser()
    if destination.is_dir():
        raise BackupError(
            _("%(path)s est un dossier : indiquez le fichier à écrire, ex. %(example)s.")
            % {"path": destination, "example": destination / "socle-backup.sqlite3"}
        )
    live = [source, Path(f"{source}-wal"), Path(f"{source}-shm")]
    if any(_same_file(destination, path) for path in live) or destination.resolve() in {
        path.resolve() for path in live
    }:
        raise BackupError(
            _("%(path)s est la base de données elle-même : choisissez un autre fichier.")
            % {"path": destination}
        )
    if not source.is_file():
        raise BackupError(_("Base de données %(path)s introuvable.") % {"path": source})
    # In a folder of its own, mode 700, reached through its descriptor: in a folder others may
    # write in, they could otherwise swap the copy or plant SQLite's -journal beside it (a link
    # the copy of the password hashes would be written through, or a "hot" journal SQLite would
    # roll into it) between its creation and its rename.
    try:
        with private_folder_beside(destination) as folder:
            temporary = folder / "copy.sqlite3"
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
            os.chmod(temporary, 0o600)  # whatever the umask; SQLite's journal takes this mode
            _copy(source, temporary)
            size = temporary.stat().st_size
            put_in_place(temporary, destination)  # renamed; copied into a pipe or device
        _sync_folder(destination.parent)
    except OSError as exc:
        raise BackupError(
            _("Écriture de %(path)s impossible : %(error)s.")
            % {"path": destination, "error": os_error(exc)}
        ) from None
    except sqlite3.Error as exc:
        if "disk is full" in str(exc).lower():  # SQLITE_FULL, writing the copy
            raise BackupError(
                _("Écriture de %(path)s impossible : %(error)s.")
                % {"path": destination, "error": _("plus de place sur le disque")}
            ) from None
        raise BackupError(
            _("Copie de la base de données impossible : %(error)s.") % {"error": exc}
        ) from None
    return BackupResult(destination, size)


def _copy(source: Path, temporary: Path) -> None:
    from django.utils.translation import gettext as _

    reader = sqlite3.connect(source, timeout=20)
    try:
        writer = sqlite3.connect(temporary)
        try:
            # In one step: one read transaction for the whole copy, which the writers of WAL
            # mode do not wait for. Copied in steps, a write by another process between two
            # steps would restart the copy from its first page, and a busy node might never
            # let it finish.
            reader.backup(writer, pages=-1)
            writer.execute("PRAGMA journal_mode=DELETE")
            verdict = writer.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(
                    _("La copie ne passe pas le contrôle de SQLite : %(verdict)s.")
                    % {"verdict": verdict}
                )
        finally:
            writer.close()
    finally:
        reader.close()
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    """Makes the rename durable (the folder's entry), where the system allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def pg_dump_command(settings_dict: dict[str, object], destination: str) -> str:
    """The ``pg_dump`` line for the PostgreSQL database of ``settings_dict`` (without its
    password: ``pg_dump`` reads it from ``~/.pgpass`` or ``PGPASSWORD``), each argument quoted
    for the shell it is pasted in."""
    parts = ["pg_dump", "--format=custom", "--no-owner"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        value = settings_dict.get(key)
        if value:
            parts.append(f"{option}={value}")
    parts += [f"--file={destination}", str(settings_dict.get("NAME") or "")]
    return shlex.join(parts)
