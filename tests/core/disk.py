"""A full disk for the files a test's code writes in one folder: ``open`` for writing there
(``Path.write_bytes``, ``Path.open``, ``os.fdopen``…) gives a file that takes ``room`` bytes in
all, then fails with ``ENOSPC`` as a real full disk does, whatever the way the code opens it.
And a folder where no temporary file can be made (:func:`no_temporary_file`)."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path
from typing import Any

import pytest


class _Filling:
    def __init__(self, handle: Any, room: list[int]) -> None:
        self._handle = handle
        self._room = room

    def write(self, data: Any) -> int:
        size = len(data)
        if size > self._room[0]:
            self._handle.write(data[: self._room[0]])
            self._handle.flush()
            self._room[0] = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room[0] -= size
        return int(self._handle.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _Filling:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def __iter__(self) -> Any:
        return iter(self._handle)


def full_disk(monkeypatch: pytest.MonkeyPatch, folder: Path, room: int = 10) -> None:
    """Files opened for writing in ``folder`` hold ``room`` more bytes in all."""
    real_open = io.open
    left = [room]

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        if isinstance(file, int):
            try:
                name = Path(os.readlink(f"/proc/self/fd/{file}"))
            except OSError:
                return handle
        else:
            name = Path(os.fspath(file))
        if any(c in mode for c in "wax+") and name.resolve().parent == folder.resolve():
            return _Filling(handle, left)
        return handle

    monkeypatch.setattr(io, "open", fake_open)


def no_temporary_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """``socle.core.files`` may not create a temporary file (``….partial``): a folder an
    administrator prepared a file in, where the user may write that file but create none."""
    from socle.core import files

    real_open = os.open

    def folder_refuses(path: object, flags: int, mode: int = 0o777) -> int:
        if str(path).endswith(".partial"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "open", folder_refuses)
