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
        for line in lines:
            self.stdout.write(line)
        if match is None:
            raise CommandError(_("Aucun service ne correspond."))
