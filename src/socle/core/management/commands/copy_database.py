"""``socle copy_database URL``: moves the school's data to another, new database."""

from __future__ import annotations

from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand, database_label
from socle.core.copy_database import CopyError, copy_database, password_in, target_database


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Copie les données de la base actuelle (SOCLE_DATABASE_URL) dans une base neuve, "
            "par exemple pour passer de SQLite à PostgreSQL ; Socle doit être arrêté "
            "(docs/deployment.md)."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "url",
            help=_(
                "base cible, ex. postgres://socle@hôte:5432/socle (mot de passe dans ~/.pgpass "
                "ou PGPASSWORD)"
            ),
        )

    def interruption_hint(self, options: dict[str, Any]) -> str:
        return _(
            "La base cible ne reçoit ses lignes qu'en une fois, à la fin : relancez la même "
            "commande."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if password_in(options["url"]):
            self.stderr.write(
                _(
                    "Attention : le mot de passe écrit dans l'adresse est visible des autres "
                    "utilisateurs du serveur (ps) et reste dans l'historique du shell ; donnez-le "
                    "plutôt par ~/.pgpass ou la variable PGPASSWORD."
                )
            )
        try:
            with target_database(options["url"]) as alias:
                label = database_label(alias)
                copied = copy_database(alias, progress=self._step)
        except CopyError as exc:
            raise CommandError(str(exc)) from None
        for model in copied:
            if model.source or model.target:
                self.stdout.write(f"  {model.label} : {model.target}")
        differ = [model for model in copied if model.source != model.target]
        if differ:
            raise CommandError(
                _("Copie incomplète : %(models)s.")
                % {
                    "models": ", ".join(
                        f"{model.label} {model.target}/{model.source}" for model in differ
                    )
                }
            )
        self.stdout.write(
            _(
                "Données copiées dans %(database)s (%(rows)s lignes). Réglez SOCLE_DATABASE_URL "
                "sur cette base (et SOCLE_REDIS_URL), puis démarrez Socle : chacun se reconnecte."
            )
            % {"database": label, "rows": sum(model.target for model in copied)}
        )

    def _step(self, sentence: str) -> None:
        """Each step as it starts, on a terminal (a large school's copy takes minutes)."""
        if self.on_terminal():
            self.stderr.write(sentence, style_func=lambda text: text)
