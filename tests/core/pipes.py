"""A named pipe a test's command writes into, read in the background (``socle backup
/dev/stdout | gzip``, ``--out`` a pipe)."""

from __future__ import annotations

import os
import threading
from pathlib import Path


class PipeReader:
    """Makes the named pipe ``path`` and reads it whole in a daemon thread (a command that never
    opens it cannot hold the test run up); :meth:`received` waits for the bytes."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self._received: list[bytes] = []
        self._thread = threading.Thread(target=self._read, args=(path,), daemon=True)
        self._thread.start()

    def _read(self, path: Path) -> None:
        with open(path, "rb") as handle:
            self._received.append(handle.read())

    def received(self, timeout: float = 60) -> bytes:
        self._thread.join(timeout)
        assert self._received, "nothing was written into the pipe"
        return self._received[0]
