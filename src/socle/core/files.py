"""Files that commands write: whole or not at all.

A file is first written beside its target under a hidden temporary name (same folder, so the
rename cannot cross file systems), then renamed onto the target with ``os.replace``, which is
atomic: a full disk, a permission error, Ctrl-C or a killed process leave the previous file as it
was (or no file), never half of a new one. A temporary file left by a killed process
(``kill -9``) is named ``.<target>.<random>.partial``.

A target that exists and is not a regular file (``/dev/stdout``, a named pipe) is written
directly, at once: it cannot be replaced, and must not be. So is an existing file the user may
write in a folder where they may not create one (a file prepared for them by an administrator):
written in place, not atomically, rather than refused.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class PendingFile:
    """``data`` written beside ``target``; :meth:`commit` puts it in place, :meth:`discard`
    removes it. Created with the umask's mode as ``open`` would (``private``: mode 600)."""

    def __init__(self, target: Path, data: bytes, *, private: bool = False) -> None:
        self.target = target
        self.path: Path | None = None
        if target.exists() and not target.is_file():
            target.write_bytes(data)
            return
        path = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
        mode = 0o600 if private else 0o666  # the umask applies to the latter
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        except PermissionError:
            if not (target.is_file() and os.access(target, os.W_OK)):
                raise
            target.write_bytes(data)
            return
        self.path = path
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            self.discard()
            raise

    def commit(self) -> None:
        if self.path is not None:
            os.replace(self.path, self.target)

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def write_file(target: Path, data: bytes, *, private: bool = False) -> None:
    """Writes ``data`` to ``target`` whole, or leaves ``target`` untouched (``OSError``)."""
    pending = PendingFile(target, data, private=private)
    try:
        pending.commit()
    except BaseException:
        pending.discard()
        raise
