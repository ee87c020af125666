"""``socle activation_letters --uai UAI [--class 5E1] [--profile National_TUT] --out FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand
from socle.core.plain_errors import os_error
from socle.directory.letters import issue_letters, write_csv, write_pdf
from socle.directory.models import Establishment
from socle.directory.profiles import Profile, parse_profile
from socle.directory.uai import InvalidUAI, normalize_uai


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Produit les fiches de connexion (identifiant + code d'activation) des personnes d'un "
            "établissement qui n'ont pas encore de mot de passe : PDF à imprimer (une page par "
            "personne) ou CSV pour un publipostage. Crée ou renouvelle leurs codes d'activation."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--uai", required=True, help=_("UAI de l'établissement."))
        parser.add_argument("--class", dest="class_name", default=None, help=_("Classe (ex. 5E1)."))
        parser.add_argument(
            "--profile", default=None, help=_("Profil (National_ELV, National_TUT, enseignant…).")
        )
        parser.add_argument("--out", required=True, help=_("Fichier de sortie .pdf ou .csv."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            uai = normalize_uai(options["uai"])
        except InvalidUAI as exc:
            raise CommandError(str(exc)) from None
        establishment = Establishment.objects.filter(uai=uai).first()
        if establishment is None:
            raise CommandError(_("Établissement %(uai)s inconnu.") % {"uai": uai})
        profile = None
        if options["profile"]:
            profile = parse_profile(options["profile"])
            if profile is None:
                raise CommandError(
                    _("Profil « %(profile)s » inconnu ; attendus : %(expected)s.")
                    % {"profile": options["profile"][:30], "expected": ", ".join(Profile.values)}
                )
        out = Path(options["out"])
        suffix = out.suffix.lower()
        if suffix not in {".pdf", ".csv"}:
            raise CommandError(_("--out doit se terminer par .pdf ou .csv."))
        if not out.parent.exists():
            raise CommandError(_("Dossier %(folder)s introuvable.") % {"folder": out.parent})
        letters = issue_letters(establishment, class_name=options["class_name"], profile=profile)
        try:
            (write_pdf if suffix == ".pdf" else write_csv)(letters, out)
        except OSError as exc:
            raise CommandError(
                _("Écriture impossible dans %(path)s : %(reason)s.")
                % {"path": out, "reason": os_error(exc)}
            ) from None
        self.stdout.write(
            _(
                "%(count)s fiche(s) de connexion écrite(s) dans %(path)s ; les codes précédents "
                "de ces personnes ne sont plus valables."
            )
            % {"count": len(letters), "path": out}
        )
