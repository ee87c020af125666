"""The base of Socle's management commands.

- ``help`` is a lazy translation: a class attribute is evaluated at import, before any language
  is chosen, so it must be ``gettext_lazy``'s. argparse formats it with string operations a lazy
  object does not offer: the parser receives it in the active language (``SOCLE_LANGUAGE``) as a
  plain string.
- A command run on a database that ``socle migrate`` has not prepared (a fresh installation, or
  an upgrade not yet migrated) stops with a French sentence saying so, instead of the traceback
  of a missing table. The migrations are looked at only after a database error: a command that
  works pays nothing.
- A command run while the database cannot be reached (PostgreSQL stopped or on another port, a
  SQLite file whose folder does not exist) stops with one sentence naming the database — never
  its password — and, when it is recognised, the reason in the active language, instead of the
  driver's ``OperationalError`` traceback. ``socle.cli.main`` does the same for Django's own
  commands (``socle migrate``…).
- Ctrl-C prints one line, « Interrompu. », followed by what the command says about the state it
  leaves (:meth:`SocleCommand.interruption_hint`: for an import, that running the same command
  again with the same files completes it), and exits with status 130, as a shell does for
  SIGINT; never a ``KeyboardInterrupt`` traceback, nor one of a generator freed at exit.
- SIGTERM (``kill``, systemd stopping a unit, a cron or CI timeout) stops the command the same
  way, exit status 143: raised where the command is, as Ctrl-C is, it rolls the transaction
  back and removes the temporary files, where Python's default would end the process at once
  and leave them (half a letters file, ``.<file>.<random>.partial``, beside ``--out``).
- A write the database refuses because of the server's state (its disk full, a read-only
  SQLite file, a SQLite database held by another writer too long), or an operation it cuts
  short (the connection to PostgreSQL lost, a statement timeout, a deadlock:
  ``socle.core.db_errors``), stops the command with one sentence saying so, followed by what
  the command says about the state it leaves (as after Ctrl-C), never the driver's traceback.
  So does an integrity error (the data changed under the command: another command, an import or
  an administrator at the same moment) and, with the driver's first line, any other database
  error (a bug: its traceback with ``--traceback``).
- A refusal (``CommandError``) is printed as its sentence alone on stderr, exit status 1 (or the
  error's own), without Django's English « CommandError: » before it; ``--traceback`` and
  ``call_command`` still get the exception.
- argparse's own words (« usage: », parsing errors) and the help of Django's common options are
  in the active language too (``socle.core.cli_language``).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    OutputWrapper,
    SystemCheckError,
)
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    OperationalError,
    connections,
)
from django.utils.translation import gettext as _

from socle.core import cli_language
from socle.core.db_errors import interrupted_reason, write_refused_reason


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> int:
    """How many migrations the database lacks (0 when it cannot even be asked)."""
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[alias])
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return 0


def database_label(alias: str = DEFAULT_DB_ALIAS) -> str:
    """The database as an operator knows it, without its password."""
    params = connections[alias].settings_dict
    if connections[alias].vendor == "sqlite":
        return str(params.get("NAME") or "")
    user = f"{params['USER']}@" if params.get("USER") else ""
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{user}{params.get('HOST') or 'localhost'}{port}/{params.get('NAME') or ''}"


def _sqlite_reason(name: str) -> str:
    folder = Path(name).parent
    if not folder.is_dir():
        return _("le dossier %(folder)s n'existe pas (SOCLE_DATA_DIR ?)") % {"folder": folder}
    if not os.access(folder, os.W_OK | os.X_OK):
        return _("permission refusée sur le dossier %(folder)s") % {"folder": folder}
    return _("fichier illisible ou permission refusée")


def _postgres_reason(message: str) -> str:
    lowered = message.lower()
    known = (
        ("connection refused", _("connexion refusée (serveur arrêté, ou mauvais hôte ou port ?)")),
        ("password authentication failed", _("utilisateur ou mot de passe refusé")),
        (
            "no password supplied",
            _("mot de passe manquant (dans l'adresse de la base, ~/.pgpass ou PGPASSWORD)"),
        ),
        ("could not translate host name", _("nom d'hôte inconnu")),
        ("name or service not known", _("nom d'hôte inconnu")),
        ("does not exist", _("la base ou l'utilisateur n'existe pas")),
        ("timeout", _("délai de connexion dépassé")),
        ("timed out", _("délai de connexion dépassé")),
        ("no route to host", _("hôte injoignable")),
        ("network is unreachable", _("réseau injoignable")),
        ("too many clients", _("trop de connexions ouvertes sur le serveur")),
    )
    for fragment, reason in known:
        if fragment in lowered:
            return str(reason)
    return _("le serveur ne répond pas comme attendu")


def unreachable_database(alias: str = DEFAULT_DB_ALIAS) -> str | None:
    """One sentence saying that the database cannot be reached and why, or ``None`` when a
    connection opens (the error that led here was something else). Never names the password."""
    connection = connections[alias]
    if connection.connection is not None:
        return None  # connected: not a reachability problem
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        if connection.vendor == "sqlite":
            reason = _sqlite_reason(str(connection.settings_dict.get("NAME") or ""))
        else:
            reason = _postgres_reason(str(exc))
        return _("Base de données %(database)s injoignable : %(reason)s.") % {
            "database": database_label(alias),
            "reason": reason,
        }
    return None


INTERRUPTED_STATUS = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
TERMINATED_STATUS = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the command is running, so that it stops as after Ctrl-C."""


def _plain(text: str) -> str:
    return text


def _terminate(_signum: int, _frame: object) -> None:
    raise Terminated


class SocleCommand(BaseCommand):
    # ``socle serve`` leaves SIGTERM to gunicorn (a graceful stop of its workers).
    stops_on_sigterm = True

    def interruption_hint(self, options: dict[str, Any]) -> str:
        """What to do after Ctrl-C, printed after « Interrompu. » (empty: nothing to say)."""
        return ""

    _progress_shown = False  # a progress line is on the terminal, not ended yet

    def on_terminal(self) -> bool:
        """Whether stderr is a terminal: progress is shown there only, never in a cron job's
        mail or a log (``call_command``'s own streams are no terminal either)."""
        stream = getattr(self.stderr, "_out", None)
        return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())

    def show_progress(self, line: str) -> None:
        """``line`` in place of the previous progress line, on a terminal only. Plain text
        (stderr's style is the errors' red); ESC [K clears what a longer line left."""
        if not self.on_terminal():
            return
        self._progress_shown = True
        self.stderr.write("\r" + line + "\x1b[K", ending="", style_func=_plain)
        self.stderr.flush()

    def end_progress(self) -> None:
        """Ends the progress line, if one is shown, so that what follows starts a line."""
        if self._progress_shown:
            self._progress_shown = False
            self.stderr.write("", style_func=_plain)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help)
        cli_language.install()  # before the parser exists: argparse words its -h at creation
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        cli_language.translate_common_options(parser)
        return parser

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return self._execute(*args, **options)
        except CommandError as exc:
            from_command_line = getattr(self, "_called_from_command_line", False)
            if (
                isinstance(exc, SystemCheckError)
                or options.get("traceback")
                or not from_command_line
            ):
                raise  # call_command's callers catch it; SystemCheckError is already worded
            # Django would print « CommandError: » before the sentence: an English class name.
            stderr = getattr(self, "stderr", None) or OutputWrapper(sys.stderr)
            self.end_progress()
            stderr.write(str(exc))
            raise SystemExit(exc.returncode) from None

    def _database_stop(self, exc: DatabaseError, options: dict[str, Any]) -> CommandError:
        """The one sentence a database error stops the command with, followed by what the
        command says about the state it leaves (as after Ctrl-C) when the work was cut short."""
        alias = options.get("database") or DEFAULT_DB_ALIAS
        if isinstance(exc, OperationalError) and (message := unreachable_database(alias)):
            return CommandError(message)
        database = database_label(alias)
        if (reason := write_refused_reason(exc)) is not None:
            said = _("Écriture dans la base de données %(database)s impossible : %(reason)s.")
        elif (reason := interrupted_reason(exc)) is not None:
            said = _("La base de données %(database)s a interrompu l'opération : %(reason)s.")
        elif count := pending_migrations(alias):
            return CommandError(
                _(
                    "La base de données n'est pas prête (%(count)s migration(s) à "
                    "appliquer) : lancez d'abord « socle migrate »."
                )
                % {"count": count}
            )
        elif isinstance(exc, IntegrityError):
            said = _(
                "La base de données %(database)s a refusé une écriture : les données ont changé "
                "pendant l'opération (une autre commande, un import ou un administrateur au même "
                "moment ?)."
            )
        else:  # a bug: the driver's own words (English), the traceback with --traceback
            lines = str(exc).strip().splitlines()
            reason = lines[0][:200] if lines else type(exc).__name__
            said = _(
                "Erreur inattendue de la base de données %(database)s (%(reason)s) ; relancez "
                "avec --traceback pour le détail."
            )
        hint = self.interruption_hint(options)
        text = said % {"database": database, "reason": reason}
        return CommandError(" ".join(part for part in (text, hint) if part))

    def _catch_sigterm(self) -> Any:
        """Installs :func:`_terminate` for SIGTERM unless another handler is there (or this is
        not the main thread); returns the handler to restore, or ``None``."""
        if not self.stops_on_sigterm or threading.current_thread() is not threading.main_thread():
            return None
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return None
        return signal.signal(signal.SIGTERM, _terminate)

    def _execute(self, *args: Any, **options: Any) -> str | None:
        previous = self._catch_sigterm()
        status = 0
        try:
            return super().execute(*args, **options)
        except KeyboardInterrupt as exc:
            hint = self.interruption_hint(options)
            stderr = getattr(self, "stderr", None) or sys.stderr
            self.end_progress()
            stderr.write(" ".join(part for part in (_("Interrompu."), hint) if part))
            status = TERMINATED_STATUS if isinstance(exc, Terminated) else INTERRUPTED_STATUS
        except DatabaseError as exc:
            raise self._database_stop(exc, options) from exc
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        # Raised here, once the interrupt and its traceback are gone: the frames it held (a
        # query's row generator, ``copy_database``'s dump) are freed now, while the database
        # connection is open, not at the interpreter's exit after it closed, which printed
        # « Exception ignored in: <generator object cursor_iter> » and a traceback.
        raise SystemExit(status)
