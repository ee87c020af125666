"""Two AAF imports at once (overlapping cron runs) would create the same people twice and stop
on a unique constraint: the second one stops at once with « un autre import AAF est en cours »
(``socle.core.locks``: a PostgreSQL advisory lock, a file lock on SQLite)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.db import connection

from socle.core.locks import exclusive
from socle.directory.aaf.importer import ImportInProgress, import_aaf
from socle.directory.models import Person
from tests.directory.aaf_helpers import school_files
from tests.directory.helpers import run


@contextmanager
def _another_import() -> Iterator[None]:
    """The lock held by another thread, with its own database connection (another session)."""
    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with exclusive("aaf-import"):
                held.set()
                done.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(30)
    try:
        yield
    finally:
        done.set()
        thread.join(30)


def test_it_refuses_a_second_aaf_import_while_one_runs(tmp_path: Path):
    files = school_files(tmp_path / "export")
    with _another_import():
        with pytest.raises(ImportInProgress):
            import_aaf(files)
        with pytest.raises(CommandError, match="Un autre import AAF est en cours"):
            run("directory_import", str(files), format="aaf")
    assert not Person.objects.exists()
    import_aaf(files)  # the lock is free again
    assert Person.objects.filter(external_id="E1").exists()
