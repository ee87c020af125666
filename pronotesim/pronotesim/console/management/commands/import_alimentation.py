"""``manage.py import_alimentation FILE``: the ENT's ImportChiffre file (mode avec alimentation)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pronotesim.files.alimentation import AlimentationError, import_file


class Command(BaseCommand):
    help = "Importe le fichier chiffré de l'ENT et renseigne les identifiants CAS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            if path.stat().st_size > settings.PRONOTESIM_MAX_FILE_SIZE:
                raise CommandError(f"{path} : fichier trop volumineux.")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Lecture impossible de {path} : {exc.strerror}") from None
        try:
            outcome = import_file(data, file_name=path.name)
        except AlimentationError as exc:
            raise CommandError(str(exc)) from None
        report = outcome.record.report
        self.stdout.write(
            f"{outcome.matched} / {report['total']} compte(s) de l'ENT rapproché(s), "
            f"{outcome.changed} identifiant(s) CAS renseigné(s) ou modifié(s)."
        )
        for row in report["ent_unmatched"]:
            category = row.get("category", row["kind"])  # reports older than the label
            self.stdout.write(
                f"  non rapproché : {category} {row['last_name']} {row['first_name']} "
                f"{row['birth_date']} — {row['status']} ({row['detail']})"
            )
        self.stdout.write(
            f"{len(report['pronote_without_cas'])} utilisateur(s) PRONOTE sans identifiant CAS."
        )
