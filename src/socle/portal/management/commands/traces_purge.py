"""``socle traces_purge [--days N] [--dry-run] [-v 0]``: deletes traces older than the retention
period (``SOCLE_TRACE_RETENTION_DAYS``, 365 days by default).

Run daily from cron or a systemd timer with ``-v 0``: nothing is printed then unless something
fails (cron mails any output), and the purge is still recorded as the trace ``traces_purged``."""

from __future__ import annotations

import logging
from typing import Any, cast

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand
from socle.portal.detail_forms import TRACES_PURGED
from socle.portal.trace_log import purge
from socle.portal.traces import record


class Command(SocleCommand):
    help = cast(
        str, gettext_lazy("Supprime les traces plus anciennes que la durée de conservation.")
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=_("Durée de conservation en jours (par défaut SOCLE_TRACE_RETENTION_DAYS)."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Compte les traces à supprimer sans les supprimer."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is None:  # not `or`: --days 0 is refused below, not taken for the default
            days = settings.SOCLE_TRACE_RETENTION_DAYS
        if days < 1:
            raise CommandError(_("--days doit être au moins 1."))
        count = purge(days, dry_run=options["dry_run"])
        if options["dry_run"]:
            self.stdout.write(
                _("%(count)s trace(s) de plus de %(days)s jours seraient supprimées.")
                % {"count": count, "days": days}
            )
            return
        quiet = options["verbosity"] == 0
        traces_log = logging.getLogger("socle.traces")
        level = traces_log.level
        if quiet:  # the trace is stored; its log line would make cron send a mail every day
            traces_log.setLevel(logging.WARNING)
        try:
            record(
                "traces_purged",
                detail=TRACES_PURGED % {"count": count, "days": days},
                actor_login="traces_purge",
            )
        finally:
            traces_log.setLevel(level)
        if quiet:
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)s trace(s) de plus de %(days)s jours supprimée(s).")
                % {"count": count, "days": days}
            )
        )
