"""``socle demo_seed``: seeds the demo (idempotent). See docs/demo.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from socle.core.commands import SocleCommand
from socle.demo.seed import DEMO_ACCOUNTS, PRONOTE2_URL, PRONOTE_URL, seed_demo


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Crée la démonstration : le Collège Jean Jaurès (0312609T) synthétique, un second "
            "établissement, les comptes de démonstration, le service PRONOTE de chaque "
            "établissement, importe les identifiants PRONOTE du second, et écrit les bases "
            "PRONOTE correspondantes pour pronotesim. Relancer ne change rien."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pronote-out",
            default=None,
            help=_("Base pronotesim à écrire (défaut : %(path)s).")
            % {"path": "<SOCLE_DATA_DIR>/pronote-base.json"},
        )
        parser.add_argument(
            "--newcomers-out",
            default=None,
            help=_("Fichier des nouveaux arrivants pour PRONOTE (défaut : %(path)s).")
            % {"path": "<SOCLE_DATA_DIR>/pronote-newcomers.json"},
        )
        parser.add_argument(
            "--pronote-url",
            default=PRONOTE_URL,
            help=_("URL de PRONOTE.net (défaut : %(url)s).") % {"url": PRONOTE_URL},
        )
        parser.add_argument(
            "--pronote2-out",
            default=None,
            help=_("Base pronotesim du second établissement (défaut : %(path)s).")
            % {"path": "<SOCLE_DATA_DIR>/pronote-base-fermat.json"},
        )
        parser.add_argument(
            "--pronote2-url",
            default=PRONOTE2_URL,
            help=_("URL du PRONOTE.net du second établissement (défaut : %(url)s).")
            % {"url": PRONOTE2_URL},
        )
        parser.add_argument(
            "--no-pronote-service",
            action="store_true",
            help=_(
                "Ne déclarer aucun service PRONOTE ni importer d'identifiants PRONOTE "
                "(l'administrateur le fait lui-même, comme dans les tests de bout en bout)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(settings.SOCLE_DATA_DIR)
        pronote_out = Path(options["pronote_out"] or data_dir / "pronote-base.json")
        newcomers_out = Path(options["newcomers_out"] or data_dir / "pronote-newcomers.json")
        pronote2_out = Path(options["pronote2_out"] or data_dir / "pronote-base-fermat.json")
        report = seed_demo(
            pronote_out=pronote_out,
            newcomers_out=newcomers_out,
            pronote_url=options["pronote_url"],
            pronote_service=not options["no_pronote_service"],
            pronote2_out=pronote2_out,
            pronote2_url=options["pronote2_url"],
        )
        for warning in report.warnings:
            self.stderr.write(warning)
        if not report.changed:
            self.stdout.write(_("Démonstration déjà en place : rien à changer."))
        else:
            self.stdout.write(_("Annuaire : %(summary)s") % {"summary": report.school.line()})
            if report.service_created:
                self.stdout.write(
                    _("Service PRONOTE créé (%(url)s).") % {"url": options["pronote_url"]}
                )
            if report.service2_created:
                self.stdout.write(
                    _("Service PRONOTE de %(school)s créé (%(url)s).")
                    % {"school": report.second_school, "url": options["pronote2_url"]}
                )
            if report.identifiers2_imported:
                self.stdout.write(
                    ngettext(
                        "%(count)s identifiant PRONOTE importé pour %(school)s.",
                        "%(count)s identifiants PRONOTE importés pour %(school)s.",
                        report.identifiers2_imported,
                    )
                    % {"count": report.identifiers2_imported, "school": report.second_school}
                )
            if report.blocked:
                self.stdout.write(
                    _("Compte bloqué pour la démonstration (« Comptes ») : %(login)s")
                    % {"login": report.blocked}
                )
            for login in report.school.passwords_restored:
                self.stdout.write(
                    _("Mot de passe de démonstration rétabli : %(login)s") % {"login": login}
                )
            for path in report.files_written:
                self.stdout.write(_("Écrit : %(path)s") % {"path": path})
        self.stdout.write(_("Comptes de démonstration (identifiant / mot de passe) :"))
        for login, password, _key in DEMO_ACCOUNTS:
            self.stdout.write(f"  {login} / {password}")
