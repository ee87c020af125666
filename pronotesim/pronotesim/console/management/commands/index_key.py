"""``manage.py index_key [--force] [--public-out FILE]``: the "Index Education" key pair.

pronotesim holds the private key the ENT's ImportChiffre files are encrypted for; the public
key (PEM) goes to the ENT (``socle pronote_export --public-key``).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pronotesim.console.models import ServerSettings
from pronotesim.files.crypto import generate_private_key_pem, public_pem_of


class Command(BaseCommand):
    help = "Génère (si absente) la clé RSA « Index Education » et écrit sa clé publique."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="remplacer la clé existante")
        parser.add_argument("--public-out", help="fichier où écrire la clé publique PEM")

    def handle(self, *args: Any, **options: Any) -> None:
        server = ServerSettings.load()
        if options["force"] or not server.index_private_key:
            server.index_private_key = generate_private_key_pem()
            server.save(update_fields=["index_private_key"])
            self.stderr.write("Nouvelle clé Index Education générée.")
        public = public_pem_of(server.index_private_key)
        if options["public_out"]:
            path = Path(options["public_out"])
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(public, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Écriture impossible de {path} : {exc.strerror}") from None
            self.stdout.write(f"Clé publique Index Education écrite dans {path}.")
        else:
            self.stdout.write(public, ending="")
