"""``socle serve``: migrate, prepare and serve with gunicorn (not ``runserver``)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core import deployment
from socle.core.commands import SocleCommand, pending_migrations
from socle.core.health import redis_at_start, without_password
from socle.core.node_key import another_key_at_start
from socle.core.server import ServeOptions, prepare_node, run

logger = logging.getLogger("socle.core")


def int_between(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type``: an integer from ``low`` to ``high``, else argparse's own error
    (``socle serve: error: argument --port: …``) with a French reason."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                _("« %(value)s » n'est pas un nombre entier") % {"value": text}
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                _("%(value)s hors limites : de %(low)s à %(high)s")
                % {"value": value, "low": low, "high": high}
            )
        return value

    return parse


class Command(SocleCommand):
    stops_on_sigterm = False  # gunicorn's own handler: a graceful stop
    help = cast(
        str,
        gettext_lazy(
            "Applique les migrations, prépare le cache et les fichiers statiques, puis sert Socle "
            "avec gunicorn (réglages de production, voir docs/deployment.md)."
        ),
    )
    requires_system_checks: list[str] = []  # run below, after the options are known

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("adresse d'écoute"))
        parser.add_argument(
            "--port", type=int_between(1, 65535), default=8000, help=_("port d'écoute")
        )
        parser.add_argument(
            "--workers",
            type=int_between(1, 256),
            default=None,
            help=_("processus gunicorn (défaut : SOCLE_SERVE_WORKERS, sinon un par cœur)"),
        )
        parser.add_argument(
            "--threads",
            type=int_between(1, 64),
            default=None,
            help=_("fils par processus (défaut : SOCLE_SERVE_THREADS, 8)"),
        )
        parser.add_argument(
            "--no-prepare",
            action="store_true",
            help=_("ne pas appliquer les migrations ni collecter les fichiers statiques"),
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.conf import settings

        options = ServeOptions.from_settings(
            host=opts["host"],
            port=opts["port"],
            workers=opts["workers"],
            threads=opts["threads"],
        )
        # The checks and the forked workers see the values actually used (socle.W083 depends
        # on the worker count, the admission queue on the thread count).
        settings.SOCLE_SERVE_WORKERS = options.effective_workers
        settings.SOCLE_SERVE_THREADS = options.threads
        self.check(display_num_errors=False)
        if not opts["no_prepare"]:
            prepare_node(verbosity=max(0, opts["verbosity"] - 1))
        elif count := pending_migrations():
            # Served anyway, such a node answered /healthz 200 and 503 to every login.
            raise CommandError(
                _(
                    "La base de données n'est pas à jour (%(count)s migration(s) à appliquer) : "
                    "lancez « socle migrate » avant « socle serve --no-prepare », ou démarrez "
                    "sans --no-prepare."
                )
                % {"count": count}
            )
        if (problem := redis_at_start()) is not None:
            logger.warning(
                "Redis at %s does not answer (%s): the node starts, but answers 503 to every "
                "login and /healthz until it does; check SOCLE_REDIS_URL and the Redis server",
                without_password(settings.SOCLE_REDIS_URL),
                problem,
            )
        if problem is None and (difference := deployment.record_at_start()):
            logger.warning(deployment.START_LINES.get(difference, difference))
        if problem is None and another_key_at_start():  # the cache is Redis: said above
            logger.warning(
                "The node started before this one on this database and cache (another node, or "
                "this one before a restart) signed with another secret key, not among this "
                "node's former keys: each node empties the portal sessions the other opened and "
                "refuses its first-connection links, and the activation letters printed under "
                "the other key no longer open here; give every node the same SOCLE_SECRET_KEY "
                "(or SOCLE_SECRET_KEY_FILE), and after a change of key the former one in "
                'SOCLE_SECRET_KEY_FALLBACKS_FILE (docs/deployment.md, "Rotating secrets")'
            )
        self.stdout.write(
            _("Socle sur %(url)s — %(workers)s processus × %(threads)s fils (Ctrl-C pour arrêter).")
            % {
                "url": f"http://{options.host}:{options.port}/",
                "workers": options.effective_workers,
                "threads": options.threads,
            }
        )
        self.stdout.flush()
        run(options)
