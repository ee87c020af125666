"""``socle demo_seed``: seeds the demo (idempotent). See docs/demo.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from socle.demo.seed import DEMO_ACCOUNTS, PRONOTE_URL, seed_demo


class Command(BaseCommand):
    help = (
        "Crée la démonstration : le Collège Jean Jaurès (0312609T) synthétique, un second "
        "établissement, les comptes de démonstration, le service PRONOTE, et écrit la base "
        "PRONOTE correspondante pour pronotesim. Relancer ne change rien."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pronote-out",
            default=None,
            help="Base pronotesim à écrire (défaut : <SOCLE_DATA_DIR>/pronote-base.json).",
        )
        parser.add_argument(
            "--newcomers-out",
            default=None,
            help="Fichier des nouveaux arrivants pour PRONOTE "
            "(défaut : <SOCLE_DATA_DIR>/pronote-newcomers.json).",
        )
        parser.add_argument(
            "--pronote-url",
            default=PRONOTE_URL,
            help=f"URL de PRONOTE.net (défaut : {PRONOTE_URL}).",
        )
        parser.add_argument(
            "--no-pronote-service",
            action="store_true",
            help="Ne pas déclarer le service PRONOTE (l'administrateur le crée lui-même dans "
            "« Gestion portail », comme dans les tests de bout en bout).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(settings.SOCLE_DATA_DIR)
        pronote_out = Path(options["pronote_out"] or data_dir / "pronote-base.json")
        newcomers_out = Path(options["newcomers_out"] or data_dir / "pronote-newcomers.json")
        report = seed_demo(
            pronote_out=pronote_out,
            newcomers_out=newcomers_out,
            pronote_url=options["pronote_url"],
            pronote_service=not options["no_pronote_service"],
        )
        for warning in report.warnings:
            self.stderr.write(warning)
        if not report.changed:
            self.stdout.write("Démonstration déjà en place : rien à changer.")
        else:
            self.stdout.write(f"Annuaire : {report.school.line()}")
            if report.service_created:
                self.stdout.write(f"Service PRONOTE créé ({options['pronote_url']}).")
            for login in report.school.passwords_restored:
                self.stdout.write(f"Mot de passe de démonstration rétabli : {login}")
            for path in report.files_written:
                self.stdout.write(f"Écrit : {path}")
        self.stdout.write("Comptes de démonstration (identifiant / mot de passe) :")
        for login, password, _key in DEMO_ACCOUNTS:
            self.stdout.write(f"  {login} / {password}")
