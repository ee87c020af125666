"""``socle retention_purge [--dry-run] [-v 0]``: applies every retention rule at once (docs/
privacy.md): traces and the Django admin's journal (``SOCLE_TRACE_RETENTION_DAYS``), PRONOTE
imports (``SOCLE_PRONOTE_IMPORT_RETENTION_DAYS``), PRONOTE connections without identifier,
used or expired activation codes, expired CAS tickets and sessions, portal sessions and login
throttle counters (the last three only where they are in the database: Redis expires its own),
and people deactivated longer than ``SOCLE_DEACTIVATED_RETENTION_DAYS`` (by batches, each
committed on its own, with their progress printed).

Run it daily from cron or a systemd timer with ``-v 0``: it then prints nothing unless something
fails (cron mails any output); the traces' purge is still recorded as the trace
``traces_purged``."""

from __future__ import annotations

import logging
from typing import Any, cast

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand
from socle.core.personal_data import Purge, purges


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Supprime tout ce qui a dépassé sa durée de conservation (traces, imports PRONOTE, "
            "codes d'activation, tickets, sessions et compteurs expirés, comptes désactivés)."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help=_("Compte sans rien supprimer."))

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        quiet = options["verbosity"] == 0 and not dry_run
        traces_log = logging.getLogger("socle.traces")
        level = traces_log.level
        if quiet:  # the trace is stored; its log line would make cron send a mail every day
            traces_log.setLevel(logging.WARNING)
        try:
            results = [(purge.label, self._run(purge, dry_run, quiet)) for purge in purges()]
        finally:
            traces_log.setLevel(level)
        if quiet:
            return
        for label, count in results:
            shown = _("non compté") if count is None else str(count)
            self.stdout.write(_("%(label)s : %(count)s") % {"label": label, "count": shown})
        if dry_run:
            self.stdout.write(_("Simulation : rien n'a été supprimé."))

    def _run(self, purge: Purge, dry_run: bool, quiet: bool) -> int | None:
        if not purge.progress or dry_run:
            return purge.run(dry_run)

        def progress(done: int, total: int) -> None:
            if not quiet:
                self.stdout.write(
                    _("%(label)s : %(done)s sur %(total)s…")
                    % {"label": purge.label, "done": done, "total": total}
                )

        return purge.run(dry_run, progress=progress)
