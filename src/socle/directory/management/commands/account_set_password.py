"""``socle account_set_password LOGIN --password-stdin``: sets a password read from stdin."""

from __future__ import annotations

import sys
from typing import Any, cast

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand
from socle.directory.models import Person
from socle.directory.passwords import set_password


class Command(SocleCommand):
    stealth_options = ("stdin",)
    help = cast(
        str,
        gettext_lazy(
            "Définit le mot de passe d'un compte. Le mot de passe est lu sur l'entrée standard "
            "(une ligne), jamais en argument : il n'apparaît ni dans l'historique ni dans ps."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("login", help=_("Identifiant de connexion du compte."))
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help=_("Lire le mot de passe sur l'entrée standard (obligatoire)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["password_stdin"]:
            raise CommandError(
                _(
                    "Indiquez --password-stdin et passez le mot de passe sur l'entrée standard, "
                    "par exemple : %(example)s"
                )
                % {
                    "example": "printf '%s\\n' \"$MDP\" | socle account_set_password LOGIN "
                    "--password-stdin"
                }
            )
        try:
            person = Person.objects.get(login=options["login"])
        except Person.DoesNotExist:
            raise CommandError(
                _("Aucun compte n'a l'identifiant « %(login)s ».")
                % {"login": options["login"][:64]}
            ) from None
        password = self._read_password(options.get("stdin") or sys.stdin)
        if not password:
            raise CommandError(_("Aucun mot de passe lu sur l'entrée standard."))
        try:
            validate_password(password, person)
        except ValidationError as exc:
            raise CommandError(
                _("Mot de passe refusé : %(reasons)s") % {"reasons": " ".join(exc.messages)}
            ) from None
        set_password(person, password)
        self.stdout.write(
            _("Mot de passe de %(login)s modifié ; ses autres sessions sont closes.")
            % {"login": person.login}
        )

    def _read_password(self, stdin: Any) -> str:
        """One line, decoded as strict UTF-8 whatever the terminal's locale says: a Latin-1
        byte is refused in one sentence instead of failing later in the hash."""
        try:
            if hasattr(stdin, "buffer"):
                line = stdin.buffer.readline().decode("utf-8")
            else:  # a text stream (call_command): undecodable bytes show as surrogates
                line = stdin.readline()
                line.encode("utf-8")
        except (UnicodeDecodeError, UnicodeEncodeError):
            raise CommandError(
                _(
                    "Le mot de passe doit être encodé en UTF-8 (octet invalide sur l'entrée "
                    "standard : texte en Latin-1 ou Windows-1252 ?)."
                )
            ) from None
        return str(line).rstrip("\r\n")
