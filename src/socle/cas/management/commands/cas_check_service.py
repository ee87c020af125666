from typing import Any

from django.core.management.base import BaseCommand, CommandError

from socle.cas.services import explain


class Command(BaseCommand):
    help = "Indique quel service enregistré accepte une URL, et pourquoi."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("url")

    def handle(self, *args: Any, **options: Any) -> None:
        match, lines = explain(options["url"])
        for line in lines:
            self.stdout.write(line)
        if match is None:
            raise CommandError("Aucun service ne correspond.")
