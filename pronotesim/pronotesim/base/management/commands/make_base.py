"""``manage.py make_base [--seed N] [--pupils N] [--out FILE] [--load]``: a small random base."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pronotesim.base.generator import make_base
from pronotesim.base.loading import parse_base, replace_base


class Command(BaseCommand):
    help = "Génère une petite base PRONOTE aléatoire (JSON pronotesim-base/1)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--pupils", type=int, default=20)
        parser.add_argument("--uai", default="0312609T")
        parser.add_argument("--name", default="Collège Jean Jaurès")
        parser.add_argument("--password", help="mot de passe PRONOTE direct donné à chacun")
        parser.add_argument("--out", help="fichier JSON à écrire (sinon la sortie standard)")
        parser.add_argument("--load", action="store_true", help="charger aussi la base générée")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["pupils"] <= 5000:
            raise CommandError("--pupils : entre 1 et 5000.")
        document = make_base(
            seed=options["seed"],
            pupils=options["pupils"],
            uai=options["uai"],
            name=options["name"],
            password=options["password"],
        )
        text = json.dumps(document, ensure_ascii=False, indent=1)
        if options["out"]:
            Path(options["out"]).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(
                f"Base écrite dans {options['out']} ({len(document['users'])} utilisateurs)."
            )
        elif not options["load"]:
            self.stdout.write(text)
        if options["load"]:
            count = replace_base(parse_base(document))
            self.stdout.write(f"Base chargée : {count} utilisateur(s).")
