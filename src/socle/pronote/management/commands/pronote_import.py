"""``socle pronote_import FILE --uai UAI --mode complet|partiel [--auto-only] [--dry-run]
[--force]``."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.management.base import CommandError, CommandParser, OutputWrapper
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from socle.core.commands import SocleCommand
from socle.core.files import write_file
from socle.core.plain_errors import os_error
from socle.directory.command_options import establishment_of
from socle.directory.file_kinds import first_names, pronote_files_in
from socle.pronote.categories import STEPS
from socle.pronote.files import PronoteFileError
from socle.pronote.importer import renumbered
from socle.pronote.importer.csv_report import report_csv
from socle.pronote.importer.removals import (
    RemovalCheck,
    command_notice,
    command_refusal,
)
from socle.pronote.importer.report import (
    report_text,
    step_heading,
    summary_line,
)
from socle.pronote.importer.session import load_files, start_import
from socle.pronote.importer.steps import (
    run_automatic,
)
from socle.pronote.journal import Actor
from socle.pronote.management.import_preview import ImportPreview
from socle.pronote.models import ImportMode
from socle.pronote.school_year import old_export_warning


class _DryRun(Exception):
    pass


class Command(ImportPreview, SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Importe le fichier des identifiants PRONOTE d'un établissement (fichier chiffré "
            "EXPORT_INDEX_EDUCATION, XML déchiffré ou extractions CSV) et rapproche les comptes."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files",
            nargs="+",
            metavar="FILE",
            help=_("fichier(s) d'identifiants (plusieurs CSV possibles)"),
        )
        parser.add_argument("--uai", required=True, help=_("UAI de l'établissement"))
        parser.add_argument(
            "--mode",
            required=True,
            choices=ImportMode.values,
            help=_(
                "complet : le fichier de la rentrée, qui remplace les identifiants de "
                "l'établissement ; partiel : les nouveaux arrivants, qui s'ajoutent"
            ),
        )
        parser.add_argument(
            "--auto-only",
            action="store_true",
            help=_("valider les six étapes avec les seuls rapprochements automatiques"),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("tout calculer et afficher, ne rien enregistrer"),
        )
        parser.add_argument(
            "--report", metavar="CSV", help=_("écrire le rapport CSV dans ce fichier")
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_(
                "mode Complet : supprimer les identifiants absents du fichier même quand ils "
                "sont nombreux (sans --force, l'import est alors refusé)"
            ),
        )

    def interruption_hint(self, options: dict[str, Any]) -> str:
        return _("Rien n'a été enregistré : relancez la même commande avec les mêmes fichiers.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        establishment = establishment_of(options["uai"])
        files = []
        for name in options["files"]:
            path = Path(name)
            try:
                files.append((path.name, path.read_bytes()))
            except IsADirectoryError:
                raise CommandError(_folder_given(name)) from None
            except OSError as exc:
                raise CommandError(
                    _("%(path)s : lecture impossible (%(error)s).")
                    % {"path": name, "error": os_error(exc)}
                ) from None
        report_path = options["report"]
        if report_path:
            self._check_writable(report_path)  # before the import, not after it
        self.show_progress(_("Lecture de %(files)s…") % {"files": ", ".join(options["files"])})
        try:
            parsed = load_files(files, establishment.uai)
        except PronoteFileError as exc:
            raise CommandError(_("Rien n'a été importé. %(error)s") % {"error": exc}) from None
        self.end_progress()  # stdout's lines below start their own
        names = ", ".join(name for name, _data in files)
        self.stdout.write(
            ngettext(
                "%(count)s personne lue dans %(files)s (%(format)s).",
                "%(count)s personnes lues dans %(files)s (%(format)s).",
                len(parsed.records),
            )
            % {"count": len(parsed.records), "files": names, "format": parsed.format}
        )
        if parsed.ignored:
            self.stdout.write(_("Attention : %(message)s") % {"message": parsed.ignored_text()})
        old_export = old_export_warning(parsed.exported_at)
        if old_export:
            self.stdout.write(_("Attention : %(message)s") % {"message": old_export})
        self.show_progress(
            ngettext(
                "Rapprochement de %(count)s personne avec l'annuaire…",
                "Rapprochement de %(count)s personnes avec l'annuaire…",
                len(parsed.records),
            )
            % {"count": len(parsed.records)}
        )
        try:
            with self._held_until_committed(), transaction.atomic():
                session = start_import(
                    parsed,
                    establishment,
                    options["mode"],
                    source_name=names,
                    actor=Actor(command="pronote_import"),
                )
                if options["auto_only"]:
                    large: list[RemovalCheck] = []
                    session = run_automatic(
                        session,
                        large_removals=large,
                        actor=Actor(command="pronote_import"),
                        progress=self._step_progress,
                    )
                    if large and not (options["force"] or options["dry_run"]):
                        raise CommandError(command_refusal(large))  # rolls everything back
                    self.stdout.write(report_text(session))
                    self._conflicts(session)
                    renumbered_hint = renumbered.hint(
                        renumbered.stored_count(session), command=True
                    )
                    if renumbered_hint:
                        self.stdout.write(renumbered_hint)
                    self._cas_mismatches(session)
                    self._namesakes(session)
                    if large:
                        self.stdout.write(command_notice(large, forced=options["force"]))
                else:
                    self._preview(session)
                report = report_csv(session) if report_path else None
                self.show_progress(_("Enregistrement…"))
                if options["dry_run"]:
                    raise _DryRun
        except _DryRun:
            self._write_report(report_path, report, saved=False)
            self.stdout.write(_("--dry-run : rien n'a été enregistré."))
            return
        self._write_report(report_path, report, saved=True)
        if options["auto_only"]:
            # PRONOTE's own import page header, imitated: French whatever the language
            # (docs/architecture.md, "Languages"); the pages show it translated.
            with translation.override(None):
                self.stdout.write(summary_line(establishment))
        else:
            url = settings.SOCLE_BASE_URL + reverse("pronote:step", args=[session.pk, 1])
            self.stdout.write(
                _(
                    "Rien n'a encore été écrit. Les rapprochements manuels (homonymes, comptes "
                    "non reconnus) se font dans l'administration : %(url)s\n"
                    "Ou relancez avec --auto-only pour valider les seuls rapprochements "
                    "automatiques."
                )
                % {"url": url}
            )

    @contextmanager
    def _held_until_committed(self) -> Iterator[None]:
        """What the command says of the import (« validée : N importés » for each step, the
        preview) is held while the transaction is open and printed once it is committed (or
        rolled back by --dry-run, which says so): a write the database refuses at the end (its
        disk full) or Ctrl-C rolls everything back, and the lines claiming the steps were
        validated are then never printed before « Rien n'a été enregistré »."""
        real = self.stdout
        held = io.StringIO()  # the progress, on stderr, goes on meanwhile
        self.stdout = OutputWrapper(held)
        try:
            yield
        except _DryRun:
            self._release(real, held)
            raise
        else:
            self._release(real, held)
        finally:
            self.stdout = real

    def _release(self, real: OutputWrapper, held: io.StringIO) -> None:
        self.end_progress()
        self.stdout = real
        self.stdout.write(held.getvalue(), ending="")

    def _check_writable(self, path: str) -> None:
        """Refuses, before anything is imported, a report path that cannot be written. A file
        there is opened for appending (nothing written); otherwise a probe is created at the path
        exclusively and removed: never through a link (a dangling one planted in a shared folder
        would have the command create the file it points at), which the report replaces."""
        target = Path(path)
        try:
            if target.exists():  # through a link to an existing file, as before
                with target.open("ab"):
                    pass
            elif not target.is_symlink():  # a dangling link is replaced by the report
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
                os.close(os.open(target, flags, 0o600))
                target.unlink()
        except FileExistsError:
            pass  # created meanwhile by someone else: the report replaces it
        except OSError as exc:
            raise CommandError(
                _("Rapport CSV %(path)s : écriture impossible (%(error)s) ; rien n'a été importé.")
                % {"path": path, "error": os_error(exc)}
            ) from None

    def _write_report(self, path: str | None, report: bytes | None, *, saved: bool) -> None:
        """Written once the import is committed (or rolled back by --dry-run): a report that
        cannot be written no longer undoes the import. Whole or not at all: a full disk leaves
        the previous report as it was (``socle.core.files``)."""
        if not path or report is None:
            return
        try:
            # pupils' names and birth dates; a file written in place is said first (notify)
            write_file(Path(path), report, private=True, notify=self.stderr.write)
        except OSError as exc:
            message = (
                _(
                    "L'import est enregistré, mais le rapport CSV %(path)s n'a pas pu être écrit "
                    "(%(error)s)."
                )
                if saved
                else _("Le rapport CSV %(path)s n'a pas pu être écrit (%(error)s).")
            )
            raise CommandError(message % {"path": path, "error": os_error(exc)}) from None
        self.stdout.write(_("Rapport CSV : %(path)s") % {"path": path})

    def _step_progress(self, number: int) -> None:
        self.show_progress(step_heading(STEPS[number - 1]) + "…")


def _folder_given(name: str) -> str:
    """A folder given for the files (the CSV extractions sit in one): the files to give
    instead, naming those of the folder that look like PRONOTE's."""
    found = pronote_files_in(Path(name))
    if not found:
        return _(
            "%(path)s est un dossier : donnez les fichiers d'identifiants eux-mêmes (l'export "
            "de PRONOTE, IdPN_To_….xml, ou ses extractions CSV, EXP_ELEVES.csv…) ; aucun "
            "fichier de ce dossier ne ressemble à un fichier de PRONOTE."
        ) % {"path": name}
    return _(
        "%(path)s est un dossier : donnez les fichiers d'identifiants eux-mêmes (plusieurs "
        "possibles). Il en contient %(count)s : %(files)s."
    ) % {
        "path": name,
        "count": len(found),
        "files": first_names([str(Path(name) / file) for file in found]),
    }
