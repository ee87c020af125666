from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.cas.services import explain
from socle.core.commands import SocleCommand


class Command(SocleCommand):
    help = cast(str, gettext_lazy("Indique quel service enregistré accepte une URL, et pourquoi."))

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "url", help=_("l'URL de service à examiner (telle que le service l'envoie)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        match, lines = explain(options["url"])
        if match is None and lines:
            # The explanation ends on its conclusion: said once, as the error (exit status 1).
            *lines, conclusion = lines
        else:
            conclusion = _("Aucun service ne correspond.")
        for line in lines:
            self.stdout.write(line)
        if match is None:
            raise CommandError(conclusion)
