"""``socle pronote_export --uai UAI[,UAI…] --public-key FILE --partner-id ID --out FILE|DIR``.

One file per establishment: Index Education's container carries one UAI and PRONOTE refuses a
file for another base. With one UAI, ``--out`` is the file (or an existing folder, which then
receives ``RapprochementSSO_<UAI>.xml``); with several, ``--out`` is a folder (created if missing)
receiving one ``RapprochementSSO_<UAI>.xml`` per establishment, each to be imported into that
establishment's PRONOTE.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from socle.core.commands import SocleCommand
from socle.core.files import PendingFile, is_special
from socle.core.plain_errors import os_error
from socle.directory.command_options import establishment_of
from socle.directory.models import Establishment
from socle.pronote.export.rapprochement import ExportResult
from socle.pronote.export.service import build_export, file_name, record_export
from socle.pronote.files import PronoteFileError
from socle.pronote.files.crypto import load_public_key
from socle.pronote.journal import Actor


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Mode avec alimentation : exporte les utilisateurs de l'ENT pour PRONOTE "
            "(RapprochementSSO v2.0 chiffré dans un conteneur ImportChiffre)."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--uai", required=True, help=_("UAI, ou plusieurs séparés par des virgules")
        )
        parser.add_argument(
            "--public-key",
            required=True,
            help=_("clé publique d'Index Education (PEM ou SSH2/RFC 4716)"),
        )
        parser.add_argument(
            "--partner-id",
            required=True,
            help=_("identifiant partenaire fourni par Index Education"),
        )
        parser.add_argument(
            "--out",
            required=True,
            help=_(
                "fichier à écrire ; avec plusieurs UAI, dossier où écrire un fichier "
                "RapprochementSSO_<UAI>.xml par établissement"
            ),
        )

    _in_place: list[Path]  # the files renamed onto their targets (or written whole into them)
    _partly: list[Path]  # the targets written directly whose write failed or was interrupted
    _to_place = 0
    _recorded = False  # the export of the files in place committed (marks and traces)

    def interruption_hint(self, options: dict[str, Any]) -> str:
        """The state a stop (Ctrl-C, a refused rename, a database error) leaves."""
        hint = self._hint()
        partly = getattr(self, "_partly", [])
        if partly:  # a device, a pipe or a file written directly, not whole
            said = ngettext(
                "Peut-être écrit en partie, et son export non enregistré : %(files)s ; "
                "ne l'importez pas dans PRONOTE.",
                "Peut-être écrits en partie, et leur export non enregistré : %(files)s ; "
                "ne les importez pas dans PRONOTE.",
                len(partly),
            ) % {"files": ", ".join(str(path) for path in partly)}
            hint = f"{said} {hint}"
        return hint

    def _hint(self) -> str:
        written = getattr(self, "_in_place", [])
        files = ", ".join(str(path) for path in written)
        if not written and getattr(self, "_partly", []):
            return _("Aucun fichier n'a été écrit en entier : relancez la même commande.")
        if not written:
            return _("Aucun fichier n'a été écrit ni remplacé : relancez la même commande.")
        if not self._recorded:  # the commit refused or cut after the renames
            return _(
                "Ces fichiers sont écrits mais l'export n'est pas enregistré : %(files)s ; "
                "relancez la même commande pour l'enregistrer."
            ) % {"files": files}
        if len(written) == self._to_place:  # stopped while printing
            return _("L'export est enregistré et ses fichiers sont écrits : %(files)s.") % {
                "files": files
            }
        return _(  # a rename refused, or Ctrl-C between two
            "Seuls ces fichiers sont écrits, et l'export n'est enregistré que pour eux : "
            "%(files)s ; relancez la même commande pour écrire les autres."
        ) % {"files": files}

    def handle(self, *args: Any, **options: Any) -> None:
        establishments: list[Establishment] = []
        for text in options["uai"].split(","):
            if not text.strip():
                continue
            establishment = establishment_of(text)
            if establishment not in establishments:
                establishments.append(establishment)
        if not establishments:
            raise CommandError(_("--uai : au moins un UAI attendu."))
        targets = self._targets(establishments, Path(options["out"]))
        try:
            public_key = load_public_key(Path(options["public_key"]).read_bytes())
        except OSError as exc:
            raise CommandError(
                _("%(path)s : lecture impossible (%(error)s).")
                % {"path": options["public_key"], "error": os_error(exc)}
            ) from None
        except PronoteFileError as exc:
            raise CommandError(str(exc)) from None
        partner_id = options["partner_id"].strip()
        if not partner_id:
            raise CommandError(_("--partner-id est vide."))
        several = len(establishments) > 1
        if several:
            self.stdout.write(
                _(
                    "%(count)s établissements : un fichier par établissement, chacun à importer "
                    "dans la base PRONOTE de son établissement."
                )
                % {"count": len(establishments)}
            )
        # Everything is built, then every file written beside its target, before the database
        # records anything: a file that cannot be written leaves the previous one, the services'
        # username modes and the journal as they were. Then the files are put in place and
        # their export recorded together (_place_and_record).
        exports = []
        for done, (establishment, target) in enumerate(zip(establishments, targets, strict=True)):
            if several:  # a few seconds per large school
                self._built(done, len(establishments))
            exports.append(
                (establishment, target, *build_export(establishment, public_key, partner_id))
            )
        if several:
            self._built(len(establishments), len(establishments))
        self.end_progress()  # the progress line stays, ended, as the other commands leave it
        if several:
            self._make_folder(Path(options["out"]))
        pending: list[PendingFile] = []
        try:
            for _establishment, target, data, _result in exports:
                try:
                    pending.append(PendingFile(target, data))
                except OSError as exc:
                    raise CommandError(
                        _(
                            "%(path)s : écriture impossible (%(error)s). Aucun fichier n'a été "
                            "écrit ni remplacé."
                        )
                        % {"path": target, "error": os_error(exc)}
                    ) from None
                if pending[-1].notice:  # written in place, not replaced whole: said first
                    self.stderr.write(pending[-1].notice)
            self._place_and_record([(e, r) for e, _t, _d, r in exports], pending)
        finally:
            for file in pending:
                if not file.in_place():
                    file.discard()
        # A device or a pipe (``--out /dev/stdout``) carries the file: the summary goes to stderr.
        summary = self.stderr if any(is_special(target) for target in targets) else self.stdout
        for establishment, target, _data, result in exports:
            if several:
                summary.write(f"{establishment.uai} — {establishment.name}")
            # the counts are named by the RapprochementSSO containers (Personnels, Eleves…)
            counts = ", ".join(f"{n} {name}" for name, n in result.counts.items()) or _("personne")
            summary.write(_("Exporté : %(counts)s.") % {"counts": counts})
            for line in result.skipped:
                summary.write("  " + _("non exporté : %(line)s") % {"line": line})
            summary.write(
                _(
                    "Fichier chiffré pour Index Education écrit : %(path)s. "
                    "À importer dans le client PRONOTE (SPR), puis à supprimer."
                )
                % {"path": target}
            )

    def _built(self, done: int, total: int) -> None:
        self.show_progress(
            _("Fichiers chiffrés : %(done)s/%(total)s") % {"done": done, "total": total}
        )

    def _place_and_record(
        self, exports: list[tuple[Establishment, ExportResult]], pending: list[PendingFile]
    ) -> None:
        """Puts the files (written whole beside their targets) in place and records the export
        of those in place, in this order, so that no stop leaves a record of a file that was not
        written, nor (but for the commit itself, below) a file written and not recorded:

        1. in one transaction, each establishment's records (``record_export``: the services'
           username modes fixed and the UAI's uids date, the « Export pour PRONOTE » trace,
           inserted in the transaction, or queued for the commit when traces are deferred): a
           write the database refuses stops here, before any file is in place, and leaves
           nothing recorded;
        2. the files renamed onto their targets, one by one — or written into a target that
           cannot be replaced (``PendingFile.direct``: a device, a pipe, a file in a folder where
           no temporary file can be made), opened before step 1 and written only here, so that
           step 1 refused leaves it untouched too; such a write that fails is not in place (it
           may have left part of the file there, which the message says: ``_partly``);
        3. a rename refused, or Ctrl-C (SIGTERM) between two: the records of step 1 are rolled
           back (an inner savepoint) and made again for the files in place alone — a file is
           in place once its temporary file is gone, even if the stop came before the rename
           returned — then the stop goes on, after the commit;
        4. the commit: marks and traces of the files in place together.

        What is left is a commit refused or cut after the renames (the connection lost at that
        very moment): the files are in place and nothing is recorded, which the command then
        says (:meth:`interruption_hint`); running it again writes and records them. Recording
        after the renames instead would leave that state at every write the database refuses
        (its disk full, a lock held too long); committing the records before the renames, the
        reverse (a username mode fixed, a trace « Export pour PRONOTE », for a file never
        written) at every refused rename."""
        actor = Actor(command="pronote_export")
        self._in_place, self._partly = [], []
        self._to_place, self._recorded = len(pending), False
        stop: BaseException | None = None
        with transaction.atomic():
            try:
                with transaction.atomic():
                    for establishment, result in exports:
                        record_export(establishment, result, actor)
                    for file in pending:
                        self._put_in_place(file)
                        self._in_place.append(file.target)
            except BaseException as exc:  # step 3 (step 1 failed: no file is in place)
                stop = exc
                placed = [(e, f) for e, f in zip(exports, pending, strict=True) if f.in_place()]
                self._in_place = [file.target for _export, file in placed]
                self._partly = [file.target for file in pending if file.partly_written()]
                for (establishment, result), _file in placed:
                    record_export(establishment, result, actor)
        self._recorded = True
        if isinstance(stop, CommandError):  # a rename refused: say what was written
            raise CommandError(f"{stop} {self.interruption_hint({})}") from None
        if stop is not None:
            raise stop

    @staticmethod
    def _put_in_place(file: PendingFile) -> None:
        try:
            file.commit()
        except OSError as exc:  # the rename itself (the target turned into a folder…)
            raise CommandError(
                _("%(path)s : écriture impossible (%(error)s).")
                % {"path": file.target, "error": os_error(exc)}
            ) from None

    @staticmethod
    def _targets(establishments: list[Establishment], out: Path) -> list[Path]:
        """The file of each establishment; checked before any work."""
        if len(establishments) == 1:
            return [out / file_name(establishments[0]) if out.is_dir() else out]
        if (out.exists() and not out.is_dir()) or (
            not out.exists() and out.suffix.lower() == ".xml"
        ):
            raise CommandError(
                _(
                    "--out %(path)s : avec plusieurs UAI, indiquez un dossier ; il recevra un "
                    "fichier RapprochementSSO_<UAI>.xml par établissement (le conteneur "
                    "d'Index Education ne porte qu'un UAI)."
                )
                % {"path": out}
            )
        return [out / file_name(establishment) for establishment in establishments]

    @staticmethod
    def _make_folder(out: Path) -> None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(
                _("%(path)s : écriture impossible (%(error)s).")
                % {"path": out, "error": os_error(exc)}
            ) from None
