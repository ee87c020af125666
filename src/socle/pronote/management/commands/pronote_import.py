"""``socle pronote_import FILE --uai UAI --mode complet|partiel [--auto-only] [--dry-run]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from socle.directory.models import Establishment
from socle.directory.uai import InvalidUAI, normalize_uai
from socle.pronote.categories import STEP_COUNT, STEPS
from socle.pronote.files import PronoteFileError
from socle.pronote.importer.report import report_csv, report_text, summary_line
from socle.pronote.importer.session import load_files, start_import
from socle.pronote.importer.steps import prepare_step, run_automatic
from socle.pronote.models import ImportMode, ImportRow, RowStatus


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Importe le fichier des identifiants PRONOTE d'un établissement (fichier chiffré "
        "EXPORT_INDEX_EDUCATION, XML déchiffré ou extractions CSV) et rapproche les comptes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files",
            nargs="+",
            metavar="FILE",
            help="fichier(s) d'identifiants (plusieurs CSV possibles)",
        )
        parser.add_argument("--uai", required=True, help="UAI de l'établissement")
        parser.add_argument("--mode", required=True, choices=ImportMode.values)
        parser.add_argument(
            "--auto-only",
            action="store_true",
            help="valider les six étapes avec les seuls rapprochements automatiques",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="tout calculer et afficher, ne rien enregistrer"
        )
        parser.add_argument("--report", metavar="CSV", help="écrire le rapport CSV dans ce fichier")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        try:
            uai = normalize_uai(options["uai"])
        except InvalidUAI as exc:
            raise CommandError(str(exc)) from None
        establishment = Establishment.objects.filter(uai=uai).first()
        if establishment is None:
            raise CommandError(f"Établissement {uai} inconnu (socle establishment_add).")
        files = []
        for name in options["files"]:
            path = Path(name)
            try:
                files.append((path.name, path.read_bytes()))
            except OSError as exc:
                raise CommandError(f"{name} : lecture impossible ({exc.strerror}).") from None
        try:
            parsed = load_files(files, uai)
        except PronoteFileError as exc:
            raise CommandError(f"Rien n'a été importé. {exc}") from None
        self.stdout.write(
            f"{len(parsed.records)} personne(s) lue(s) dans "
            f"{', '.join(n for n, _ in files)} ({parsed.format})."
        )
        try:
            with transaction.atomic():
                session = start_import(
                    parsed,
                    establishment,
                    options["mode"],
                    source_name=", ".join(n for n, _ in files),
                )
                if options["auto_only"]:
                    session = run_automatic(session)
                    self.stdout.write(report_text(session))
                    self._conflicts(session)
                else:
                    self._preview(session)
                if options["report"]:
                    Path(options["report"]).write_bytes(report_csv(session))
                    self.stdout.write(f"Rapport CSV : {options['report']}")
                if options["dry_run"]:
                    raise _DryRun
        except _DryRun:
            self.stdout.write("--dry-run : rien n'a été enregistré.")
            return
        if options["auto_only"]:
            with translation.override(None):  # the command speaks French, like PRONOTE's page
                self.stdout.write(summary_line(establishment))
        else:
            url = settings.SOCLE_BASE_URL + reverse("pronote:step", args=[session.pk, 1])
            self.stdout.write(
                "Rien n'a encore été écrit. Les rapprochements manuels (homonymes, comptes non "
                f"reconnus) se font dans l'administration : {url}\n"
                "Ou relancez avec --auto-only pour valider les seuls rapprochements automatiques."
            )

    def _preview(self, session: Any) -> None:
        for spec in STEPS:
            current = prepare_step(session, spec.number)
            self.stdout.write(
                f"Étape {spec.number}/{STEP_COUNT} : rapprochement des {spec.plural} — "
                f"{current.recognised} {spec.plural.lower()} reconnus, "
                f"{current.unrecognised} non reconnus"
            )
            limit = None if self.verbosity > 1 else 20
            rows = ImportRow.objects.filter(
                session=session, category=spec.category.value, status=RowStatus.UNRECOGNISED
            ).order_by("position")
            shown = list(rows[:limit] if limit else rows)
            for row in shown:  # ``reason``: the stored French text, whatever the language
                best = row.candidates[0]["label"] if row.candidates else "aucun candidat"
                self.stdout.write(
                    f"  - {row.last_name} {row.first_name} ({row.pronote_id}) : "
                    f"{row.reason} ; proposé : {best}"
                )
            if limit and current.unrecognised > limit:
                self.stdout.write(
                    f"  … et {current.unrecognised - limit} autre(s) (--verbosity 2 pour tout voir)"
                )

    def _conflicts(self, session: Any) -> None:
        rows = session.rows.filter(outcome="conflict").order_by("position")
        for row in rows[:50]:
            self.stdout.write(
                f"  conflit : {row.last_name} {row.first_name} "
                f"({row.pronote_id}) — {row.outcome_detail}"
            )
