"""Ctrl-C in a command prints one line, « Interrompu. » and what the command leaves behind (for
an import: run the same command with the same files again), and exits with status 130: never a
``KeyboardInterrupt`` traceback."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from socle.directory.management.commands import directory_import
from socle.pronote.management.commands import pronote_import
from tests.core.cli import socle_command, socle_env


def _interrupt(*args: str, **options: object) -> str:
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command(*args, stdout=io.StringIO(), stderr=err, **options)
    assert stopped.value.code == 130
    return err.getvalue()


def _ctrl_c(*_args: object, **_kwargs: object) -> None:
    raise KeyboardInterrupt


def test_it_says_that_a_csv_import_wrote_nothing(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(directory_import, "import_csv_path", _ctrl_c)
    err = _interrupt("directory_import", str(tmp_path / "eleves.csv"))
    assert err.strip() == (
        "Interrompu. Rien n'a été importé : relancez la même commande avec le même fichier."
    )


def test_it_says_that_an_aaf_import_completes_when_run_again(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(directory_import, "import_aaf", _ctrl_c)
    err = _interrupt("directory_import", str(tmp_path), format="aaf")
    assert err.startswith("Interrompu. Les fichiers déjà lus sont enregistrés")
    assert "relancez la même commande avec les mêmes fichiers" in err


def test_it_says_that_a_pronote_import_wrote_nothing(monkeypatch, tmp_path: Path):
    from socle.directory.models import Establishment

    Establishment.objects.create(uai="0312609T", name="Collège")
    monkeypatch.setattr(pronote_import, "load_files", _ctrl_c)
    source = tmp_path / "ids.csv"
    source.write_text("x")
    err = _interrupt("pronote_import", str(source), uai="0312609T", mode="complet")
    assert err.startswith("Interrompu. Rien n'a été enregistré")


def _signal_mid_import(tmp_path: Path, signum: int) -> subprocess.CompletedProcess[str]:
    fifo = tmp_path / "eleves.csv"
    os.mkfifo(fifo)  # the import blocks opening it: the signal arrives mid-command
    process = subprocess.Popen(
        socle_command("directory_import", str(fifo), "--uai", "0312609T"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=socle_env(tmp_path),
        cwd=tmp_path,
        # A test run started in the background by a non-interactive shell ignores SIGINT, and an
        # ignored signal stays ignored across exec: give the command a terminal's default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )
    writer = None
    deadline = time.monotonic() + 30
    try:
        # Once the command opens the pipe (its start-up done), it waits for the file's bytes:
        # send the signal then.
        while writer is None and time.monotonic() < deadline:
            try:
                writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: no reader yet
                time.sleep(0.05)
        time.sleep(0.2)
        process.send_signal(signum)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
        if writer is not None:
            os.close(writer)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_it_prints_one_line_and_exits_130_on_sigint(tmp_path: Path):
    done = _signal_mid_import(tmp_path, signal.SIGINT)
    assert done.returncode == 130
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "Interrompu. Rien n'a été importé : relancez la même commande avec le même fichier."
    ]


def test_sigterm_stops_a_command_as_ctrl_c_does_with_status_143(tmp_path: Path):
    """``kill``, systemd or a timeout: the command stops where it is (transaction rolled back,
    temporary files removed) and says so, instead of vanishing without a word."""
    done = _signal_mid_import(tmp_path, signal.SIGTERM)
    assert done.returncode == 143
    assert done.stderr.strip().splitlines() == [
        "Interrompu. Rien n'a été importé : relancez la même commande avec le même fichier."
    ]


def test_it_frees_what_the_interrupted_command_held_before_exiting(monkeypatch, tmp_path: Path):
    """The interrupt's traceback holds the command's frames: kept alive by the ``SystemExit``
    (as its context), a query's row generator was freed only at the interpreter's exit, after
    the database connection closed, which printed « Exception ignored in: <generator object
    cursor_iter> » and a traceback after « Interrompu. » (``copy_database``)."""
    import weakref

    from socle.directory.models import Person

    held: list[weakref.ref[object]] = []

    def read_then_ctrl_c(*_args: object, **_kwargs: object) -> None:
        rows = Person.objects.all().iterator(chunk_size=1)
        next(rows, None)  # started: its cursor is open
        held.append(weakref.ref(rows))
        raise KeyboardInterrupt

    monkeypatch.setattr(directory_import, "import_csv_path", read_then_ctrl_c)
    err = io.StringIO()
    try:
        call_command(
            "directory_import", str(tmp_path / "eleves.csv"), stdout=io.StringIO(), stderr=err
        )
    except SystemExit as stopped:
        assert stopped.code == 130
        assert stopped.__context__ is None
    assert held and held[0]() is None, "the generator outlives the command"
    assert err.getvalue().startswith("Interrompu.")


@pytest.mark.parametrize(
    ("driver_says", "said"),
    [
        ("database or disk is full", "plus de place sur le disque"),
        (
            'could not extend file "base/16384/2619": No space left on device',
            "plus de place sur le disque",
        ),
        ("attempt to write a readonly database", "base en lecture seule"),
        ("database is locked", "base occupée trop longtemps par un autre processus"),
    ],
)
def test_it_says_why_the_database_refused_the_import_and_what_it_left(
    monkeypatch, tmp_path: Path, driver_says: str, said: str
):
    """A full disk under the database (or a read-only SQLite file, or one held too long by
    another writer) came as the driver's traceback; now one sentence, with what the command
    says about the state it leaves, as after Ctrl-C."""
    from django.core.management.base import CommandError
    from django.db import OperationalError

    def refused(*_args: object, **_kwargs: object) -> None:
        raise OperationalError(driver_says)

    monkeypatch.setattr(directory_import, "import_csv_path", refused)
    with pytest.raises(CommandError) as stopped:
        call_command(
            "directory_import",
            str(tmp_path / "eleves.csv"),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    message = str(stopped.value)
    assert message.startswith("Écriture dans la base de données ")
    assert f"impossible : {said}" in message
    assert message.endswith(
        "Rien n'a été importé : relancez la même commande avec le même fichier."
    )


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            "OperationalError:server closed the connection unexpectedly\n\tThis probably means "
            "the server terminated abnormally",
            "La base de données {db} a interrompu l'opération : connexion au serveur de base de "
            "données perdue (",
        ),
        (
            "OperationalError:canceling statement due to statement timeout",
            "a interrompu l'opération : délai dépassé sur le serveur de base de données (",
        ),
        (
            "OperationalError:deadlock detected",
            "a interrompu l'opération : conflit avec une autre écriture au même moment (",
        ),
        (
            "IntegrityError:duplicate key value violates unique constraint",
            "La base de données {db} a refusé une écriture : les données ont changé pendant "
            "l'opération (une autre commande, un import ou un administrateur au même moment ?).",
        ),
        (
            "ProgrammingError:column directory_person.nonesuch does not exist\nLINE 1: SELECT …",
            "Erreur inattendue de la base de données {db} (column directory_person.nonesuch does "
            "not exist) ; relancez avec --traceback pour le détail.",
        ),
    ],
)
def test_it_says_what_any_other_database_error_left_instead_of_a_traceback(
    monkeypatch, tmp_path: Path, error: str, said: str
):
    """A connection to PostgreSQL lost mid-import, a statement timeout, a deadlock, an AAF file
    applied while a CSV import took the same login (a unique constraint), a bug: were the
    driver's traceback; now one sentence and what the files already committed leave."""
    import django.db
    from django.core.management.base import CommandError

    from socle.core.commands import database_label

    kind, _colon, driver_says = error.partition(":")

    def failed(*_args: object, **_kwargs: object) -> None:
        raise getattr(django.db, kind)(driver_says)

    monkeypatch.setattr(directory_import, "import_aaf", failed)
    (tmp_path / "aaf").mkdir()
    with pytest.raises(CommandError) as stopped:
        call_command(
            "directory_import", str(tmp_path / "aaf"), "--format", "aaf",
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
    message = str(stopped.value)
    assert said.format(db=database_label()) in message and "LINE 1" not in message
    assert message.endswith(
        "Les fichiers déjà lus sont enregistrés : relancez la même commande avec les mêmes "
        "fichiers pour terminer l'import."
    )
    assert isinstance(stopped.value.__cause__, getattr(django.db, kind))  # --traceback shows it
