"""``socle createsuperuser``: Django's command, whose non-interactive path (``--noinput`` with
``DJANGO_SUPERUSER_PASSWORD``) set the password without the rules (``AUTH_PASSWORD_VALIDATORS``:
12 characters, common passwords, close to the login…) that the interactive one applies. It now
checks them first and refuses, exit status 1, creating nothing. The interactive path is Django's
own (it asks again, or offers to bypass the rules). Found before Django's because ``socle.core``
comes before ``django.contrib.auth`` in ``INSTALLED_APPS``."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

PASSWORD_VARIABLE = "DJANGO_SUPERUSER_PASSWORD"


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not options["interactive"] and password:  # empty: no password, as Django gives
            self._check_password(password, options)
        super().handle(*args, **options)

    def _check_password(self, password: str, options: dict[str, Any]) -> None:
        """The rules as the interactive path applies them: against the account to be created
        (the login, for the similarity rule)."""
        model: Any = self.UserModel  # the directory's Person (core imports no app)
        field = model.USERNAME_FIELD
        login = options.get(field) or os.environ.get(f"DJANGO_SUPERUSER_{field.upper()}", "")
        try:
            validate_password(password, model(**{field: login}))
        except ValidationError as error:
            raise CommandError(
                _(
                    "Mot de passe de %(variable)s refusé : %(reasons)s Aucun compte n'a été "
                    "créé ; choisissez un autre mot de passe."
                )
                % {"variable": PASSWORD_VARIABLE, "reasons": " ".join(error.messages)}
            ) from None
