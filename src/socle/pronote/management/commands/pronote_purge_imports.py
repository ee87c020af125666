"""``socle pronote_purge_imports [--days N] [--dry-run]``: deletes PRONOTE identifier imports
(their steps and parsed rows) older than N days (``SOCLE_PRONOTE_IMPORT_RETENTION_DAYS``, 90 by
default).

The newest import of each establishment is always kept, whatever its age, and so is the last
that wrote identifiers (« Dernier import fait le … en mode … » names it, the diagnostics read
them). The identifiers themselves (``PronoteIdentity``)
are never touched."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand
from socle.pronote.personal_data import purge_old_imports


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Supprime les anciens imports d'identifiants PRONOTE "
            "(le dernier de chaque établissement est gardé)."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=_(
                "Garder les imports de moins de N jours "
                "(par défaut SOCLE_PRONOTE_IMPORT_RETENTION_DAYS, 90)."
            ),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("Compte sans rien supprimer."))

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is None:
            days = settings.SOCLE_PRONOTE_IMPORT_RETENTION_DAYS
        if days < 1:
            raise CommandError(_("--days doit être au moins 1."))
        count, rows = purge_old_imports(days, options["dry_run"])
        if options["dry_run"]:
            text = _(
                "%(count)s import(s) PRONOTE de plus de %(days)s jours seraient supprimés "
                "(%(rows)s ligne(s) lue(s)) ; le dernier import de chaque établissement est gardé."
            )
        else:
            text = _(
                "%(count)s import(s) PRONOTE de plus de %(days)s jours supprimés "
                "(%(rows)s ligne(s) lue(s)) ; le dernier import de chaque établissement est gardé."
            )
        self.stdout.write(text % {"count": count, "days": days, "rows": rows})
