"""``manage.py load_base FILE.json [--add]``: replaces the PRONOTE base with the file's content,
or (``--add``) adds its users to it, keeping everyone's « Identifiant CAS »."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pronotesim.base.loading import BaseFormatError, parse_base, replace_base
from pronotesim.base.merging import add_users


class Command(BaseCommand):
    help = "Charge une base pronotesim (format pronotesim-base/1) en remplaçant la base actuelle."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="fichier JSON pronotesim-base/1")
        parser.add_argument(
            "--add",
            action="store_true",
            help="ajouter ces utilisateurs à la base actuelle (nouveaux arrivants) sans la vider",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Lecture impossible de {path} : {exc.strerror}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path} n'est pas un JSON UTF-8 valide : {exc}") from None
        try:
            base = parse_base(data, partial=options["add"])
            if options["add"]:
                result = add_users(base)
                self.stdout.write(
                    f"{result.added} utilisateur(s) ajouté(s), {result.updated} mis à jour."
                )
                return
        except BaseFormatError as exc:
            raise CommandError(f"{path} : {exc}") from None
        count = replace_base(base)
        self.stdout.write(f"Base chargée : {base.name} ({base.uai}), {count} utilisateur(s).")
