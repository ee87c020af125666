"""``socle establishment_add UAI NAME [--postal-code CP] [--city VILLE]``."""

from __future__ import annotations

from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand
from socle.directory.models import Establishment
from socle.directory.uai import InvalidUAI, normalize_uai


class Command(SocleCommand):
    help = cast(
        str, gettext_lazy("Ajoute un établissement (ou met à jour celui qui a déjà cet UAI).")
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("uai", help=_("UAI : 7 chiffres et la lettre de contrôle (0312609T)."))
        parser.add_argument("name", help=_("Nom de l'établissement."))
        parser.add_argument("--postal-code", default="", help=_("Code postal."))
        parser.add_argument("--city", default="", help=_("Ville."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            uai = normalize_uai(options["uai"])
        except InvalidUAI as exc:
            raise CommandError(str(exc)) from None
        name = options["name"].strip()
        if not name or len(name) > 200:
            raise CommandError(_("Le nom de l'établissement doit faire de 1 à 200 caractères."))
        postal_code, city = options["postal_code"].strip(), options["city"].strip()
        if len(postal_code) > 10 or len(city) > 100:
            raise CommandError(
                _("Code postal (10 caractères) ou ville (100 caractères) trop long.")
            )
        defaults = {"name": name}
        if postal_code:
            defaults["postal_code"] = postal_code
        if city:
            defaults["city"] = city
        establishment, created = Establishment.objects.update_or_create(uai=uai, defaults=defaults)
        message = (
            _("Établissement %(establishment)s ajouté.")
            if created
            else _("Établissement %(establishment)s mis à jour.")
        )
        self.stdout.write(message % {"establishment": establishment})
