"""``manage.py set_spr_password [--password P]``: the SPR password of the administration pages."""

import getpass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError

from pronotesim.console.models import ServerSettings


class Command(BaseCommand):
    help = "Définit le mot de passe SPR protégeant l'administration de PRONOTE.net."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", help="sinon demandé au terminal")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or getpass.getpass("Mot de passe SPR : ")
        if len(password) < 4:
            raise CommandError("Mot de passe SPR trop court (4 caractères au moins).")
        server = ServerSettings.load()
        server.spr_password_hash = make_password(password)
        server.save(update_fields=["spr_password_hash"])
        self.stdout.write("Mot de passe SPR enregistré.")
