"""The base of Socle's management commands.

- ``help`` is a lazy translation: a class attribute is evaluated at import, before any language
  is chosen, so it must be ``gettext_lazy``'s. argparse formats it with string operations a lazy
  object does not offer: the parser receives it in the active language (``SOCLE_LANGUAGE``) as a
  plain string.
- A command run on a database that ``socle migrate`` has not prepared (a fresh installation, or
  an upgrade not yet migrated) stops with a French sentence saying so, instead of the traceback
  of a missing table. The migrations are looked at only after a database error: a command that
  works pays nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils.translation import gettext as _


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> int:
    """How many migrations the database lacks (0 when it cannot even be asked)."""
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[alias])
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return 0


class SocleCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except DatabaseError as exc:
            count = pending_migrations(options.get("database") or DEFAULT_DB_ALIAS)
            if count:
                raise CommandError(
                    _(
                        "La base de données n'est pas prête (%(count)s migration(s) à "
                        "appliquer) : lancez d'abord « socle migrate »."
                    )
                    % {"count": count}
                ) from exc
            raise
