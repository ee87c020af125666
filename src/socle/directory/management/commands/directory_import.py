"""``socle directory_import FILE.csv [--uai UAI]`` and ``… --format aaf PATH``."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand
from socle.directory.aaf.files import EXPECTED, SourceError
from socle.directory.aaf.importer import ImportInProgress, establishment_names, import_aaf
from socle.directory.csv_import import CsvRejected, import_csv_path
from socle.directory.file_kinds import first_names, opens_as_pronote_file, pronote_file_hint
from socle.directory.uai import InvalidUAI, normalize_uai


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Importe l'annuaire depuis un fichier CSV (tout ou rien) ou depuis les fichiers AAF "
            "(--format aaf : fichier, dossier, .zip ou .tar.gz)."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=_("Fichier CSV, ou fichier/dossier/archive AAF."))
        parser.add_argument(
            "--format", choices=["csv", "aaf"], default="csv", help=_("Format (csv par défaut).")
        )
        parser.add_argument(
            "--uai", default=None, help=_("CSV : établissement des lignes sans colonne uai.")
        )
        parser.add_argument(
            "--complet",
            action="store_true",
            help=_(
                "CSV : le fichier liste toute la population de ses établissements (rentrée) ; "
                "les comptes CSV absents quittent l'établissement (désactivés s'ils n'ont plus "
                "aucun rattachement)"
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_(
                "AAF, ou CSV avec --complet : applique les absences d'un fichier complet même "
                "quand elles touchent plus de la moitié des comptes d'un type (sinon : erreur)"
            ),
        )

        parser.add_argument(
            "--rattacher",
            action="append",
            default=[],
            metavar="IDENTIFIANT",
            help=_(
                "CSV : confirme que le compte de cet identifiant, sans date de naissance et "
                "rattaché à un autre établissement, est bien la personne de la ligne qui le "
                "donne dans la colonne login (un parent de deux établissements) ; répétable"
            ),
        )
        parser.add_argument(
            "--renommer",
            action="append",
            default=[],
            metavar="IDENTIFIANT",
            help=_(
                "CSV : confirme que la ligne qui donne cet identifiant dans la colonne login "
                "change celui de son compte, rattaché aussi à un autre établissement (pour "
                "tous ses établissements) ; répétable"
            ),
        )

    def interruption_hint(self, options: dict[str, Any]) -> str:
        if options.get("format") == "aaf":
            # Each file is committed on its own; reading the same files again completes the
            # links, relatives' memberships, deactivations and their signals (docs/aaf.md).
            return _(
                "Les fichiers déjà lus sont enregistrés : relancez la même commande avec les "
                "mêmes fichiers pour terminer l'import."
            )
        return _("Rien n'a été importé : relancez la même commande avec le même fichier.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["format"] == "aaf":
            self._import_aaf(options)
            return
        if options["force"] and not options["complet"]:
            raise CommandError(
                _("--force ne s'emploie qu'avec le format AAF, ou un CSV importé avec --complet.")
            )
        path = str(options["path"])
        if Path(path).is_dir() and not any(
            name.suffix.lower() in {".xml", ".zip", ".gz", ".tgz", ".tar"}
            for name in Path(path).iterdir()
        ):
            raise CommandError(
                _(
                    "%(path)s est un dossier : donnez le fichier CSV à importer (ou, pour un "
                    "export AAF, --format aaf)."
                )
                % {"path": path}
            )
        if _is_pronote_file(Path(path)):  # its XML export, or a CSV extraction
            raise CommandError(pronote_file_hint(path))
        if (
            path.lower().endswith((".xml", ".zip", ".tar.gz", ".tgz", ".tar"))
            or Path(path).is_dir()
        ):
            raise CommandError(
                _("%(path)s ressemble à un export AAF : ajoutez --format aaf (ou donnez un .csv).")
                % {"path": path}
            )
        default_uai = None
        if options["uai"]:
            try:
                default_uai = normalize_uai(options["uai"])
            except InvalidUAI as exc:
                raise CommandError(str(exc)) from None
        on_terminal = self.on_terminal()
        try:
            summary = import_csv_path(
                options["path"],
                default_uai=default_uai,
                progress=self._passwords if on_terminal else None,
                stage=self.show_progress if on_terminal else None,
                full=options["complet"],
                force=options["force"],
                confirmed_logins=options["rattacher"],
                renamed_logins=options["renommer"],
            )
        except CsvRejected as exc:
            self.end_progress()  # the errors start their own lines
            if not exc.rejected_rows and len(exc.errors) == 1:  # the file itself, not its lines
                raise CommandError(
                    _("Fichier refusé, rien n'a été importé : %(error)s") % {"error": exc.errors[0]}
                ) from None
            for error in exc.errors:
                self.stderr.write(error)
            self.stderr.write(
                _(
                    "Fichier refusé, rien n'a été importé : 0 créée(s), 0 mise(s) à jour, "
                    "0 inchangée(s), %(rejected)s ligne(s) rejetée(s)."
                )
                % {"rejected": exc.rejected_rows}
            )
            raise CommandError(_("Import refusé : corrigez les lignes signalées.")) from None
        finally:
            self.end_progress()
        self.stdout.write(_("Personnes : %(summary)s") % {"summary": summary.line()})
        for line in summary.extra_lines():
            self.stdout.write(line)

    def _import_aaf(self, options: dict[str, Any]) -> None:
        if options["uai"]:
            raise CommandError(_("--uai ne s'emploie qu'avec le format CSV."))
        for option in ("rattacher", "renommer"):
            if options[option]:
                raise CommandError(
                    _("--%(option)s ne s'emploie qu'avec le format CSV.") % {"option": option}
                )
        if options["complet"]:
            raise CommandError(
                _(
                    "--complet ne s'emploie qu'avec le format CSV : un export AAF dit lui-même "
                    "s'il est complet (…_Complet_…) ou un delta."
                )
            )
        if _is_pronote_file(Path(options["path"])):  # a lone file, named or not as .xml
            raise CommandError(pronote_file_hint(str(options["path"])))
        progress = self._progress if self.on_terminal() else None
        try:
            report = import_aaf(options["path"], progress=progress, force=options["force"])
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        except ImportInProgress:
            raise CommandError(
                _(
                    "Un autre import AAF est en cours sur cette base : rien n'a été importé. "
                    "Relancez cette commande quand il sera terminé."
                )
            ) from None
        finally:
            self.end_progress()
        for error in report.errors:
            self.stderr.write(error)
        for line in report.lines(establishment_names()):
            self.stdout.write(line)
        if report.nothing_read and report.files_pronote:
            raise CommandError(_pronote_files_only(options["path"], report.files_pronote))
        if report.nothing_read:
            raise CommandError(self._nothing_read(options["path"], report.files_passed_over))
        if report.failed:
            raise CommandError(
                _("Import AAF terminé avec %(count)s erreur(s) : voir ci-dessus.")
                % {"count": len(report.errors)}
            )

    def _nothing_read(self, path: str, others: list[str]) -> str:
        message = _("Aucun fichier AAF lu dans %(path)s : rien n'a été importé.") % {"path": path}
        if others:
            shown = first_names(others)
            return (
                message
                + " "
                + _("Fichiers attendus : %(expected)s ; trouvé(s) : %(found)s.")
                % {"expected": EXPECTED, "found": shown}
            )
        return message + " " + _("Fichiers attendus : %(expected)s.") % {"expected": EXPECTED}

    def _passwords(self, done: int, total: int) -> None:
        self.show_progress(
            _("Mots de passe initiaux : %(done)s/%(total)s") % {"done": done, "total": total}
        )

    def _progress(self, name: str, count: int) -> None:
        self.show_progress(
            _("%(file)s : %(count)s enregistrement(s) lus") % {"file": name, "count": count}
        )


def _pronote_files_only(path: str, names: list[str]) -> str:
    """No AAF file read, but PRONOTE identifier files: the folder (or archive) to give to the
    PRONOTE import instead."""
    return _(
        "Aucun fichier AAF lu dans %(path)s : rien n'a été importé. Il contient %(count)s "
        "fichier(s) d'identifiants de PRONOTE (%(files)s), pas un annuaire : ils s'importent, "
        "établissement par établissement, avec « socle pronote_import FICHIER --uai UAI --mode "
        "complet|partiel » (ou la page « Importer les identifiants PRONOTE »)."
    ) % {"path": path, "count": len(names), "files": first_names(names)}


def _is_pronote_file(path: Path) -> bool:
    """PRONOTE's identifier export (``IdPN_To_….xml``, encrypted or not), by its root, or a CSV
    extraction of PRONOTE (``EXP_ELEVES.csv``…), by its header. Never an archive: a ZIP whose
    files are stored uncompressed (or a plain .tar) shows its first file's root in its first
    bytes, and a PRONOTE file among AAF files is skipped, not the archive."""
    if not path.is_file() or zipfile.is_zipfile(path) or _is_tar(path):
        return False
    return opens_as_pronote_file(lambda: path.open("rb"))


def _is_tar(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False
