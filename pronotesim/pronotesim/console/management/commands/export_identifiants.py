"""``manage.py export_identifiants --out FILE|DIR [--sans-identifiant-cas]`` (a path ending
in ``/`` is a folder, made if missing, that receives ``IdPN_To_<PARTENAIRE>.xml``). Without
``--sans-identifiant-cas``, the exported users' « Identifiant CAS » are reset once the file is
written."""

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pronotesim.console.models import ServerSettings
from pronotesim.files.export import ExportUnavailable, build_export, reset_cas_identifiers


class Command(BaseCommand):
    help = "Exporte les identifiants PRONOTE (IdPN_To_<PARTENAIRE>.xml) chiffrés pour le socle ENT."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, help="fichier ou dossier de sortie")
        parser.add_argument(
            "--sans-identifiant-cas",
            action="store_true",
            help="Uniquement les utilisateurs sans identifiants CAS",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = build_export(
                ServerSettings.load(), only_without_cas=options["sans_identifiant_cas"]
            )
        except ExportUnavailable as exc:
            raise CommandError(str(exc)) from None
        out = Path(options["out"])
        try:
            if options["out"].endswith(("/", os.sep)):  # a folder, even one still to make
                out.mkdir(parents=True, exist_ok=True)
            if out.is_dir():
                out = out / result.file_name
            out.write_bytes(result.content)
        except OSError as exc:
            raise CommandError(f"Écriture impossible de {out} : {exc.strerror}") from None
        self.stdout.write(f"{result.count} identifiant(s) PRONOTE exporté(s) dans {out}.")
        cleared = reset_cas_identifiers(result)  # once the file is written
        if cleared:
            self.stdout.write(
                f"{cleared} identifiant(s) CAS réinitialisé(s) : chacun sera associé à "
                "l'identifiant envoyé par l'ENT à la prochaine connexion."
            )
