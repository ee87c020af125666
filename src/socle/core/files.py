"""Files that commands write: whole or not at all.

A file is first written beside its target under a hidden temporary name (same folder, so the
rename cannot cross file systems), then renamed onto the target with ``os.replace``, which is
atomic: a full disk, a permission error, Ctrl-C or a killed process leave the previous file as it
was (or no file), never half of a new one. Every such writer (:class:`PendingFile`, through
:func:`private_folder_beside` ``activation_letters`` and ``socle backup``) names its temporary
file, or private folder, ``.<target>.<16 hex>.partial``
(SQLite may add ``-journal``, ``-wal`` or ``-shm`` to a file); the next file written for the same
target removes such leftovers of a killed process (``kill -9``) older than an hour
(:func:`_remove_leftovers`).

A target that exists and is not a regular file (``/dev/stdout``, a named pipe, ``/dev/null``)
is written directly: it cannot be replaced, and must not be (:func:`is_special`; the
writers of :func:`private_folder_beside` make their file in the temporary folder then, and
:func:`put_in_place` copies it into the target instead of renaming it over the device). So is
an existing file the user may write in a folder where they may not create one (a file prepared
for them by an administrator):
written in place, not atomically, rather than refused. :class:`PendingFile` opens such a target
at once (refused then, like a temporary file that cannot be made) but writes it only at
:meth:`PendingFile.commit`, where the rename would be: a caller recording what it wrote
(``pronote_export``) records first and writes then, as with a file renamed. It tells the
user so before writing (:attr:`PendingFile.notice`, :func:`write_file`'s ``notify``): the folder,
why, what an interrupted write would leave, and how to get a safe one.

The new file takes the mode of the file it replaces (and its group, where the user may give it),
as a file written in place keeps them: a report an administrator made readable by its owner only
(it names pupils and their birth dates) does not become readable by everyone at the next run.
The temporary file is created mode 600 and given that mode once written, so it is never wider
than the file it replaces. A new file gets the umask's mode, as ``open`` gives, or mode 600
whatever the umask when ``private`` (a file of personal data: pupils' names and birth dates).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, cast

from django.utils.translation import gettext

from socle.core.plain_errors import os_error

LEFTOVER_AGE = 3600
"""Seconds after which a temporary file is a leftover: no write of a file lasts that long, so a
concurrent writer's temporary file is never removed."""


class PendingFile:
    """``data`` written beside ``target``; :meth:`commit` puts it in place, :meth:`discard`
    removes it. Created with the mode of the file it replaces, or for a new one the umask's mode
    as ``open`` would (``private``: mode 600).

    A target written directly (:attr:`direct`: a device, a named pipe, ``/dev/stdout``, or a
    file the user may write in a folder where they may not create one) is opened here, so that
    a target that cannot be written is refused now, but written only by :meth:`commit`: nothing
    lands there before the caller has made what must go with it (the records of an export),
    and :meth:`discard` leaves it untouched. Such a write is not atomic: one that fails or is
    interrupted may leave part of the data there (:meth:`partly_written`); for a file, whose
    user expects it replaced whole, :attr:`notice` says so (French, or the active language),
    for the caller to tell before :meth:`commit` ("" otherwise)."""

    def __init__(self, target: Path, data: bytes, *, private: bool = False) -> None:
        self.target = target
        self.notice = ""
        self.path: Path | None = None
        self._handle: BinaryIO | None = None
        self._data = b""
        self._started = self._written = False
        if is_special(target) or (target.exists() and not target.is_file()):
            # a device, a pipe, /dev/stdout (a folder: IsADirectoryError)
            self._open_direct(data, "wb")
            return
        _remove_leftovers(target)
        replaced = _replaced(target)
        # Created mode 600 unless new and not private (the umask applies to 0o666 then); the
        # mode of the file replaced is given once the data is written (_keep_mode).
        mode = 0o666 if replaced is None and not private else 0o600
        try:
            path, fd = _create_partial(target, mode)
        except PermissionError as exc:
            if not (target.is_file() and os.access(target, os.W_OK)):
                raise
            self._open_direct(data, "r+b")  # not truncated before commit
            self.notice = in_place_notice(target, exc)
            return
        self.path = path
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                if replaced is not None:
                    _keep_mode(handle.fileno(), replaced)
                os.fsync(handle.fileno())
        except BaseException:
            self.discard()
            raise

    @property
    def direct(self) -> bool:
        """Whether :meth:`commit` writes into the target itself, no temporary file beside it."""
        return self.path is None

    def _open_direct(self, data: bytes, mode: str) -> None:
        self._data = data
        self._handle = cast(BinaryIO, open(self.target, mode))  # noqa: SIM115 (closed later)

    def commit(self) -> None:
        if self.path is not None:
            os.replace(self.path, self.target)
            return
        handle = self._handle
        if handle is None:  # written already
            return
        try:
            self._started = True
            if stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # opened r+b: emptied now
                handle.truncate(0)
            handle.write(self._data)
            handle.flush()
            with contextlib.suppress(OSError):  # a pipe or a terminal cannot be synced
                os.fsync(handle.fileno())
            self._written = True
        finally:
            self._handle = None
            handle.close()

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
        elif self._handle is not None:  # a direct target never written: left untouched
            self._handle.close()
            self._handle = None

    def in_place(self) -> bool:
        """Whether the data is at the target: renamed onto it (its temporary file gone, even if
        an interrupt came before :meth:`commit` returned), or written there whole. Asked
        before :meth:`discard`, which removes the temporary file too."""
        if self.path is None:
            return self._written
        return not self.path.exists()

    def partly_written(self) -> bool:
        """Whether :meth:`commit` began writing into a :attr:`direct` target and did not finish
        (a full device, a closed pipe, Ctrl-C): the target may hold part of the data, or, for a
        file, nothing of its former content."""
        return self.path is None and self._started and not self._written


@contextlib.contextmanager
def private_folder_beside(
    target: Path, *, keep: Callable[[], bool] = lambda: False
) -> Iterator[Path]:
    """A new folder beside ``target`` (same file system: its files are renamed onto
    ``target``), for a writer that makes files of its own next to the one it is given (SQLite's
    ``-journal``): named as the temporary files (``.<target>.<16 hex>.partial``, so a killed
    run's folder is removed as they are), created exclusively, mode 700 whatever the umask.

    Yields a path that reaches the folder through its open descriptor (``/proc/self/fd/N``): in
    a parent others may write in and which has no sticky bit, they may rename the folder and put
    one of their own under its name, never make the writes or the rename onto ``target`` go
    through theirs. The folder and what is left in it are removed on exit, error or interrupt
    included, unless ``keep()`` is then true (a file in it that must not be lost, which
    :func:`keep_beside` could not move out): the folder stays, made mode 500, which tells the
    clean-up of leftovers to leave it, and :func:`folder_path` says where."""
    if is_special(target):  # not renamed onto: the folder goes where temporary files go
        target = Path(tempfile.gettempdir()) / target.name
    _remove_leftovers(target)
    path = target.with_name(f".{target.name}.{secrets.token_hex(8)}.partial")
    os.mkdir(path, 0o700)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        with contextlib.suppress(OSError):
            os.rmdir(path)
        raise
    status = os.fstat(fd)
    try:
        if status.st_uid != os.geteuid():  # swapped between mkdir and open
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), str(path))
        os.fchmod(fd, 0o700)  # whatever the umask
        reached = Path(f"/proc/self/fd/{fd}")
        yield reached if reached.is_dir() else path
    finally:
        try:
            if keep():
                # Read-only: the clean-up of leftovers (a next run) leaves it, root's included.
                with contextlib.suppress(OSError):
                    os.fchmod(fd, 0o500)
            else:
                for name in os.listdir(fd):
                    with contextlib.suppress(OSError):
                        os.unlink(name, dir_fd=fd)
                with contextlib.suppress(OSError):
                    # Only if the name is still this folder (not one put in its place).
                    if os.stat(path, follow_symlinks=False).st_ino == status.st_ino:
                        os.rmdir(path)
        finally:
            os.close(fd)


SYSTEM_FOLDERS = ("/dev/", "/proc/")  # what is there is the system's: written into, never replaced


def is_special(target: Path) -> bool:
    """Whether ``target`` exists and is neither a regular file nor a folder: a device
    (``/dev/null``, ``/dev/full``), a named pipe, ``/dev/stdout`` (followed: a link to one);
    or whether it is named under ``/dev/`` or ``/proc/`` whatever it leads to: ``/dev/stdout``
    of a command whose output the shell sends to a file leads to that regular file, and
    replacing it by a renamed file would replace the system's link (run as root) or write
    beside the file the shell holds open, which would then receive nothing."""
    if os.path.abspath(target).startswith(SYSTEM_FOLDERS):
        return target.exists()
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def put_in_place(written: Path, target: Path) -> None:
    """Renames the finished file ``written`` onto ``target`` (atomic), or, when ``target`` is
    :func:`is_special`, copies its bytes into it: renamed over, a device or a pipe would be
    replaced by a regular file (``/dev/null`` for everyone, when run as root) and the reader of
    the pipe would get nothing."""
    if not is_special(target):
        os.replace(written, target)
        return
    with open(written, "rb") as source, open(target, "wb") as sink:
        shutil.copyfileobj(source, sink, 1024 * 1024)
    written.unlink()


def folder_path(reached: Path) -> Path:
    """The path a user can open of a folder :func:`private_folder_beside` yielded (it yields a
    ``/proc/self/fd/N`` path, which only this process can follow, and only while it is open)."""
    if reached.parent == Path("/proc/self/fd"):
        with contextlib.suppress(OSError):
            return Path(os.readlink(reached))
    return reached


def keep_beside(written: Path, target: Path) -> Path:
    """Moves ``written``, a finished file in a folder of :func:`private_folder_beside` that
    could not be renamed onto ``target``, beside ``target`` under a visible name of its own,
    ``<stem>.<16 hex><suffix>`` (``fiches.0123456789abcdef.pdf``), which the clean-up of
    leftovers never removes; returns it. ``OSError`` when that rename fails too."""
    kept = target.with_name(f"{target.stem}.{secrets.token_hex(8)}{target.suffix}")
    os.rename(written, kept)
    return kept


def create_private(path: Path) -> None:
    """Creates the new empty file ``path`` exclusively, mode 600 whatever the umask, for a
    writer that opens it by its name (in a folder of :func:`private_folder_beside`)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _create_partial(target: Path, mode: int) -> tuple[Path, int]:
    """Creates exclusively, without following a link, the temporary file of ``target``
    (``.<target>.<16 hex>.partial``, the one name :func:`_remove_leftovers` recognises) and
    returns it with its descriptor, open for writing."""
    path = target.with_name(f".{target.name}.{secrets.token_hex(8)}.partial")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    return path, fd


def _remove_leftovers(target: Path) -> None:
    """Removes the temporary files of ``target`` a killed process left in its folder: regular
    files (never a link, never followed) of the current user, named as :func:`_create_partial`
    names them (or SQLite's ``-journal``, ``-wal`` and ``-shm`` beside one), and folders of
    :func:`private_folder_beside` with what is in them (not one kept, read-only), last modified
    more than :data:`LEFTOVER_AGE` ago. Errors are ignored: this is housekeeping, and the folder may
    be one the user may not list or write in."""
    pattern = re.compile(
        rf"\.{re.escape(target.name)}\.[0-9a-f]{{16}}\.partial(?:-journal|-wal|-shm)?", re.ASCII
    )
    limit = time.time() - LEFTOVER_AGE
    uid = os.geteuid()
    with contextlib.suppress(OSError):
        # Names resolved relative to the folder opened once: a folder swapped meanwhile cannot
        # redirect the removal elsewhere.
        folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            with os.scandir(folder) as entries:
                names = [entry.name for entry in entries if pattern.fullmatch(entry.name)]
            for name in names:
                with contextlib.suppress(OSError):
                    status = os.stat(name, dir_fd=folder, follow_symlinks=False)
                    if status.st_uid != uid or status.st_mtime >= limit:
                        continue
                    if stat.S_ISREG(status.st_mode):
                        os.unlink(name, dir_fd=folder)
                    elif stat.S_ISDIR(status.st_mode) and status.st_mode & stat.S_IWUSR:
                        _remove_folder(name, folder)  # a private_folder_beside, not one kept
        finally:
            os.close(folder)


def _remove_folder(name: str, parent: int) -> None:
    """Removes the folder ``name`` of ``parent`` (a descriptor) and the files and links in it
    (a link removed, never followed); one holding a folder stays."""
    fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
    try:
        for entry in os.listdir(fd):
            with contextlib.suppress(OSError):
                if not stat.S_ISDIR(os.stat(entry, dir_fd=fd, follow_symlinks=False).st_mode):
                    os.unlink(entry, dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(name, dir_fd=parent)


def _replaced(target: Path) -> os.stat_result | None:
    """The status of the regular file ``target`` replaces, ``None`` for a new one."""
    try:
        status = target.stat()
    except OSError:
        return None
    return status if stat.S_ISREG(status.st_mode) else None


def _keep_mode(fd: int, replaced: os.stat_result) -> None:
    """Gives the open file ``fd`` the group and mode of the file it replaces (the group only
    where the user may, as ``chgrp`` would: a member of it)."""
    with contextlib.suppress(OSError):
        os.fchown(fd, -1, replaced.st_gid)
    os.fchmod(fd, stat.S_IMODE(replaced.st_mode) & 0o777)  # never a set-id bit


def in_place_notice(target: Path, exc: OSError) -> str:
    """What a user is told before ``target``, a file they may write in a folder where no
    temporary file can be made (``exc``), is written in place: not replaced whole."""
    return gettext(
        "Attention : impossible de créer un fichier dans le dossier %(folder)s (%(reason)s). "
        "%(file)s y sera donc réécrit directement, et non remplacé d'un seul coup : une "
        "écriture interrompue (Ctrl-C, disque plein) le laisserait incomplet. Pour une écriture "
        "sûre, faites autoriser l'écriture dans ce dossier par son propriétaire, ou écrivez le "
        "fichier dans un autre dossier."
    ) % {
        "folder": target.parent.absolute(),
        "reason": os_error(exc),
        "file": target.name,
    }


def write_file(
    target: Path,
    data: bytes,
    *,
    private: bool = False,
    notify: Callable[[str], object] | None = None,
) -> None:
    """Writes ``data`` to ``target`` whole, or leaves ``target`` untouched (``OSError``).
    ``notify`` (a command's ``stderr.write``) is given :attr:`PendingFile.notice`, if any,
    before the file is written."""
    pending = PendingFile(target, data, private=private)
    try:
        if pending.notice and notify is not None:
            notify(pending.notice)
        pending.commit()
    except BaseException:
        pending.discard()
        raise
