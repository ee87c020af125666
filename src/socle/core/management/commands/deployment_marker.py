"""``socle deployment_marker [--record]``: whether this node's SQL database and Redis are the
pair the latest ``socle serve`` start recorded (``/healthz``'s ``deployment`` field, checked
by ``socle.W078``), and, with ``--record``, records this node's pair as a start does — after a
Redis emptied (a restart without persistence, ``FLUSHALL``) every node says the marker is
missing until then (docs/deployment.md, "Deployment marker")."""

from __future__ import annotations

from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core import deployment
from socle.core.commands import SocleCommand


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Dit si la base de données et Redis de ce nœud sont la paire du dernier démarrage "
            "de socle serve ; --record enregistre cette paire, comme un démarrage."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--record",
            action="store_true",
            help=_(
                "Enregistre la paire de ce nœud (après un Redis vidé, ou des réglages corrigés "
                "sur tous les nœuds)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["record"]:
            difference = deployment.record_at_start()
            if difference:  # what the previous start left differed: now recorded anew
                self.stdout.write(
                    _("Avant l'enregistrement : %(message)s")
                    % {"message": deployment.message(difference)}
                )
        found = deployment.state()
        self.stdout.write(found.detail)
        if not found.ok:
            raise CommandError(_("Paire différente de celle du dernier démarrage."))
