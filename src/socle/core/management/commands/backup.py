"""``socle backup FILE``: a consistent copy of the SQLite database while Socle serves."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.backup import BackupError, backup_sqlite, pg_dump_command
from socle.core.commands import SocleCommand
from socle.core.files import is_special


def other_files() -> list[str]:
    """What a restore needs beside the database, as lines to print (docs/deployment.md,
    "Backup and restore")."""
    lines = []
    if settings.SOCLE_SECRET_KEY_FILE:
        lines.append(_("clé secrète : %(path)s") % {"path": settings.SOCLE_SECRET_KEY_FILE})
    else:
        lines.append(_("clé secrète : la valeur de SOCLE_SECRET_KEY"))
    if settings.SOCLE_SECRET_KEY_FALLBACKS_FILE:
        lines.append(
            _("anciennes clés secrètes : %(path)s")
            % {"path": settings.SOCLE_SECRET_KEY_FALLBACKS_FILE}
        )
    elif settings.SECRET_KEY_FALLBACKS:
        lines.append(_("anciennes clés secrètes : la valeur de SOCLE_SECRET_KEY_FALLBACKS"))
    if settings.SOCLE_PRONOTE_PRIVATE_KEY:
        lines.append(
            _("clé privée PRONOTE : %(path)s") % {"path": settings.SOCLE_PRONOTE_PRIVATE_KEY}
        )
    for former in settings.SOCLE_PRONOTE_FORMER_PRIVATE_KEYS:
        lines.append(_("ancienne clé privée PRONOTE : %(path)s") % {"path": former})
    return lines


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Copie la base SQLite dans un fichier pendant que Socle sert (API de sauvegarde de "
            "SQLite : une copie cohérente) ; sur PostgreSQL, indique la commande pg_dump."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("fichier à écrire (remplacé s'il existe)"))
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help=_("base de données (défaut : default)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            raise CommandError(
                _(
                    "Sur PostgreSQL, sauvegardez la base avec pg_dump (la copie est cohérente "
                    "pendant que Socle sert ; umask 077 la rend lisible par vous seul : elle "
                    "contient les empreintes des mots de passe) : %(command)s"
                )
                # pg_dump writes with the umask's mode: 644 under the usual 022.
                % {
                    "command": "(umask 077 && "
                    f"{pg_dump_command(connection.settings_dict, options['file'])})"
                }
            )
        source = Path(str(connection.settings_dict["NAME"]))
        try:
            result = backup_sqlite(source, Path(options["file"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        # Into a pipe or a device (``socle backup /dev/stdout | gzip``): the summary goes to
        # stderr, not after the copy's bytes.
        out = self.stderr if is_special(Path(options["file"])) else self.stdout
        lines = [
            _("Base de données copiée dans %(path)s (%(size)s Kio).")
            % {"path": result.path, "size": (result.size + 1023) // 1024},
            _("À sauvegarder aussi, hors de la base :"),
        ] + [f"  - {line}" for line in other_files()]
        for line in lines:
            out.write(line, style_func=_plain)


def _plain(text: str) -> str:
    return text
