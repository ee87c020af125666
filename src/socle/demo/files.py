"""Writing generated files: atomically, and not at all when the content is already there."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_if_changed(path: str | Path, text: str) -> bool:
    """Writes ``text`` (UTF-8) to ``path`` through a temporary file and a rename, so a reader
    never sees half a file; returns False, touching nothing, when the file already holds it."""
    target = Path(path)
    try:
        if target.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
