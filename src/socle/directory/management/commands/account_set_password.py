"""``socle account_set_password LOGIN --password-stdin``: sets a password read from stdin."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.directory.models import Person
from socle.directory.passwords import set_password


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = (
        "Définit le mot de passe d'un compte. Le mot de passe est lu sur l'entrée standard "
        "(une ligne), jamais en argument : il n'apparaît ni dans l'historique ni dans ps."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("login", help="Identifiant de connexion du compte.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Lire le mot de passe sur l'entrée standard (obligatoire).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["password_stdin"]:
            raise CommandError(
                "Indiquez --password-stdin et passez le mot de passe sur l'entrée standard, "
                "par exemple : printf '%s\\n' \"$MDP\" | socle account_set_password LOGIN "
                "--password-stdin"
            )
        try:
            person = Person.objects.get(login=options["login"])
        except Person.DoesNotExist:
            raise CommandError(
                f"Aucun compte n'a l'identifiant « {options['login'][:64]} »."
            ) from None
        stdin = options.get("stdin") or sys.stdin
        password = stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("Aucun mot de passe lu sur l'entrée standard.")
        try:
            validate_password(password, person)
        except ValidationError as exc:
            raise CommandError("Mot de passe refusé : " + " ".join(exc.messages)) from None
        set_password(person, password)
        self.stdout.write(
            f"Mot de passe de {person.login} modifié ; ses autres sessions sont closes."
        )
